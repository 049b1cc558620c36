/**
 * Matching at scale: exact SHA-256 lookup plus a PDQ multi-index over every frame hash
 * (frames and alternates) of every entry, in one ArrayBuffer that is stored as-is in
 * IndexedDB and viewed in place on load (no per-entry objects, no JSON).
 *
 * Multi-index: each 256-bit hash is cut into 16 chunks of 16 bits. Two hashes at distance
 * d ≤ 16·(r+1) − 1 have at least one chunk at distance ≤ r (pigeonhole), so probing, for
 * every chunk of the query, all bucket values within r bits of it finds every hash within
 * d; each candidate is then verified with the full Hamming distance. For PDQ's
 * distanceMax = 31, r = 1: the chunk's own value and its 16 one-bit neighbours.
 *
 * Better shape than "one payload per hash": identical hashes (common in real vPDQ, e.g.
 * still scenes or the same frame in several lists' entries) are stored once, with a run of
 * occurrences (entry, frame); this also keeps a list of a million identical hashes from
 * blowing up query time.
 *
 * `lookup` implements THE MATCHING RELATION of lib/fingerprint/types.ts and scores each
 * candidate entry with `scoreFromHits`, so it gives exactly what `matchFingerprints` gives
 * against each entry (tests compare the two on real vPDQ hashes).
 */
import type { ListMatch } from '../verdict';
import type { VideoFingerprint } from '../fingerprint/types';
import type { MatchScore } from '../fingerprint/types';
import { hexToHash, popcount32, type Hash256 } from '../fingerprint/hash256';
import { MATCH_RULE, scoreFromFrameHits, scoreFromHits, usableIndices } from '../fingerprint/match';
import type { ListEntry } from './format';

export interface IndexableList {
  /** Stable id (subscription id, `user`, or a file path in the CLI). */
  id: string;
  name: string;
  entries: readonly ListEntry[];
}

export class IndexFormatError extends Error {
  override name = 'IndexFormatError';
}

const MAGIC = 0x58494c50; // "PLIX" little-endian
const LAYOUT_VERSION = 1;
const HEADER_WORDS = 16;
const CHUNKS = 16;
const BUCKETS = 1 << 16;
/** occFrame high bit: this occurrence is an alternate hash of the frame. */
export const ALTERNATE_FLAG = 0x8000_0000;
const STRINGS_PER_ENTRY = 4; // id, label, notes, source
const STRINGS_PER_LIST = 2; // id, name

interface Counts {
  lists: number;
  entries: number;
  unique: number;
  occurrences: number;
  sha: number;
  stringBytes: number;
  qualityMin: number;
}

interface Views {
  hashes: Uint32Array; // 8 words per unique hash
  occStart: Uint32Array; // unique hash u → occurrences occStart[u] .. occStart[u+1]
  occEntry: Uint32Array;
  occFrame: Uint32Array; // frame index | ALTERNATE_FLAG
  postStart: Uint32Array; // chunk c, value v → postIds[c·U + postStart[c·65537 + v] …]
  postIds: Uint32Array;
  entryList: Uint32Array;
  entryUsable: Uint32Array;
  strOff: Uint32Array;
  shaWords: Uint32Array; // sorted
  shaEntry: Uint32Array;
  strings: Uint8Array;
}

function sectionWords(c: Counts): [keyof Views, number][] {
  const strCount = c.entries * STRINGS_PER_ENTRY + c.lists * STRINGS_PER_LIST;
  return [
    ['hashes', 8 * c.unique],
    ['occStart', c.unique + 1],
    ['occEntry', c.occurrences],
    ['occFrame', c.occurrences],
    ['postStart', CHUNKS * (BUCKETS + 1)],
    ['postIds', CHUNKS * c.unique],
    ['entryList', c.entries],
    ['entryUsable', c.entries],
    ['strOff', strCount + 1],
    ['shaWords', 8 * c.sha],
    ['shaEntry', c.sha],
    ['strings', Math.ceil(c.stringBytes / 4)],
  ];
}

function layout(buffer: ArrayBuffer, c: Counts): Views {
  let offset = HEADER_WORDS * 4;
  const views = {} as Record<keyof Views, Uint32Array | Uint8Array>;
  for (const [name, words] of sectionWords(c)) {
    if (offset + words * 4 > buffer.byteLength) throw new IndexFormatError('index blob is truncated');
    views[name] = name === 'strings' ? new Uint8Array(buffer, offset, c.stringBytes) : new Uint32Array(buffer, offset, words);
    offset += words * 4;
  }
  return views as unknown as Views;
}

function totalBytes(c: Counts): number {
  return 4 * (HEADER_WORDS + sectionWords(c).reduce((n, [, w]) => n + w, 0));
}

/** Chunk c (0..15) of a hash: 16-bit halves of the 8 words, high half first. */
function chunkOf(words: Uint32Array, base: number, c: number): number {
  const w = words[base + (c >> 1)];
  return c & 1 ? w & 0xffff : w >>> 16;
}

function writeHex(hex: string, out: Uint32Array, base: number): void {
  for (let i = 0; i < 8; i++) out[base + i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
}

// ───────────────────────────── building ─────────────────────────────

export function buildIndex(lists: readonly IndexableList[]): ListIndex {
  const qualityMin = MATCH_RULE.qualityMin;
  let entries = 0;
  for (const l of lists) entries += l.entries.length;

  // Pass 1: unique hashes and occurrences (usable frames only, as the relation says).
  const uniqueOf = new Map<string, number>();
  const uniqueHex: string[] = [];
  let occU: number[] = [];
  let occE: number[] = [];
  let occF: number[] = [];
  const entryUsable = new Uint32Array(entries);
  const shaPairs: { hex: string; entry: number }[] = [];
  const strings: string[] = [];
  let e = 0;
  const addOcc = (hex: string, entry: number, frame: number) => {
    let u = uniqueOf.get(hex);
    if (u === undefined) {
      u = uniqueHex.length;
      uniqueOf.set(hex, u);
      uniqueHex.push(hex);
    }
    occU.push(u);
    occE.push(entry);
    occF.push(frame);
  };
  const entryList = new Uint32Array(entries);
  for (let l = 0; l < lists.length; l++) {
    for (const entry of lists[l].entries) {
      entryList[e] = l;
      strings.push(entry.id, entry.label, entry.notes, entry.source);
      const usable = new Uint8Array(entry.vpdq.length);
      let usableCount = 0;
      for (let j = 0; j < entry.vpdq.length; j++) {
        const [hex, quality] = entry.vpdq[j];
        if (quality < qualityMin) continue;
        usable[j] = 1;
        usableCount++;
        addOcc(hex.toLowerCase(), e, j);
      }
      for (const [of, hex] of entry.alternates ?? []) {
        if (usable[of]) addOcc(hex.toLowerCase(), e, (of | ALTERNATE_FLAG) >>> 0);
      }
      entryUsable[e] = usableCount;
      for (const s of entry.sha256) shaPairs.push({ hex: s.toLowerCase(), entry: e });
      e++;
    }
  }
  for (const l of lists) strings.push(l.id, l.name);
  uniqueOf.clear();

  const encoded = encodeStrings(strings);
  const counts: Counts = {
    lists: lists.length,
    entries,
    unique: uniqueHex.length,
    occurrences: occU.length,
    sha: shaPairs.length,
    stringBytes: encoded.bytes.length,
    qualityMin,
  };
  const buffer = new ArrayBuffer(totalBytes(counts));
  writeHeader(buffer, counts);
  const v = layout(buffer, counts);

  for (let u = 0; u < uniqueHex.length; u++) writeHex(uniqueHex[u], v.hashes, 8 * u);
  uniqueHex.length = 0;

  // Occurrences grouped by unique hash (counting sort keeps entry/frame order within a group).
  for (const u of occU) v.occStart[u + 1]++;
  for (let u = 0; u < counts.unique; u++) v.occStart[u + 1] += v.occStart[u];
  const fill = v.occStart.slice(0, counts.unique);
  for (let o = 0; o < occU.length; o++) {
    const at = fill[occU[o]]++;
    v.occEntry[at] = occE[o];
    v.occFrame[at] = occF[o];
  }
  occU = occE = occF = [];

  // Postings: per chunk, unique hash ids bucketed by the chunk's 16-bit value.
  for (let c = 0; c < CHUNKS; c++) {
    const start = v.postStart.subarray(c * (BUCKETS + 1), (c + 1) * (BUCKETS + 1));
    const ids = v.postIds.subarray(c * counts.unique, (c + 1) * counts.unique);
    for (let u = 0; u < counts.unique; u++) start[chunkOf(v.hashes, 8 * u, c) + 1]++;
    for (let b = 0; b < BUCKETS; b++) start[b + 1] += start[b];
    const pos = start.slice(0, BUCKETS);
    for (let u = 0; u < counts.unique; u++) ids[pos[chunkOf(v.hashes, 8 * u, c)]++] = u;
  }

  v.entryList.set(entryList);
  v.entryUsable.set(entryUsable);
  v.strOff.set(encoded.offsets);
  v.strings.set(encoded.bytes);

  // SHA-256 digests sorted by their words, for binary search.
  const shaWords = new Uint32Array(8 * shaPairs.length);
  shaPairs.forEach((p, i) => writeHex(p.hex, shaWords, 8 * i));
  const order = shaPairs.map((_, i) => i).sort((a, b) => compareWords(shaWords, 8 * a, shaWords, 8 * b) || shaPairs[a].entry - shaPairs[b].entry);
  order.forEach((from, to) => {
    v.shaWords.set(shaWords.subarray(8 * from, 8 * from + 8), 8 * to);
    v.shaEntry[to] = shaPairs[from].entry;
  });

  return new ListIndex(buffer, counts, v);
}

function encodeStrings(strings: string[]): { bytes: Uint8Array; offsets: Uint32Array } {
  const encoder = new TextEncoder();
  const offsets = new Uint32Array(strings.length + 1);
  let bytes = new Uint8Array(Math.max(1024, strings.length * 16));
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    const need = at + strings[i].length * 3;
    if (need > bytes.length) {
      const grown = new Uint8Array(Math.max(need, bytes.length * 2));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    at += encoder.encodeInto(strings[i], bytes.subarray(at)).written;
    offsets[i + 1] = at;
  }
  return { bytes: bytes.subarray(0, at), offsets };
}

function writeHeader(buffer: ArrayBuffer, c: Counts): void {
  const h = new Uint32Array(buffer, 0, HEADER_WORDS);
  h.set([MAGIC, LAYOUT_VERSION, c.qualityMin, c.lists, c.entries, c.unique, c.occurrences, c.sha, c.stringBytes]);
}

function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 8; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d) return d;
  }
  return 0;
}

// ───────────────────────────── loading ─────────────────────────────

/**
 * View a serialized index in place. Throws IndexFormatError when the blob is not an index
 * of this layout, or was built with another quality threshold (callers then rebuild it
 * from the stored list).
 */
export function loadIndex(buffer: ArrayBuffer): ListIndex {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < HEADER_WORDS * 4) throw new IndexFormatError('not an index blob');
  const h = new Uint32Array(buffer, 0, HEADER_WORDS);
  if (h[0] !== MAGIC) throw new IndexFormatError('not an index blob (bad magic)');
  if (h[1] !== LAYOUT_VERSION) throw new IndexFormatError(`index layout version ${h[1]} is not ${LAYOUT_VERSION}`);
  const counts: Counts = { qualityMin: h[2], lists: h[3], entries: h[4], unique: h[5], occurrences: h[6], sha: h[7], stringBytes: h[8] };
  if (counts.qualityMin !== MATCH_RULE.qualityMin) throw new IndexFormatError(`index was built for quality ≥ ${counts.qualityMin}, the rule is now ${MATCH_RULE.qualityMin}`);
  if (totalBytes(counts) !== buffer.byteLength) throw new IndexFormatError('index blob size does not match its header');
  const v = layout(buffer, counts);
  // Cheap consistency checks on the arrays that address other arrays.
  if (v.occStart[counts.unique] !== counts.occurrences) throw new IndexFormatError('index occurrence table is inconsistent');
  if (v.strOff[v.strOff.length - 1] !== counts.stringBytes) throw new IndexFormatError('index string table is inconsistent');
  for (let c = 0; c < CHUNKS; c++) {
    if (v.postStart[c * (BUCKETS + 1) + BUCKETS] !== counts.unique) throw new IndexFormatError('index postings are inconsistent');
  }
  return new ListIndex(buffer, counts, v);
}

/** The bytes to store; `loadIndex(serializeIndex(i))` looks up exactly like `i`. */
export function serializeIndex(index: ListIndex): ArrayBuffer {
  return index.buffer;
}

// ───────────────────────────── lookup ─────────────────────────────

export interface EntryInfo {
  list: string;
  listName: string;
  entry: string;
  label: string;
  notes: string;
  source: string;
}

export interface ScoredEntry {
  /** Entry ordinal within this index. */
  ordinal: number;
  score: MatchScore;
}

export class ListIndex {
  private readonly decoder = new TextDecoder();
  /** Scratch for lookups (not serialized): per unique hash, the last query frame that counted it. */
  private counted?: Uint32Array;
  private stamp = 0;

  constructor(
    readonly buffer: ArrayBuffer,
    private readonly counts: Counts,
    private readonly v: Views,
  ) {}

  get stats() {
    const c = this.counts;
    return { lists: c.lists, entries: c.entries, uniqueHashes: c.unique, hashes: c.occurrences, sha256: c.sha, bytes: this.buffer.byteLength };
  }

  get entryCount(): number {
    return this.counts.entries;
  }

  /** Lists in this index, in build order. */
  lists(): { id: string; name: string }[] {
    const out = [];
    for (let l = 0; l < this.counts.lists; l++) {
      const k = this.counts.entries * STRINGS_PER_ENTRY + l * STRINGS_PER_LIST;
      out.push({ id: this.str(k), name: this.str(k + 1) });
    }
    return out;
  }

  entryInfo(ordinal: number): EntryInfo {
    const k = ordinal * STRINGS_PER_ENTRY;
    const l = this.counts.entries * STRINGS_PER_ENTRY + this.v.entryList[ordinal] * STRINGS_PER_LIST;
    return { list: this.str(l), listName: this.str(l + 1), entry: this.str(k), label: this.str(k + 1), notes: this.str(k + 2), source: this.str(k + 3) };
  }

  private str(k: number): string {
    return this.decoder.decode(this.v.strings.subarray(this.v.strOff[k], this.v.strOff[k + 1]));
  }

  /** Entry ordinals whose sha256 list contains this digest. */
  lookupSha256(sha256: string): number[] {
    const hex = sha256.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) return [];
    const q = hexToHash(hex);
    const { shaWords, shaEntry } = this.v;
    let lo = 0;
    let hi = this.counts.sha;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(shaWords, 8 * mid, q, 0) < 0) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.counts.sha && compareWords(shaWords, 8 * i, q, 0) === 0; i++) out.push(shaEntry[i]);
    return out;
  }

  /**
   * Scores of every entry that has at least one near frame pair with the query (the only
   * entries that can match), exactly as `matchFingerprints(query, entry)` would score them.
   */
  lookupScores(query: VideoFingerprint): ScoredEntry[] {
    const usable = usableIndices(query.frames);
    if (!usable.length || this.counts.entries === 0) return [];
    // Stamps only grow within a lookup (a few per query hash), so a reset between lookups suffices.
    if (this.stamp > 0xf000_0000) {
      this.stamp = 0;
      this.counted?.fill(0);
    }
    const standIns = queryStandIns(query, usable);
    const hits = new Map<number, { lastQueryFrame: number; hitFrames: number[]; targetFrames: Set<number> }>();
    const { occStart, occEntry, occFrame } = this.v;

    for (let k = 0; k < standIns.length; k++) {
      const frameStamp = this.nextStamp();
      for (const h of standIns[k]) {
        for (const u of this.near(h, frameStamp)) {
          for (let o = occStart[u]; o < occStart[u + 1]; o++) {
            const e = occEntry[o];
            let acc = hits.get(e);
            if (!acc) hits.set(e, (acc = { lastQueryFrame: -1, hitFrames: [], targetFrames: new Set() }));
            if (acc.lastQueryFrame !== k) {
              acc.lastQueryFrame = k;
              acc.hitFrames.push(k);
            }
            acc.targetFrames.add((occFrame[o] & ~ALTERNATE_FLAG) >>> 0);
          }
        }
      }
    }

    const out: ScoredEntry[] = [];
    const times = usable.map((i) => query.frames[i].t);
    const queryHit = new Uint8Array(usable.length);
    for (const [ordinal, acc] of hits) {
      queryHit.fill(0);
      for (const k of acc.hitFrames) queryHit[k] = 1;
      out.push({ ordinal, score: scoreFromFrameHits(times, queryHit, this.v.entryUsable[ordinal], acc.targetFrames.size) });
    }
    // Should a rule ever let an entry match with no near frames at all, only a full pass is exact.
    if (scoreFromHits(usable.length, 1, 0, 0).matched) {
      for (let e = 0; e < this.counts.entries; e++) {
        if (!hits.has(e)) out.push({ ordinal: e, score: scoreFromHits(usable.length, this.v.entryUsable[e], 0, 0) });
      }
    }
    return out.sort((a, b) => a.ordinal - b.ordinal);
  }

  /**
   * Unique hash ids within distanceMax of h not yet counted under `frameStamp` (so a target
   * hash near several stand-ins of one query frame is reported once per query frame).
   * Memory-bound: each candidate costs a random read of its 32 bytes, so the loop does
   * nothing else per candidate (no allocation, no second scratch array).
   */
  private near(h: Hash256, frameStamp: number): number[] {
    const U = this.counts.unique;
    const max = MATCH_RULE.distanceMax;
    const out: number[] = [];
    if (max < 0 || U === 0) return out;
    const counted = (this.counted ??= new Uint32Array(U));
    const { hashes, postStart, postIds } = this.v;
    const h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
    const verify = (u: number) => {
      const b = 8 * u;
      let d = popcount32((hashes[b] ^ h0) >>> 0) + popcount32((hashes[b + 1] ^ h1) >>> 0);
      d += popcount32((hashes[b + 2] ^ h2) >>> 0) + popcount32((hashes[b + 3] ^ h3) >>> 0);
      if (d > max) return;
      d += popcount32((hashes[b + 4] ^ h4) >>> 0) + popcount32((hashes[b + 5] ^ h5) >>> 0);
      d += popcount32((hashes[b + 6] ^ h6) >>> 0) + popcount32((hashes[b + 7] ^ h7) >>> 0);
      if (d > max || counted[u] === frameStamp) return; // `counted` read only for the few near ones
      counted[u] = frameStamp;
      out.push(u);
    };

    const masks = probeMasks(Math.floor(max / CHUNKS));
    const buckets = this.bucketScratch(masks.length);
    let candidates = 0;
    for (let c = 0, k = 0; c < CHUNKS; c++) {
      const v = chunkOf(h, 0, c);
      for (let m = 0; m < masks.length; m++, k++) {
        const at = c * (BUCKETS + 1) + (v ^ masks[m]);
        buckets[k] = at;
        candidates += postStart[at + 1] - postStart[at];
      }
    }
    // Crowded buckets (hostile or degenerate lists, or a radius covering whole chunks): a
    // straight scan is never worse.
    if (masks.length >= BUCKETS || candidates >= U) {
      for (let u = 0; u < U; u++) verify(u);
      return out;
    }
    for (let k = 0; k < CHUNKS * masks.length; k++) {
      const at = buckets[k];
      const ids = Math.floor(at / (BUCKETS + 1)) * U;
      for (let p = postStart[at], end = postStart[at + 1]; p < end; p++) verify(postIds[ids + p]);
    }
    return out;
  }

  private buckets?: Uint32Array;
  private bucketScratch(perChunk: number): Uint32Array {
    if (!this.buckets || this.buckets.length < CHUNKS * perChunk) this.buckets = new Uint32Array(CHUNKS * perChunk);
    return this.buckets;
  }

  private nextStamp(): number {
    return ++this.stamp;
  }

  /**
   * Matches for a video: exact SHA-256 hits first (they take precedence over a perceptual
   * match of the same entry), then entries passing MATCH_RULE, strongest first.
   */
  lookup(query?: VideoFingerprint, sha256?: string): ListMatch[] {
    const exact = new Set(sha256 ? this.lookupSha256(sha256) : []);
    const out: ListMatch[] = [...exact].sort((a, b) => a - b).map((e) => this.toMatch(e, 'exact'));
    if (query) {
      const scored = this.lookupScores(query).filter((s) => s.score.matched && !exact.has(s.ordinal));
      scored.sort((a, b) => b.score.queryPct - a.score.queryPct || b.score.targetPct - a.score.targetPct || a.ordinal - b.ordinal);
      for (const s of scored) out.push(this.toMatch(s.ordinal, 'perceptual', s.score));
    }
    return out;
  }

  private toMatch(ordinal: number, kind: ListMatch['kind'], score?: MatchScore): ListMatch {
    const info = this.entryInfo(ordinal);
    const m: ListMatch = { list: info.list, listName: info.listName, entry: info.entry, label: info.label, kind };
    if (info.notes) m.notes = info.notes;
    if (info.source) m.source = info.source;
    if (score) {
      m.queryPct = score.queryPct;
      m.targetPct = score.targetPct;
      if (score.segments) m.segments = score.segments;
    }
    return m;
  }
}

/** Hashes standing for each usable query frame: its pdq, then its alternates (as match.ts). */
function queryStandIns(fp: VideoFingerprint, usable: number[]): Hash256[][] {
  const byFrame = new Map<number, Hash256[]>();
  for (const i of usable) byFrame.set(i, [hexToHash(fp.frames[i].pdq)]);
  for (const alt of fp.alternates ?? []) byFrame.get(alt.of)?.push(hexToHash(alt.pdq));
  return usable.map((i) => byFrame.get(i)!);
}

const maskCache = new Map<number, Uint32Array>();

/** XOR masks of every 16-bit value within `radius` bits of 0 (radius 1: 0 and the 16 single bits). */
function probeMasks(radius: number): Uint32Array {
  const r = Math.min(radius, 16);
  let masks = maskCache.get(r);
  if (!masks) {
    const out: number[] = [];
    for (let v = 0; v < BUCKETS; v++) if (popcount32(v) <= r) out.push(v);
    masks = Uint32Array.from(out.sort((a, b) => popcount32(a) - popcount32(b) || a - b));
    maskCache.set(r, masks);
  }
  return masks;
}

/** Matches across several indexes (e.g. one per stored list), in the same order as `lookup`. */
export function lookupAll(indexes: readonly ListIndex[], query?: VideoFingerprint, sha256?: string): ListMatch[] {
  const all = indexes.flatMap((ix) => ix.lookup(query, sha256));
  const rank = (m: ListMatch) => (m.kind === 'exact' ? 0 : 1);
  // Stable sort keeps each index's own order among equals.
  return all.sort((a, b) => rank(a) - rank(b) || (b.queryPct ?? 0) - (a.queryPct ?? 0) || (b.targetPct ?? 0) - (a.targetPct ?? 0));
}
