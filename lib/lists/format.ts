/**
 * The list file format: JSON Lines, one header line then one entry per line.
 *
 *   {"format":"provenance-lens-list","version":1,"name":"…","publisher":"…","sequence":7,
 *    "created":"2026-01-31T12:00:00.000Z","description"?:"…",
 *    "hashing":{"algorithm":"pdq","secondsPerHash":1,"qualityMin":50, …more primitive settings}}
 *   {"id":"clip-42","label":"Leaked clip 42","source":"https://…","notes":"…","added":"2026-01-30",
 *    "sha256":["<64 hex>",…],
 *    "vpdq":[["<64 hex pdq>",quality,seconds],…],
 *    "alternates"?:[[frameIndex,"<64 hex pdq>"],…],
 *    "meta"?:{"generator":"…","prompt":"…"}}
 *
 * - `sequence` is a non-negative integer that a publisher increases with every release; a
 *   subscriber refuses anything not newer than what it has (rollback protection).
 * - `vpdq` holds the video's frames as the reference vPDQ tool produces them (one per
 *   `secondsPerHash`), as [pdq hex, quality 0..100, seconds from the start].
 * - `alternates` are extra hashes that stand for vpdq[frameIndex] under edits the list
 *   builder anticipated (crops, border removal…); matching treats them as that frame
 *   (see THE MATCHING RELATION in lib/fingerprint/types.ts).
 * - `meta` is an optional string→string map for what the original said about itself
 *   (generator, prompt, date…) even after a platform stripped it.
 * - Hex is lowercase. Lines end with "\n" ("\r\n" is tolerated); the file ends with one "\n".
 *
 * The parser is strict (unknown fields, bad types, duplicate ids, unknown versions are
 * refused with the line number) and bounded: size, line length, entry and hash counts are
 * checked before the work they would cost. `serializeList` produces canonical bytes:
 * serializeList(parseList(serializeList(x))) === serializeList(x).
 */
import type { VideoFingerprint } from '../fingerprint/types';

export const LIST_FORMAT = 'provenance-lens-list';
export const LIST_VERSION = 1;

export interface HashingSettings {
  algorithm: 'pdq';
  /** Seconds between hashed frames (0: every frame, as the reference tool's `-r 0`). */
  secondsPerHash: number;
  /** Frames under this quality were hashed but do not take part in matching. */
  qualityMin: number;
  /** Further builder settings, informational (e.g. `alternates: "crop"`). */
  [setting: string]: string | number | boolean;
}

export interface ListHeader {
  format: typeof LIST_FORMAT;
  version: typeof LIST_VERSION;
  name: string;
  publisher: string;
  sequence: number;
  /** ISO 8601 date-time of this release. */
  created: string;
  description?: string;
  hashing: HashingSettings;
}

/** [pdq hex, quality, seconds] */
export type VpdqFrame = [string, number, number];
/** [index into vpdq, pdq hex] */
export type AlternateHash = [number, string];

export interface ListEntry {
  id: string;
  label: string;
  source: string;
  notes: string;
  /** ISO 8601 date or date-time. */
  added: string;
  sha256: string[];
  vpdq: VpdqFrame[];
  alternates?: AlternateHash[];
  meta?: Record<string, string>;
}

export interface HashList {
  header: ListHeader;
  entries: ListEntry[];
}

export interface ListLimits {
  /** Whole file, in bytes (UTF-16 code units when given a string). */
  maxBytes: number;
  maxLineChars: number;
  maxEntries: number;
  /** vpdq frames of one entry. */
  maxFramesPerEntry: number;
  /** All pdq hashes of the list (frames + alternates): bounds index memory. */
  maxHashesTotal: number;
}

export const DEFAULT_LIST_LIMITS: Readonly<ListLimits> = Object.freeze({
  maxBytes: 256 * 1024 * 1024,
  maxLineChars: 16 * 1024 * 1024,
  maxEntries: 1_000_000,
  maxFramesPerEntry: 200_000,
  maxHashesTotal: 4_000_000,
});

/** Text field caps (characters). */
const MAX_ID = 256;
const MAX_NAME = 256;
const MAX_LABEL = 1024;
const MAX_SOURCE = 4096;
const MAX_NOTES = 16_384;
const MAX_DATE = 64;
const MAX_META_KEYS = 32;
const MAX_META_VALUE = 4096;
const MAX_HASHING_KEYS = 32;

export class ListFormatError extends Error {
  override name = 'ListFormatError';
  constructor(
    message: string,
    /** 1-based line number, when the problem is on a line. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** 64 lowercase hex characters: a SHA-256 digest or a PDQ hash as stored in lists. */
export function isHex64(s: unknown): s is string {
  return typeof s === 'string' && HEX64.test(s);
}

// ───────────────────────────── parsing ─────────────────────────────

/** Parse and validate a whole list file. Throws ListFormatError. */
export function parseList(input: string | Uint8Array, limits: Partial<ListLimits> = {}): HashList {
  const lim = { ...DEFAULT_LIST_LIMITS, ...limits };
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > lim.maxBytes) throw new ListFormatError(`list is ${size} bytes, over the ${lim.maxBytes}-byte limit`);
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (text.length === 0) throw new ListFormatError('list is empty');

  let header: ListHeader | undefined;
  const entries: ListEntry[] = [];
  const ids = new Set<string>();
  let hashes = 0;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    const last = end < 0;
    if (last) end = text.length;
    if (end - pos > lim.maxLineChars) throw new ListFormatError(`line is longer than ${lim.maxLineChars} characters`, lineNo);
    let line = text.slice(pos, end);
    pos = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.length === 0) throw new ListFormatError('empty line (only the final newline may end the file)', lineNo);
    const value = parseJsonLine(line, lineNo);
    if (!header) {
      header = checkHeader(value, lineNo);
      continue;
    }
    if (entries.length >= lim.maxEntries) throw new ListFormatError(`more than ${lim.maxEntries} entries`, lineNo);
    const entry = checkEntry(value, lineNo, lim);
    if (ids.has(entry.id)) throw new ListFormatError(`duplicate entry id "${entry.id}"`, lineNo);
    ids.add(entry.id);
    hashes += entry.vpdq.length + (entry.alternates?.length ?? 0);
    if (hashes > lim.maxHashesTotal) throw new ListFormatError(`more than ${lim.maxHashesTotal} perceptual hashes in the list`, lineNo);
    entries.push(entry);
  }
  if (!header) throw new ListFormatError('list has no header line');
  return { header, entries };
}

/** Parse only the first line (cheap peek at name/sequence before committing to the whole file). */
export function parseListHeader(input: string | Uint8Array): ListHeader {
  const text = typeof input === 'string' ? input : decodeUtf8(input.subarray(0, 64 * 1024));
  const nl = text.indexOf('\n');
  if (nl < 0 && text.length >= 64 * 1024) throw new ListFormatError('header line is longer than 64 KiB', 1);
  let line = nl < 0 ? text : text.slice(0, nl);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  return checkHeader(parseJsonLine(line, 1), 1);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ListFormatError('list is not valid UTF-8');
  }
}

function parseJsonLine(line: string, lineNo: number): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new ListFormatError(`not valid JSON (${(err as Error).message})`, lineNo);
  }
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Obj, allowed: readonly string[], what: string, lineNo: number): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ListFormatError(`${what}: unknown field "${k.slice(0, 64)}"`, lineNo);
  }
}

function str(o: Obj, key: string, max: number, what: string, lineNo: number, opts: { nonEmpty?: boolean; optional?: boolean } = {}): string | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') throw new ListFormatError(`${what}: "${key}" must be a string`, lineNo);
  if (opts.nonEmpty && v.length === 0) throw new ListFormatError(`${what}: "${key}" must not be empty`, lineNo);
  if (v.length > max) throw new ListFormatError(`${what}: "${key}" is longer than ${max} characters`, lineNo);
  return v;
}

function date(o: Obj, key: string, what: string, lineNo: number): string {
  const v = str(o, key, MAX_DATE, what, lineNo, { nonEmpty: true })!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new ListFormatError(`${what}: "${key}" must be an ISO 8601 date, got "${v}"`, lineNo);
  }
  return v;
}

const HEADER_KEYS = ['format', 'version', 'name', 'publisher', 'sequence', 'created', 'description', 'hashing'] as const;
const HASHING_REQUIRED = ['algorithm', 'secondsPerHash', 'qualityMin'];

function checkHeader(v: unknown, lineNo: number): ListHeader {
  const what = 'header';
  if (!isObject(v)) throw new ListFormatError('the first line must be the list header object', lineNo);
  if (v.format !== LIST_FORMAT) throw new ListFormatError(`not a Provenance Lens list (format is ${JSON.stringify(v.format)?.slice(0, 64)}, expected "${LIST_FORMAT}")`, lineNo);
  if (v.version !== LIST_VERSION) {
    throw new ListFormatError(`unsupported list version ${JSON.stringify(v.version)?.slice(0, 32)} (this app reads version ${LIST_VERSION}; update the app)`, lineNo);
  }
  onlyKeys(v, HEADER_KEYS, what, lineNo);
  const name = str(v, 'name', MAX_NAME, what, lineNo, { nonEmpty: true })!;
  const publisher = str(v, 'publisher', MAX_NAME, what, lineNo)!;
  const sequence = v.sequence;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
    throw new ListFormatError(`${what}: "sequence" must be a non-negative integer`, lineNo);
  }
  const created = date(v, 'created', what, lineNo);
  const description = str(v, 'description', MAX_NOTES, what, lineNo, { optional: true });
  const hashing = checkHashing(v.hashing, lineNo);
  const header: ListHeader = { format: LIST_FORMAT, version: LIST_VERSION, name, publisher, sequence, created, hashing };
  if (description !== undefined) header.description = description;
  return header;
}

function checkHashing(v: unknown, lineNo: number): HashingSettings {
  const what = 'header.hashing';
  if (!isObject(v)) throw new ListFormatError(`${what} must be an object`, lineNo);
  if (v.algorithm !== 'pdq') throw new ListFormatError(`${what}: unsupported algorithm ${JSON.stringify(v.algorithm)?.slice(0, 32)} (only "pdq")`, lineNo);
  const sph = v.secondsPerHash;
  if (typeof sph !== 'number' || !Number.isFinite(sph) || sph < 0 || sph > 3600) {
    throw new ListFormatError(`${what}: "secondsPerHash" must be a number of seconds (0..3600)`, lineNo);
  }
  const qm = v.qualityMin;
  if (typeof qm !== 'number' || !Number.isInteger(qm) || qm < 0 || qm > 100) {
    throw new ListFormatError(`${what}: "qualityMin" must be an integer 0..100`, lineNo);
  }
  const keys = Object.keys(v);
  if (keys.length > MAX_HASHING_KEYS) throw new ListFormatError(`${what}: more than ${MAX_HASHING_KEYS} settings`, lineNo);
  const out: HashingSettings = { algorithm: 'pdq', secondsPerHash: sph, qualityMin: qm };
  for (const k of keys) {
    if (HASHING_REQUIRED.includes(k)) continue;
    const x = v[k];
    const ok = typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && x.length <= MAX_META_VALUE);
    if (!ok || k.length > 64) throw new ListFormatError(`${what}: setting "${k.slice(0, 64)}" must be a short string, a number or a boolean`, lineNo);
    out[k] = x as string | number | boolean;
  }
  return out;
}

const ENTRY_KEYS = ['id', 'label', 'source', 'notes', 'added', 'sha256', 'vpdq', 'alternates', 'meta'] as const;

function checkEntry(v: unknown, lineNo: number, lim: ListLimits): ListEntry {
  if (!isObject(v)) throw new ListFormatError('an entry must be a JSON object', lineNo);
  const id = str(v, 'id', MAX_ID, 'entry', lineNo, { nonEmpty: true })!;
  if (CONTROL.test(id)) throw new ListFormatError('entry: "id" must not contain control characters', lineNo);
  const what = `entry "${id.slice(0, 64)}"`;
  onlyKeys(v, ENTRY_KEYS, what, lineNo);
  const label = str(v, 'label', MAX_LABEL, what, lineNo, { nonEmpty: true })!;
  const source = str(v, 'source', MAX_SOURCE, what, lineNo)!;
  const notes = str(v, 'notes', MAX_NOTES, what, lineNo)!;
  const added = date(v, 'added', what, lineNo);

  if (!Array.isArray(v.sha256)) throw new ListFormatError(`${what}: "sha256" must be an array of hex digests`, lineNo);
  const shas = new Set<string>();
  v.sha256.forEach((s, i) => {
    if (!isHex64(s)) throw new ListFormatError(`${what}: sha256[${i}] is not 64 lowercase hex characters`, lineNo);
    if (shas.has(s)) throw new ListFormatError(`${what}: sha256[${i}] is listed twice`, lineNo);
    shas.add(s);
  });

  if (!Array.isArray(v.vpdq)) throw new ListFormatError(`${what}: "vpdq" must be an array of [hex, quality, seconds]`, lineNo);
  if (v.vpdq.length > lim.maxFramesPerEntry) throw new ListFormatError(`${what}: more than ${lim.maxFramesPerEntry} vpdq frames`, lineNo);
  const vpdq = v.vpdq.map((f, i): VpdqFrame => {
    if (!Array.isArray(f) || f.length !== 3) throw new ListFormatError(`${what}: vpdq[${i}] must be [hex, quality, seconds]`, lineNo);
    const [hex, quality, seconds] = f;
    if (!isHex64(hex)) throw new ListFormatError(`${what}: vpdq[${i}][0] is not a 64-character lowercase hex PDQ hash`, lineNo);
    if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 0 || quality > 100) {
      throw new ListFormatError(`${what}: vpdq[${i}][1] (quality) must be an integer 0..100`, lineNo);
    }
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new ListFormatError(`${what}: vpdq[${i}][2] (seconds) must be a non-negative number`, lineNo);
    }
    return [hex, quality, seconds];
  });
  if (!vpdq.length && !shas.size) throw new ListFormatError(`${what}: has neither sha256 nor vpdq hashes, so nothing could match it`, lineNo);

  const entry: ListEntry = { id, label, source, notes, added, sha256: [...shas], vpdq };

  if (v.alternates !== undefined) {
    if (!Array.isArray(v.alternates)) throw new ListFormatError(`${what}: "alternates" must be an array of [frameIndex, hex]`, lineNo);
    entry.alternates = v.alternates.map((a, i): AlternateHash => {
      if (!Array.isArray(a) || a.length !== 2) throw new ListFormatError(`${what}: alternates[${i}] must be [frameIndex, hex]`, lineNo);
      const [of, hex] = a;
      if (typeof of !== 'number' || !Number.isInteger(of) || of < 0 || of >= vpdq.length) {
        throw new ListFormatError(`${what}: alternates[${i}][0] must be the index of one of the ${vpdq.length} vpdq frames`, lineNo);
      }
      if (!isHex64(hex)) throw new ListFormatError(`${what}: alternates[${i}][1] is not a 64-character lowercase hex PDQ hash`, lineNo);
      return [of, hex];
    });
  }

  if (v.meta !== undefined) {
    if (!isObject(v.meta)) throw new ListFormatError(`${what}: "meta" must be an object of strings`, lineNo);
    const keys = Object.keys(v.meta);
    if (keys.length > MAX_META_KEYS) throw new ListFormatError(`${what}: "meta" has more than ${MAX_META_KEYS} fields`, lineNo);
    const meta: Record<string, string> = {};
    for (const k of keys) {
      const x = v.meta[k];
      if (k.length > 64 || typeof x !== 'string' || x.length > MAX_META_VALUE) {
        throw new ListFormatError(`${what}: meta "${k.slice(0, 64)}" must be a string of at most ${MAX_META_VALUE} characters`, lineNo);
      }
      meta[k] = x;
    }
    entry.meta = meta;
  }
  return entry;
}

// ───────────────────────────── serializing ─────────────────────────────

/** Canonical text: fixed key order, empty optional fields omitted, "\n" after every line. */
export function serializeList(list: HashList): string {
  const parts = [serializeHeader(list.header)];
  for (const e of list.entries) parts.push(serializeEntry(e));
  return parts.join('\n') + '\n';
}

export function serializeListBytes(list: HashList): Uint8Array {
  return new TextEncoder().encode(serializeList(list));
}

export function serializeHeader(h: ListHeader): string {
  const { algorithm, secondsPerHash, qualityMin, ...extra } = h.hashing;
  const hashing: Record<string, unknown> = { algorithm, secondsPerHash, qualityMin };
  for (const k of Object.keys(extra).sort()) hashing[k] = extra[k];
  const out: Record<string, unknown> = {
    format: LIST_FORMAT,
    version: LIST_VERSION,
    name: h.name,
    publisher: h.publisher,
    sequence: h.sequence,
    created: h.created,
  };
  if (h.description !== undefined) out.description = h.description;
  out.hashing = hashing;
  return JSON.stringify(out);
}

export function serializeEntry(e: ListEntry): string {
  const out: Record<string, unknown> = {
    id: e.id,
    label: e.label,
    source: e.source,
    notes: e.notes,
    added: e.added,
    sha256: e.sha256,
    vpdq: e.vpdq.map(([hex, q, s]) => [hex, q, s]),
  };
  if (e.alternates?.length) out.alternates = e.alternates.map(([i, hex]) => [i, hex]);
  if (e.meta && Object.keys(e.meta).length) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(e.meta).sort()) meta[k] = e.meta[k];
    out.meta = meta;
  }
  return JSON.stringify(out);
}

// ───────────────────────────── helpers ─────────────────────────────

/** The entry as a fingerprint, for the matcher. */
export function entryFingerprint(e: ListEntry): VideoFingerprint {
  return {
    frames: e.vpdq.map(([pdq, quality, t]) => ({ t, pdq, quality })),
    alternates: (e.alternates ?? []).map(([of, pdq]) => ({ of, pdq })),
  };
}

/** Entry content fields from a fingerprint (what `list build` and imports produce). */
export function fingerprintToEntryHashes(fp: VideoFingerprint): Pick<ListEntry, 'vpdq' | 'alternates'> {
  const vpdq: VpdqFrame[] = fp.frames.map((f) => [f.pdq.toLowerCase(), Math.round(f.quality), round3(f.t)]);
  const alternates: AlternateHash[] = (fp.alternates ?? []).map((a) => [a.of, a.pdq.toLowerCase()]);
  return alternates.length ? { vpdq, alternates } : { vpdq };
}

/** Timestamps are kept to the millisecond, as the reference tool prints them. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function defaultHashing(extra: Record<string, string | number | boolean> = {}): HashingSettings {
  return { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 50, ...extra };
}

export function newHeader(h: { name: string; publisher?: string; sequence?: number; created?: string; description?: string; hashing?: HashingSettings }): ListHeader {
  const header: ListHeader = {
    format: LIST_FORMAT,
    version: LIST_VERSION,
    name: h.name,
    publisher: h.publisher ?? '',
    sequence: h.sequence ?? 1,
    created: h.created ?? new Date().toISOString(),
    hashing: h.hashing ?? defaultHashing(),
  };
  if (h.description !== undefined) header.description = h.description;
  return header;
}

/** Counts for status displays. */
export function listStats(list: HashList): { entries: number; frames: number; alternates: number; sha256: number } {
  let frames = 0;
  let alternates = 0;
  let sha256 = 0;
  for (const e of list.entries) {
    frames += e.vpdq.length;
    alternates += e.alternates?.length ?? 0;
    sha256 += e.sha256.length;
  }
  return { entries: list.entries.length, frames, alternates, sha256 };
}
