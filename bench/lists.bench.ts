/**
 * Hash-list matching at scale: 1,000,000 frame hashes that look like real vPDQ.
 *
 *   npx tsx bench/lists.bench.ts            (PL_BENCH_FRAMES=200000 for a quicker run)
 *   npx tsx --expose-gc bench/lists.bench.ts   (steadier memory figures)
 *
 * Data: every listed video is a run of consecutive frames of a real fixture vPDQ file
 * (so frames within a video sit near each other exactly as real vPDQ does), XORed with a
 * per-video random mask (which keeps all intra-video distances, and puts different videos
 * as far apart as unrelated videos are), plus 0–4 bits of per-frame re-encode noise.
 * Queries: half are noisy (≤ 10 bits per frame) excerpts of listed videos, half are
 * unlisted videos built the same way.
 *
 * Baselines, same run: a brute-force scan over all hashes pre-parsed into one Uint32Array
 * (the fastest honest brute force), and the reference `matchFingerprints` against every
 * entry on a few queries (whose results must equal the index's).
 * Cold load runs against fake-indexeddb in Node: it measures reading the blob back
 * (a structured clone) and viewing it, not a browser's disk I/O.
 */
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseVpdq } from '../lib/fingerprint/vpdq';
import { hexToHash, popcount32 } from '../lib/fingerprint/hash256';
import { MATCH_RULE, matchFingerprints } from '../lib/fingerprint/match';
import type { VideoFingerprint } from '../lib/fingerprint/types';
import type { FrameHash } from '../lib/verdict';
import { entryFingerprint, newHeader, parseList, serializeList, type HashList, type ListEntry } from '../lib/lists/format';
import { buildIndex, loadIndex } from '../lib/lists/index';
import { ListStore } from '../lib/lists/store';
import { PDQ_FIXTURES } from '../tests/paths';
import { mulberry32 } from '../tests/support/random';

const TOTAL_FRAMES = Number(process.env.PL_BENCH_FRAMES ?? 1_000_000);
const FRAMES_PER_VIDEO = 200;
const QUERIES = 40;
const QUERY_FRAMES = 30;
const REFERENCE_QUERIES = 4;

// ───────────────────────────── data ─────────────────────────────

const rand = mulberry32(2026);

function fixtureVideos(): FrameHash[][] {
  const out: FrameHash[][] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.txt')) {
        const frames = parseVpdq(readFileSync(p, 'utf8'));
        if (frames.length >= FRAMES_PER_VIDEO) out.push(frames);
      }
    }
  };
  walk(join(PDQ_FIXTURES, 'vpdq-hashes'));
  return out;
}

const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const codes = new Array<number>(64);
/** Built from char codes in one call: a flat string, as parsed lists have (a `+=` rope would distort memory figures). */
function xorHex(hex: string, mask: Uint8Array): string {
  for (let i = 0; i < 64; i++) codes[i] = HEX_CODES[parseInt(hex[i], 16) ^ mask[i]];
  return String.fromCharCode(...codes);
}
function randomMask(): Uint8Array {
  return Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 16));
}
function noiseMask(bits: number): Uint8Array {
  const m = new Uint8Array(64);
  for (let i = 0; i < bits; i++) {
    const b = Math.floor(rand() * 256);
    m[b >> 2] ^= 1 << (b & 3);
  }
  return m;
}

function syntheticVideo(sources: FrameHash[][], length: number): FrameHash[] {
  const src = sources[Math.floor(rand() * sources.length)];
  const start = Math.floor(rand() * (src.length - length + 1));
  const mask = randomMask();
  return src.slice(start, start + length).map((f, i) => ({ t: i, quality: f.quality, pdq: xorHex(xorHex(f.pdq, mask), noiseMask(Math.floor(rand() * 5))) }));
}

// ───────────────────────────── measuring ─────────────────────────────

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (t0: number) => performance.now() - t0;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;
function mem() {
  gc?.();
  return process.memoryUsage();
}

/** The brute-force baseline: every usable list hash in one array, scanned for each query hash. */
function flatHashes(entries: ListEntry[]): { words: Uint32Array; owner: Uint32Array } {
  let n = 0;
  for (const e of entries) for (const f of e.vpdq) if (f[1] >= MATCH_RULE.qualityMin) n++;
  const words = new Uint32Array(8 * n);
  const owner = new Uint32Array(n);
  let k = 0;
  entries.forEach((e, ei) => {
    for (const f of e.vpdq) {
      if (f[1] < MATCH_RULE.qualityMin) continue;
      words.set(hexToHash(f[0]), 8 * k);
      owner[k++] = ei;
    }
  });
  return { words, owner };
}

function bruteForceNear(flat: { words: Uint32Array; owner: Uint32Array }, query: VideoFingerprint): Set<number> {
  const hit = new Set<number>();
  const { words, owner } = flat;
  const max = MATCH_RULE.distanceMax;
  for (const f of query.frames) {
    if (f.quality < MATCH_RULE.qualityMin) continue;
    const q = hexToHash(f.pdq);
    for (let k = 0, b = 0; k < owner.length; k++, b += 8) {
      let d = 0;
      for (let w = 0; w < 8 && d <= max; w++) d += popcount32((words[b + w] ^ q[w]) >>> 0);
      if (d <= max) hit.add(owner[k]);
    }
  }
  return hit;
}

async function main() {
  const sources = fixtureVideos();
  const log = (s: string) => process.stderr.write(s + '\n');
  log(`fixtures: ${sources.length} real vPDQ files with ≥ ${FRAMES_PER_VIDEO} frames; generating ${TOTAL_FRAMES.toLocaleString()} frame hashes…`);

  const videos = Math.ceil(TOTAL_FRAMES / FRAMES_PER_VIDEO);
  const entries: ListEntry[] = [];
  for (let v = 0; v < videos; v++) {
    const frames = syntheticVideo(sources, Math.min(FRAMES_PER_VIDEO, TOTAL_FRAMES - v * FRAMES_PER_VIDEO));
    entries.push({ id: `v${v}`, label: `Video ${v}`, source: '', notes: '', added: '2026-01-01', sha256: [], vpdq: frames.map((f) => [f.pdq, f.quality, f.t]) });
  }
  const list: HashList = { header: newHeader({ name: 'Bench', publisher: 'bench', sequence: 1, created: '2026-01-01T00:00:00Z' }), entries };
  const frames = entries.reduce((n, e) => n + e.vpdq.length, 0);

  const queries: VideoFingerprint[] = [];
  for (let q = 0; q < QUERIES; q++) {
    if (q % 2 === 0) {
      const e = entries[Math.floor(rand() * entries.length)];
      const start = Math.floor(rand() * (e.vpdq.length - QUERY_FRAMES));
      queries.push({ frames: e.vpdq.slice(start, start + QUERY_FRAMES).map(([pdq, quality, t]) => ({ t, quality, pdq: xorHex(pdq, noiseMask(Math.floor(rand() * 11))) })) });
    } else {
      queries.push({ frames: syntheticVideo(sources, QUERY_FRAMES) });
    }
  }
  const queryFrames = (q: VideoFingerprint) => q.frames.filter((f) => f.quality >= MATCH_RULE.qualityMin).length || 1;

  // Build.
  const before = mem();
  let t0 = performance.now();
  const index = buildIndex([{ id: 'bench', name: 'Bench', entries }]);
  const buildMs = ms(t0);
  const after = mem();

  // Lookups: index vs brute force, per query frame.
  for (const q of queries.slice(0, 3)) index.lookup(q); // warm-up (JIT, scratch arrays)
  const indexPerFrame: number[] = [];
  let listedHits = 0;
  for (const q of queries) {
    t0 = performance.now();
    const m = index.lookup(q);
    indexPerFrame.push(ms(t0) / queryFrames(q));
    if (m.length) listedHits++;
  }
  const flat = flatHashes(entries);
  const brutePerFrame: number[] = [];
  for (const [i, q] of queries.entries()) {
    t0 = performance.now();
    const near = bruteForceNear(flat, q);
    brutePerFrame.push(ms(t0) / queryFrames(q));
    // Candidate entries must agree with the index (those with any near frame pair).
    const fromIndex = new Set(index.lookupScores(q).map((s) => s.ordinal));
    if (near.size !== fromIndex.size || [...near].some((e) => !fromIndex.has(e))) throw new Error(`query ${i}: brute force and index disagree on candidate entries`);
  }

  // The reference matcher on a few queries (slow: it re-parses every entry's hex each call).
  const referencePerFrame: number[] = [];
  for (const q of queries.slice(0, REFERENCE_QUERIES)) {
    t0 = performance.now();
    const matched = entries.filter((e) => matchFingerprints(q, entryFingerprint(e)).matched).map((e) => e.id);
    referencePerFrame.push(ms(t0) / queryFrames(q));
    const viaIndex = index.lookup(q).map((m) => m.entry);
    if (matched.sort().join() !== viaIndex.sort().join()) throw new Error('index and matchFingerprints disagree');
  }

  // Storage: serialized size, cold load from IndexedDB, and the JSON path it replaces.
  const text = serializeList(list);
  const bytes = new TextEncoder().encode(text);
  const dbName = `bench-lists-${process.pid}`;
  const store = await ListStore.open({ name: dbName });
  await store.replaceList('bench', bytes, list, undefined, index);
  store.close();
  const cold = await ListStore.open({ name: dbName });
  t0 = performance.now();
  const loaded = await cold.getIndex('bench');
  const coldLoadMs = ms(t0);
  if (!loaded || loaded.stats.hashes !== index.stats.hashes) throw new Error('cold load lost hashes');
  t0 = performance.now();
  loadIndex(index.buffer);
  const viewMs = ms(t0);
  t0 = performance.now();
  const reparsed = parseList(bytes);
  buildIndex([{ id: 'bench', name: 'Bench', entries: reparsed.entries }]);
  const jsonPathMs = ms(t0);
  cold.close();

  const idx = median(indexPerFrame);
  const bf = median(brutePerFrame);
  const ref = median(referencePerFrame);
  const rows: [string, string, string][] = [
    ['frame hashes (entries)', `${frames.toLocaleString()} (${entries.length.toLocaleString()})`, `indexed ${index.stats.hashes.toLocaleString()} usable, ${index.stats.uniqueHashes.toLocaleString()} unique`],
    ['lookup / query frame, index', `${(idx * 1000).toFixed(1)} µs`, `median of ${QUERIES} queries; ${listedHits}/${QUERIES} matched (${QUERIES / 2} were listed)`],
    ['lookup / query frame, brute force', `${(bf * 1000).toFixed(1)} µs`, `flat pre-parsed scan; index is ${(bf / idx).toFixed(0)}× faster`],
    ['lookup / query frame, matchFingerprints', `${(ref * 1000).toFixed(1)} µs`, `reference on ${REFERENCE_QUERIES} queries; index is ${(ref / idx).toFixed(0)}× faster`],
    ['build index', `${(buildMs / 1000).toFixed(2)} s`, `${((buildMs * 1e6) / frames).toFixed(0)} ns per frame`],
    ['serialized index', mb(index.buffer.byteLength), `list file ${mb(bytes.byteLength)}; ${(index.buffer.byteLength / frames).toFixed(0)} B per frame`],
    ['cold load from IndexedDB', `${coldLoadMs.toFixed(0)} ms`, `fake-indexeddb (structured clone + view); view alone ${viewMs.toFixed(2)} ms`],
    ['cold path without the blob', `${(jsonPathMs / 1000).toFixed(2)} s`, `parse JSONL + build; blob is ${(jsonPathMs / coldLoadMs).toFixed(0)}× faster`],
    ['memory of the built index', `heap +${mb(after.heapUsed - before.heapUsed)}`, `arrayBuffers +${mb(after.arrayBuffers - before.arrayBuffers)}, rss +${mb(after.rss - before.rss)}${gc ? '' : ' (no --expose-gc: noisy)'}`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\nlists benchmark (${new Date().toISOString().slice(0, 10)}, Node ${process.version})`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}   ${c}`);
  const ok = bf / idx >= 10;
  console.log(`\n  target index ≥ 10× brute force: ${ok ? 'met' : 'NOT met'} (${(bf / idx).toFixed(1)}×)`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
