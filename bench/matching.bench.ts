/**
 * Matching benchmark: `npm run bench -- matching`
 *
 * For several kinds of moving footage (tests/unit/fingerprint/helpers/reposts.ts), every
 * re-post edit (cut at any instant, excerpt, speed, rotation, meme frame, compilation, caption,
 * logo, picture-in-picture at 60 % centred and 50 % off centre) is made with ffmpeg and checked against the listed original:
 *   - this project: the list entry as `list build` makes it (distinct frames, crops, bars) and
 *     the query as the extension / `check` makes it (1 frame/s, mirror, rotations, margins,
 *     middle band, picture-in-picture insets);
 *   - plain vPDQ at 1 frame/s on both sides (the reference tool's output, no alternates),
 *     scored by the same rule, in the same run.
 * Then a negative corpus (NEG clips, default 300, incl. near negatives: the same generators with
 * other parameters, panned photographs and other camera footage, other clips shown
 * picture-in-picture over the copies' background) is checked against every
 * listed entry through the list index: false matches, closest distance, and the margin between
 * the furthest true frame match and the closest false one. List sizes per minute are printed.
 * Media is cached under .cache/generated/reposts/.  NEG=… and KINDS=a,b narrow the run.
 */
import { cpus, totalmem } from 'node:os';
import { fingerprintFile, probeVideo, type FingerprintOptions } from '../lib/fingerprint/ffmpeg';
import { MATCH_RULE, matchFingerprints } from '../lib/fingerprint/match';
import { nearestDistances as nearest } from '../tests/unit/fingerprint/helpers/media';
import type { MatchScore, VideoFingerprint } from '../lib/fingerprint/types';
import { buildIndex } from '../lib/lists/index';
import { fingerprintToEntryHashes } from '../lib/lists/format';
import { FOOTAGE, REPOST_EDITS, ensureFootage, ensureNegatives, ensureRepost, negativeSpecs } from '../tests/unit/fingerprint/helpers/reposts';

const LIST: FingerprintOptions = { forList: true };
const QUERY: FingerprintOptions = {};
const PLAIN: FingerprintOptions = { borders: false, mirror: false, crops: false, rotations: false, margins: false, bands: false, insets: false };
const kinds = process.env.KINDS ? process.env.KINDS.split(',') : Object.keys(FOOTAGE);
const negCount = Number(process.env.NEG ?? 300);

const pct = (s: MatchScore) => `${s.matched ? 'MATCH' : 'no   '} q ${s.queryPct.toFixed(0).padStart(3)}%${s.segments && s.queryPct < 50 ? ` at ${s.segments.map((g) => `${g.from.toFixed(0)}-${g.to.toFixed(0)} s`).join(',')}` : ''}`;
const hashesOf = (fp: VideoFingerprint) => fp.frames.length + (fp.alternates?.length ?? 0);

async function main() {
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`);
  const listed = new Map<string, VideoFingerprint>();
  const plain = new Map<string, VideoFingerprint>();
  const sizes: string[] = [];
  for (const kind of kinds) {
    const path = await ensureFootage(kind);
    const info = await probeVideo(path);
    const t0 = performance.now();
    const fp = await fingerprintFile(path, LIST);
    const listSeconds = (performance.now() - t0) / 1000;
    const old = await fingerprintFile(path, { forList: true, secondsPerHash: 1 });
    const p = await fingerprintFile(path, PLAIN);
    listed.set(kind, fp);
    plain.set(kind, p);
    const perMin = (n: number) => ((n * 60) / (info.duration ?? 1)).toFixed(0);
    const bytes = (f: VideoFingerprint) => JSON.stringify(fingerprintToEntryHashes(f)).length;
    sizes.push(
      `${kind.padEnd(10)} ${info.width}x${info.height} ${info.duration?.toFixed(1)} s: frames/min ${perMin(fp.frames.length)} (before: ${perMin(old.frames.length)}), hashes/min ${perMin(hashesOf(fp))} (before ${perMin(hashesOf(old))}), ` +
        `list JSON ${(Number(perMin(bytes(fp))) / 1024).toFixed(0)} KiB/min (before ${(Number(perMin(bytes(old))) / 1024).toFixed(0)}); plain vPDQ ${perMin(p.frames.length)} frames/min; built in ${listSeconds.toFixed(1)} s`,
    );
  }
  console.log(`\nlist size per minute of video (this project's list entry vs the previous 1 frame/s entry):\n  ${sizes.join('\n  ')}`);

  const edits = Object.keys(REPOST_EDITS);
  const perEdit = new Map<string, { ours: number; plain: number; total: number }>();
  let furthestTrue = { d: 0, what: '' };
  const rows: string[] = [];
  const copies: { kind: string; edit: string; fp: VideoFingerprint }[] = [];
  for (const kind of kinds) {
    for (const edit of edits) {
      const path = await ensureRepost(kind, edit);
      const q = await fingerprintFile(path, QUERY);
      const qp = await fingerprintFile(path, PLAIN);
      copies.push({ kind, edit, fp: q });
      const s = matchFingerprints(q, listed.get(kind)!);
      const p = matchFingerprints(qp, plain.get(kind)!);
      const acc = perEdit.get(edit) ?? { ours: 0, plain: 0, total: 0 };
      acc.total++;
      if (s.matched) acc.ours++;
      if (p.matched) acc.plain++;
      perEdit.set(edit, acc);
      for (const d of nearest(q, listed.get(kind)!)) if (d <= MATCH_RULE.distanceMax && d > furthestTrue.d) furthestTrue = { d, what: `${kind}.${edit}` };
      rows.push(`${kind.padEnd(10)} ${edit.padEnd(19)} ours ${pct(s).padEnd(26)} plain vPDQ ${pct(p)}`);
    }
  }
  console.log(`\nevery copy against its listed original:\n  ${rows.join('\n  ')}`);
  console.log(`\nmatch rate per edit kind over ${kinds.length} kinds of footage (this project | plain vPDQ at 1 frame/s):`);
  for (const [edit, a] of perEdit) {
    console.log(`  ${edit.padEnd(19)} ${a.ours}/${a.total} | ${a.plain}/${a.total}${REPOST_EDITS[edit].expect === 'limit' ? '   (known limit)' : ''}`);
  }

  // Negatives: generated clips and every copy of another footage kind, through the list index.
  const specs = negativeSpecs(negCount);
  const t0 = performance.now();
  const negPaths = await ensureNegatives(specs);
  // Two at a time: one clip's ffmpeg decodes while the other's frames are hashed.
  const negatives: { name: string; fp: VideoFingerprint }[] = new Array(negPaths.length);
  let next = 0;
  const worker = async () => {
    while (next < negPaths.length) {
      const i = next++;
      negatives[i] = { name: specs[i].kind, fp: await fingerprintFile(negPaths[i], QUERY) };
    }
  };
  await Promise.all([worker(), worker()]);
  const negSeconds = (performance.now() - t0) / 1000;
  const index = buildIndex([{ id: 'bench', name: 'bench', entries: kinds.map((k) => ({ id: k, label: k, source: '', notes: '', added: '2026-01-01', sha256: [], ...fingerprintToEntryHashes(listed.get(k)!) })) }]);
  let falseMatches = 0;
  let pairs = 0;
  let closest = { d: 256, what: '' };
  const closestBy = new Map<string, number>();
  const check = (name: string, fp: VideoFingerprint, except?: string) => {
    for (const m of index.lookup(fp)) {
      if (m.entry !== except) {
        falseMatches++;
        console.log(`  FALSE MATCH: ${name} matched ${m.entry} (q ${m.queryPct?.toFixed(0)}%)`);
      }
    }
    for (const k of kinds) {
      if (k === except) continue;
      pairs++;
      const d = Math.min(256, ...nearest(fp, listed.get(k)!));
      if (d < closest.d) closest = { d, what: `${name} vs ${k}` };
      const group = except ? 'copies of other footage' : name;
      closestBy.set(group, Math.min(closestBy.get(group) ?? 256, d));
    }
  };
  for (const n of negatives) check(n.name, n.fp);
  for (const c of copies) check(`${c.kind}.${c.edit}`, c.fp, c.kind);
  console.log(
    `\nnegatives: ${negatives.length} generated clips (${[...new Set(negatives.map((n) => n.name))].join(', ')}; made and fingerprinted in ${negSeconds.toFixed(0)} s) + ${copies.length} copies against the other kinds: ` +
      `${pairs} unrelated pairs, ${falseMatches} false matches (rate ${(falseMatches / pairs).toFixed(4)}); closest unrelated frames ${closest.d} bits (${closest.what}); ` +
      `threshold ${MATCH_RULE.distanceMax}; furthest true frame match ${furthestTrue.d} bits (${furthestTrue.what}); margin ${closest.d - furthestTrue.d} bits`,
  );
  console.log(`closest unrelated frames per kind of negative: ${[...closestBy].map(([k, d]) => `${k} ${d}`).join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
