/**
 * The multi-index must give exactly what brute force gives (matchFingerprints against every
 * entry), on real vPDQ hashes and on synthetic neighbours at every distance around the
 * 31-bit threshold. Expectations other than that equivalence are constructed independently.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIndex, IndexFormatError, loadIndex, lookupAll, serializeIndex, type IndexableList, type ListIndex } from '../../../lib/lists/index';
import { entryFingerprint, type ListEntry } from '../../../lib/lists/format';
import { MATCH_RULE, matchFingerprints } from '../../../lib/fingerprint/match';
import type { VideoFingerprint } from '../../../lib/fingerprint/types';
import type { FrameHash } from '../../../lib/verdict';
import { entryFromFrames, flipBits, hexDistance, loadVpdqFixtures, mulberry32, PDQ_1, SHA_A, SHA_B, type FixtureVideo } from './helpers';

let fixtures: FixtureVideo[];
let lists: IndexableList[];
let index: ListIndex;
/** Entry ordinal → entry, in index order. */
let flat: { list: string; entry: ListEntry }[];

function withAlternates(id: string, frames: FrameHash[], rand: () => number): ListEntry {
  const e = entryFromFrames(id, frames);
  // Builder-style alternates on some frames, at distances that straddle the threshold.
  e.alternates = [];
  for (let i = 0; i < frames.length; i += 7) e.alternates.push([i, flipBits(frames[i].pdq, 20 + Math.floor(rand() * 30), rand)]);
  return e;
}

beforeAll(() => {
  fixtures = loadVpdqFixtures();
  const rand = mulberry32(1);
  const byDir = (dir: string) => fixtures.filter((f) => f.name.startsWith(dir));
  lists = [
    { id: 'theirs', name: 'Upstream and re-encodes', entries: [...byDir('upstream/'), ...byDir('reencoded/')].map((f) => withAlternates(f.name, f.frames, rand)).map((e, i) => (i === 0 ? { ...e, sha256: [SHA_A] } : e)) },
    { id: 'local', name: 'Local ffmpeg', entries: byDir('local-ffmpeg5.1/').map((f) => entryFromFrames(f.name, f.frames)) },
  ];
  index = buildIndex(lists);
  flat = lists.flatMap((l) => l.entries.map((entry) => ({ list: l.id, entry })));
});

/** Brute force over every entry vs the index, entry by entry, score for score. */
function expectEquivalent(query: VideoFingerprint, ix: ListIndex = index): number {
  const scored = new Map(ix.lookupScores(query).map((s) => [s.ordinal, s.score]));
  const viaBrute: string[] = [];
  flat.forEach(({ list, entry }, ordinal) => {
    const brute = matchFingerprints(query, entryFingerprint(entry));
    const got = scored.get(ordinal);
    if (got) expect(got, `entry ${entry.id}`).toEqual(brute);
    else expect([brute.queryHits, brute.targetHits], `entry ${entry.id} missed by the index`).toEqual([0, 0]);
    if (brute.matched) viaBrute.push(`${list}/${entry.id}`);
  });
  const viaLookup = ix.lookup(query).map((m) => `${m.list}/${m.entry}`);
  expect(viaLookup.sort()).toEqual(viaBrute.sort());
  return viaBrute.length;
}

function subsample(frames: FrameHash[], step: number): FrameHash[] {
  return frames.filter((_, i) => i % step === 0);
}

describe('multi-index vs brute force on real vPDQ hashes', () => {
  it('indexes every usable frame and alternate of the fixtures', () => {
    const usable = lists.flatMap((l) => l.entries).reduce((n, e) => {
      const ok = new Set(e.vpdq.map((f, i) => (f[1] >= MATCH_RULE.qualityMin ? i : -1)).filter((i) => i >= 0));
      return n + ok.size + (e.alternates ?? []).filter(([of]) => ok.has(of)).length;
    }, 0);
    expect(index.stats.hashes).toBe(usable);
    expect(index.stats.uniqueHashes).toBeLessThanOrEqual(usable);
    expect(index.stats.entries).toBe(fixtures.length);
  });

  it('each fixture video as the query (1-per-second files whole, every-frame files subsampled)', () => {
    let matches = 0;
    for (const f of fixtures) {
      const frames = f.frames.length > 40 ? subsample(f.frames, 9) : f.frames;
      matches += expectEquivalent({ frames });
    }
    // Sanity that the comparison is not vacuous: real videos match their own entries and re-encodes.
    expect(matches).toBeGreaterThan(fixtures.length);
  });

  it('synthetic neighbours at every distance 0..40 around real frames, with query alternates', () => {
    const rand = mulberry32(7);
    const sources = fixtures.filter((f) => f.frames.length > 100).slice(0, 6);
    let matchedSomething = 0;
    let missedSomething = 0;
    for (let d = 0; d <= 40; d++) {
      const src = sources[d % sources.length];
      const frames = subsample(src.frames, 11).map((f) => ({ ...f, pdq: flipBits(f.pdq, d, rand) }));
      for (const f of frames.slice(0, 3)) expect(hexDistance(f.pdq, src.frames[src.frames.findIndex((g) => g.t === f.t)].pdq)).toBe(d);
      const alternates = frames.filter((_, i) => i % 3 === 0).map((f, k) => ({ of: k * 3, pdq: flipBits(f.pdq, Math.floor(rand() * 12), rand), why: 'mirror' }));
      const n = expectEquivalent({ frames, alternates });
      if (n) matchedSomething++;
      else missedSomething++;
    }
    expect(matchedSomething).toBeGreaterThan(0);
    expect(missedSomething).toBeGreaterThan(0);
  });

  it('mixed distances per frame, clustered right at the threshold', () => {
    const rand = mulberry32(11);
    for (const src of fixtures.filter((f) => f.name.startsWith('upstream/')).slice(0, 5)) {
      const frames = subsample(src.frames, 13).map((f) => ({ ...f, pdq: flipBits(f.pdq, 28 + Math.floor(rand() * 8), rand) }));
      expectEquivalent({ frames });
    }
  });
});

describe('multi-index: the threshold itself', () => {
  it('finds a single frame at distance ≤ 31 and never at 32+', () => {
    const rand = mulberry32(3);
    const real = loadVpdqFixtures().find((f) => f.name === 'upstream/chair-19-sd-bar.txt')!.frames.filter((f) => f.quality >= 50);
    const targets = real.slice(0, 40).map((f, i) => entryFromFrames(`t${i}`, [f]));
    const ix = buildIndex([{ id: 'one', name: 'One', entries: targets }]);
    for (let d = 0; d <= 40; d++) {
      for (let k = 0; k < 4; k++) {
        const t = targets[(d * 4 + k) % targets.length];
        const q = flipBits(t.vpdq[0][0], d, rand);
        const got = ix.lookup({ frames: [{ t: 0, pdq: q, quality: 100 }] }).map((m) => m.entry);
        // Independent expectation: which targets are within 31 bits of q.
        const expected = targets.filter((x) => hexDistance(x.vpdq[0][0], q) <= 31).map((x) => x.id);
        expect(got.sort()).toEqual(expected.sort());
        expect(got.includes(t.id)).toBe(d <= 31);
      }
    }
  });

  it('ignores frames under the quality threshold on both sides', () => {
    const ix = buildIndex([{ id: 'l', name: 'L', entries: [entryFromFrames('low', [{ t: 0, pdq: PDQ_1, quality: 49 }, { t: 1, pdq: PDQ_1, quality: 49 }])] }]);
    expect(ix.stats.hashes).toBe(0);
    expect(ix.lookup({ frames: [{ t: 0, pdq: PDQ_1, quality: 100 }] })).toEqual([]);
  });
});

describe('exact SHA-256 hits', () => {
  it('are reported first, as exact, and take precedence over a perceptual match of the same entry', () => {
    const first = lists[0].entries[0];
    const query = { frames: first.vpdq.map(([pdq, quality, t]) => ({ pdq, quality, t })) };
    const perceptualOnly = index.lookup(query);
    expect(perceptualOnly.some((m) => m.entry === first.id && m.kind === 'perceptual')).toBe(true);
    const both = index.lookup(query, SHA_A.toUpperCase());
    expect(both[0]).toEqual({ list: 'theirs', listName: 'Upstream and re-encodes', entry: first.id, label: first.label, kind: 'exact' });
    expect(both.filter((m) => m.entry === first.id)).toHaveLength(1);
    expect(index.lookup(undefined, SHA_B)).toEqual([]);
    expect(index.lookup(undefined, 'not-hex')).toEqual([]);
  });

  it('finds every entry sharing a digest', () => {
    const entries = ['x', 'y', 'z'].map((id, i) => ({ ...entryFromFrames(id, []), sha256: i === 1 ? [SHA_B] : [SHA_A, SHA_B] }));
    const ix = buildIndex([{ id: 'l', name: 'L', entries }]);
    expect(ix.lookup(undefined, SHA_B).map((m) => m.entry)).toEqual(['x', 'y', 'z']);
    expect(ix.lookup(undefined, SHA_A).map((m) => m.entry)).toEqual(['x', 'z']);
  });
});

describe('serialized form', () => {
  it('loads from its ArrayBuffer (a copy, as IndexedDB returns) and looks up identically', () => {
    const copy = structuredClone(serializeIndex(index));
    const loaded = loadIndex(copy);
    expect(loaded.stats).toEqual(index.stats);
    expect(loaded.lists()).toEqual([
      { id: 'theirs', name: 'Upstream and re-encodes' },
      { id: 'local', name: 'Local ffmpeg' },
    ]);
    const rand = mulberry32(5);
    for (const f of fixtures.slice(0, 12)) {
      const frames = subsample(f.frames, 17).map((x) => ({ ...x, pdq: flipBits(x.pdq, Math.floor(rand() * 36), rand) }));
      expect(loaded.lookup({ frames }, SHA_A)).toEqual(index.lookup({ frames }, SHA_A));
      expectEquivalent({ frames }, loaded);
    }
  });

  it('keeps entry text (unicode included) without JSON', () => {
    const e = { ...entryFromFrames('é-1', [{ t: 0, pdq: PDQ_1, quality: 90 }]), label: 'Vidéo 🎥', notes: 'n', source: 'https://x.test/ü' };
    const ix = loadIndex(structuredClone(buildIndex([{ id: 'u', name: 'Ünï', entries: [e] }]).buffer));
    expect(ix.entryInfo(0)).toEqual({ list: 'u', listName: 'Ünï', entry: 'é-1', label: 'Vidéo 🎥', notes: 'n', source: 'https://x.test/ü' });
  });

  it('refuses blobs that are not an index, truncated, inconsistent, or built for another quality threshold', () => {
    const good = serializeIndex(index);
    expect(() => loadIndex(new ArrayBuffer(8))).toThrow(IndexFormatError);
    expect(() => loadIndex(new Uint32Array(64).buffer)).toThrow(/bad magic/);
    expect(() => loadIndex(good.slice(0, good.byteLength - 4))).toThrow(/size does not match/);
    const bumped = good.slice(0);
    new Uint32Array(bumped)[1] = 99;
    expect(() => loadIndex(bumped)).toThrow(/layout version 99/);
    const broken = good.slice(0);
    new Uint32Array(broken)[16 + 8 * index.stats.uniqueHashes + index.stats.uniqueHashes] = 1; // occStart[U]
    expect(() => loadIndex(broken)).toThrow(/occurrence table/);
    const saved = MATCH_RULE.qualityMin;
    try {
      MATCH_RULE.qualityMin = 60;
      expect(() => loadIndex(good)).toThrow(/quality ≥ 50/);
    } finally {
      MATCH_RULE.qualityMin = saved;
    }
  });
});

describe('bounded cost on degenerate lists', () => {
  it('stores a million-fold repeated hash once and still counts every frame', () => {
    const frames = Array.from({ length: 20_000 }, (_, i) => ({ t: i, pdq: PDQ_1, quality: 100 }));
    const ix = buildIndex([{ id: 'l', name: 'L', entries: [entryFromFrames('same', frames)] }]);
    expect(ix.stats.uniqueHashes).toBe(1);
    expect(ix.stats.hashes).toBe(20_000);
    const [m] = ix.lookup({ frames: [{ t: 0, pdq: PDQ_1, quality: 100 }, { t: 1, pdq: flipBits(PDQ_1, 5, mulberry32(1)), quality: 100 }] });
    expect(m).toMatchObject({ entry: 'same', queryPct: 100, targetPct: 100 });
  });

  it('stays exact when every hash shares its chunks (crowded buckets fall back to a scan)', () => {
    const rand = mulberry32(9);
    // All targets equal PDQ_1 in 15 of 16 chunks: every bucket probe returns all of them.
    const entries = Array.from({ length: 300 }, (_, i) => {
      let h = PDQ_1.split('');
      for (let k = 0; k < 4; k++) h[60 + k] = Math.floor(rand() * 16).toString(16);
      return entryFromFrames(`c${i}`, [{ t: 0, pdq: h.join(''), quality: 100 }, { t: 1, pdq: flipBits(h.join(''), 40, rand), quality: 100 }]);
    });
    const ix = buildIndex([{ id: 'l', name: 'L', entries }]);
    const query = { frames: [{ t: 0, pdq: flipBits(PDQ_1, 30, rand), quality: 100 }, { t: 1, pdq: PDQ_1, quality: 100 }] };
    const scored = new Map(ix.lookupScores(query).map((s) => [s.ordinal, s.score]));
    entries.forEach((e, i) => {
      const brute = matchFingerprints(query, entryFingerprint(e));
      if (brute.queryHits || brute.targetHits) expect(scored.get(i)).toEqual(brute);
      else expect(scored.has(i)).toBe(false);
    });
  });
});

describe('lookupAll over several indexes', () => {
  it('puts exact hits of any list before perceptual ones, strongest first', () => {
    const a = buildIndex([{ id: 'a', name: 'A', entries: [entryFromFrames('pa', [{ t: 0, pdq: PDQ_1, quality: 100 }, { t: 1, pdq: PDQ_1, quality: 100 }])] }]);
    const b = buildIndex([{ id: 'b', name: 'B', entries: [{ ...entryFromFrames('eb', []), sha256: [SHA_A] }] }]);
    const got = lookupAll([a, b], { frames: [{ t: 0, pdq: PDQ_1, quality: 100 }] }, SHA_A);
    expect(got.map((m) => [m.list, m.entry, m.kind])).toEqual([
      ['b', 'eb', 'exact'],
      ['a', 'pa', 'perceptual'],
    ]);
  });
});
