/**
 * Re-posted copies (helpers/reposts.ts): every edit kind on real camera footage and on a moving
 * test card must match the listed original as `list build` lists it, through the same rule
 * the extension uses; a negative corpus of generated clips (near negatives included) must not
 * match. A copy checked from a few frames taken at arbitrary instants (what the extension gets
 * from a playing element, or from a prefix of the file) must match too. The benchmark
 * (`npm run bench -- matching`) runs the same on more footage and a larger negative corpus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MATCH_RULE, matchFingerprints } from '../../../lib/fingerprint/match';
import type { MatchScore, VideoFingerprint } from '../../../lib/fingerprint/types';
import { buildIndex } from '../../../lib/lists/index';
import { fingerprintToEntryHashes } from '../../../lib/lists/format';
import { cachedFingerprint, nearestDistances } from './helpers/media';
import { REPOST_EDITS, ensureFootage, ensureNegatives, ensureRepost, expectation, negativeSpecs } from './helpers/reposts';

const KINDS = ['camera', 'synthetic'];
const EDITS = Object.keys(REPOST_EDITS);
const LIST = { forList: true } as const;
const QUERY = {} as const;
/** Whole frames only, every frame: what a page's element or a file prefix yields, sampled below. */
const ELEMENT = { secondsPerHash: 0, borders: false, mirror: false, rotations: false, margins: false, bands: false, insets: false } as const;

const listed = new Map<string, VideoFingerprint>();
const copies = new Map<string, VideoFingerprint>();

async function inPairs(tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all([worker(), worker()]);
}

beforeAll(async () => {
  const t0 = performance.now();
  await inPairs(KINDS.map((k) => async () => listed.set(k, await cachedFingerprint(await ensureFootage(k), LIST))));
  await inPairs(KINDS.flatMap((k) => EDITS.map((e) => async () => copies.set(`${k}.${e}`, await cachedFingerprint(await ensureRepost(k, e), QUERY)))));
  console.log(`re-posted copies: ${copies.size} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}, 1_500_000);

const pct = (s: MatchScore) => `q ${s.queryPct.toFixed(0)}% (${s.queryHits}/${s.queryUsable})${s.segments ? ` runs ${s.segments.map((g) => `${g.from}-${g.to} s`).join(', ')}` : ''}`;

describe('re-posted copies match the listed original', () => {
  it.each(EDITS)('%s', (edit) => {
    const rows: string[] = [];
    for (const kind of KINDS) {
      const s = matchFingerprints(copies.get(`${kind}.${edit}`)!, listed.get(kind)!);
      const want = expectation(kind, edit);
      rows.push(`${kind}: ${s.matched ? 'MATCH' : 'no'} ${pct(s)}${want === 'limit' ? ' (documented limit)' : ''}`);
      if (want === 'match') expect(s.matched, `${kind}.${edit}: ${pct(s)}`).toBe(true);
      const segment = REPOST_EDITS[edit].segment;
      if (segment && want === 'match') {
        // The compilation is reported as containing the clip, at the seconds where it sits.
        expect(s.queryPct).toBeLessThan(MATCH_RULE.minQueryPct);
        const [from, to] = segment;
        expect(s.segments?.some((g) => g.from >= from - 1 && g.to <= to + 1 && g.to - g.from >= MATCH_RULE.minRunFrames - 1), pct(s)).toBe(true);
      }
    }
    console.log(`${edit}: ${rows.join(' | ')}`);
  });

  it('a copy cut at any instant matches from 3 frames taken at arbitrary instants (a playing element, a file prefix)', async () => {
    for (const kind of KINDS) {
      const every = await cachedFingerprint(await ensureRepost(kind, 'cut-at-0.37s'), ELEMENT);
      const at = (t: number) => every.frames.reduce((a, b) => (Math.abs(b.t - t) < Math.abs(a.t - t) ? b : a));
      for (const instants of [[0.53, 1.61, 2.58], [0.1, 1.2, 2.3], [3.9, 4.95, 6.02]]) {
        const query: VideoFingerprint = { frames: instants.map(at) };
        const s = matchFingerprints(query, listed.get(kind)!);
        expect(s.matched, `${kind} at ${instants.join(', ')} s: ${pct(s)}`).toBe(true);
      }
      // The least evidence the rule accepts: two usable frames, both found (about 2 s of playback).
      expect(matchFingerprints({ frames: [at(0.5), at(1.5)] }, listed.get(kind)!).matched).toBe(true);
      expect(matchFingerprints({ frames: [at(0.5)] }, listed.get(kind)!).queryHits).toBe(1);
    }
  });
});

describe('unrelated videos never match', () => {
  it('a generated negative corpus (near negatives included) and the other kind\'s copies: no false match; margin printed', async () => {
    const specs = negativeSpecs(28);
    const paths = await ensureNegatives(specs);
    const negatives: [string, VideoFingerprint][] = [];
    for (let i = 0; i < paths.length; i++) negatives.push([specs[i].kind, await cachedFingerprint(paths[i], QUERY)]);
    for (const [key, fp] of copies) negatives.push([key, fp]);
    const index = buildIndex([{ id: 'l', name: 'l', entries: KINDS.map((k) => ({ id: k, label: k, source: '', notes: '', added: '2026-01-01', sha256: [], ...fingerprintToEntryHashes(listed.get(k)!) })) }]);
    let pairs = 0;
    let closest = { d: 256, pair: '' };
    for (const [name, fp] of negatives) {
      const own = KINDS.find((k) => name.startsWith(`${k}.`));
      for (const m of index.lookup(fp)) expect(m.entry, `${name} matched ${m.entry} (q ${m.queryPct}%)`).toBe(own);
      for (const k of KINDS) {
        if (k === own) continue;
        pairs++;
        const d = Math.min(256, ...nearestDistances(fp, listed.get(k)!));
        if (d < closest.d) closest = { d, pair: `${name} vs ${k}` };
      }
    }
    let furthestTrue = { d: 0, pair: '' };
    for (const [key, fp] of copies) {
      const kind = key.split('.')[0];
      for (const d of nearestDistances(fp, listed.get(kind)!)) if (d <= MATCH_RULE.distanceMax && d > furthestTrue.d) furthestTrue = { d, pair: key };
    }
    console.log(
      `${negatives.length} negatives, ${pairs} unrelated pairs through the list index: 0 false matches; closest unrelated frames ${closest.d} bits (${closest.pair}); ` +
        `furthest true frame match ${furthestTrue.d} bits (${furthestTrue.pair}); margin ${closest.d - furthestTrue.d} bits`,
    );
    expect(closest.d).toBeGreaterThan(MATCH_RULE.distanceMax);
  }, 600_000);
});
