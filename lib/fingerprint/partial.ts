/**
 * A fingerprint from part of a file: the `moov` sample table says where every frame's bytes
 * are, so only the frames to be hashed are fetched (HTTP Range requests through a ByteSource),
 * never the whole video.
 *
 * The plan, within a byte budget:
 * - **prefix**: every frame from the start up to N seconds, decoded in order and hashed the
 *   vPDQ way (frame n when n % round(fps) = 0, at n / fps seconds) — the same frames a list built
 *   from the whole file has for those seconds, so a listed video matches from its first seconds;
 * - **keyframes**, when the budget buys under MIN_PREFIX_SECONDS of prefix (high bit rates):
 *   sync samples at least a second apart, each decoded alone and hashed at its own time.
 *
 * The plan is pure (planFrameReads); reading and decoding need WebCodecs (fingerprintFromMoov).
 */
import { createFile, MP4BoxBuffer, type ISOFile, type Movie, type Sample } from 'mp4box';
import type { ByteSource } from '../media/source';
import { decoderDescription, editWindow, fingerprintDemuxed, type BrowserFingerprintOptions, type BrowserFingerprintResult, type Demuxed } from './browser-frames';

/** Seconds of frames that are enough for a listed video to match (the matching rule needs ≥ 2 frames found and ≥ 50 %). */
export const MIN_PREFIX_SECONDS = 3;
/** Seconds of a prefix worth reading when the budget allows. */
export const MAX_PREFIX_SECONDS = 10;
/** Samples whose bytes are this close are read in one request (audio interleaved between them comes along). */
const COALESCE_GAP = 64 * 1024;

/** What the sample table says of one video sample. */
export interface IndexedSample {
  offset: number;
  size: number;
  /** Presentation and decode time, in `timescale` units. */
  cts: number;
  dts: number;
  duration: number;
  timescale: number;
  is_sync: boolean;
}

export interface FramePlan {
  mode: 'prefix' | 'keyframes';
  /** Indexes into the track's samples, in decode order. */
  samples: number[];
  /** Byte ranges [start, end) to fetch, ascending. */
  ranges: [number, number][];
  bytes: number;
  /** Seconds of video the hashed frames span (from the start). */
  seconds: number;
}

export interface PlanOptions {
  budgetBytes: number;
  maxSeconds?: number;
}

export function planFrameReads(samples: readonly IndexedSample[], o: PlanOptions): FramePlan | undefined {
  if (!samples.length) return undefined;
  const maxSeconds = o.maxSeconds ?? MAX_PREFIX_SECONDS;
  const sec = (s: IndexedSample) => s.cts / s.timescale;
  const firstSync = samples.findIndex((s) => s.is_sync);
  if (firstSync < 0) return undefined;

  // Prefix: decode order from the first keyframe while frames start before the limit.
  const prefix: number[] = [];
  let bytes = 0;
  let seconds = 0;
  for (let i = firstSync; i < samples.length; i++) {
    const s = samples[i];
    if (sec(s) >= maxSeconds) break;
    if (bytes + spanCost(samples, prefix, i) > o.budgetBytes) break;
    prefix.push(i);
    bytes = rangesOf(samples, prefix).reduce((n, [a, b]) => n + b - a, 0);
    seconds = Math.max(seconds, sec(s) + s.duration / s.timescale);
  }
  const coversEnd = prefix.length === samples.length - firstSync;
  if (seconds >= Math.min(MIN_PREFIX_SECONDS, totalSeconds(samples)) || coversEnd) {
    const ranges = rangesOf(samples, prefix);
    return { mode: 'prefix', samples: prefix, ranges, bytes: sum(ranges), seconds: Math.min(seconds, maxSeconds) };
  }

  // Keyframes one second apart or more, each on its own, as far as the budget reaches.
  const keys: number[] = [];
  let last = -Infinity;
  let kbytes = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (!s.is_sync || sec(s) - last < 1) continue;
    if (kbytes + s.size > o.budgetBytes) break;
    keys.push(i);
    kbytes += s.size;
    last = sec(s);
  }
  if (!keys.length) return undefined;
  const ranges = rangesOf(samples, keys);
  return { mode: 'keyframes', samples: keys, ranges, bytes: sum(ranges), seconds: last + 1 };
}

function totalSeconds(samples: readonly IndexedSample[]): number {
  return samples.reduce((n, s) => n + s.duration / s.timescale, 0);
}

/** Extra bytes adding sample i costs: its size plus any gap to the nearest planned sample (coalesced reads fetch the gap). */
function spanCost(samples: readonly IndexedSample[], planned: number[], i: number): number {
  const s = samples[i];
  if (!planned.length) return s.size;
  const prev = samples[planned[planned.length - 1]];
  const gap = s.offset - (prev.offset + prev.size);
  return s.size + (gap > 0 && gap <= COALESCE_GAP ? gap : 0);
}

export function rangesOf(samples: readonly IndexedSample[], picked: number[]): [number, number][] {
  const spans = picked.map((i) => [samples[i].offset, samples[i].offset + samples[i].size] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of spans) {
    const prev = out[out.length - 1];
    if (prev && a - prev[1] <= COALESCE_GAP) prev[1] = Math.max(prev[1], b);
    else out.push([a, b]);
  }
  return out;
}

function sum(ranges: [number, number][]): number {
  return ranges.reduce((n, [a, b]) => n + b - a, 0);
}

export interface MoovIndex {
  demuxed: Omit<Demuxed, 'samples'>;
  samples: (IndexedSample & Sample)[];
}

/** A minimal `ftyp` so mp4box accepts a lone `moov` (sample offsets in it are the file's own). */
const FTYP = new Uint8Array([0, 0, 0, 20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0, 0x69, 0x73, 0x6f, 0x6d]);

/** Whether every sample the table lists has bytes, all inside a file of `size` bytes. */
export function samplesInside(samples: readonly IndexedSample[], size: number): boolean {
  return samples.every((s) => s.size > 0 && s.offset + s.size <= size);
}

/** Parses a `moov` box into the first video track's sample table (no sample data). */
export function indexMoov(moov: Uint8Array): MoovIndex {
  const buf = new Uint8Array(FTYP.length + moov.length);
  buf.set(FTYP);
  buf.set(moov, FTYP.length);
  const file: ISOFile = createFile();
  let info: Movie | undefined;
  let error: string | undefined;
  file.onError = (module: string, message: string) => {
    error ??= `${module}: ${message}`;
  };
  file.onReady = (m: Movie) => {
    info = m;
  };
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(buf.buffer as ArrayBuffer, 0));
    file.flush();
  } catch (e) {
    throw new Error(`the sample table cannot be read: ${(e as Error).message}`);
  }
  if (!info) throw new Error(`the sample table cannot be read${error ? ` (${error})` : ''}`);
  const track = info.videoTracks[0];
  if (!track) throw new Error('no video track in this file');
  const trak = file.getTrackById(track.id);
  const samples = (trak.samples ?? []) as (IndexedSample & Sample)[];
  if (!samples.length) throw new Error('the video track has no samples in its sample table');
  const timescale = track.timescale;
  const totalTicks = samples.reduce((n, s) => n + s.duration, 0);
  const fps = totalTicks > 0 ? (samples.length * timescale) / totalTicks : NaN;
  if (!(fps > 0)) throw new Error('cannot tell the frame rate of this video');
  const { editStart, editEnd, edits } = editWindow(trak, timescale, info.timescale);
  return {
    demuxed: { track, description: decoderDescription(file, track.id), fps, duration: totalTicks / timescale, fragmented: info.isFragmented, editStart, editEnd, edits },
    samples,
  };
}

export interface PartialFingerprint extends BrowserFingerprintResult {
  plan: FramePlan;
}

/** Fetches the planned frames' bytes and hashes them. */
export async function fingerprintFromMoov(moov: Uint8Array, src: ByteSource, budgetBytes: number, options: BrowserFingerprintOptions = {}): Promise<PartialFingerprint> {
  const index = indexMoov(moov);
  const plan = planFrameReads(index.samples, { budgetBytes });
  if (!plan) throw new Error('no frame of this video fits the download budget');
  // One range after another: the page's own player shares the link.
  const chunks: { start: number; bytes: Uint8Array }[] = [];
  for (const [a, b] of plan.ranges) chunks.push({ start: a, bytes: await readChecked(src, a, b, options.signal) });
  const samples = plan.samples.map((i) => {
    const s = index.samples[i];
    const chunk = chunks.find((c) => s.offset >= c.start && s.offset + s.size <= c.start + c.bytes.length)!;
    return { ...s, data: chunk.bytes.subarray(s.offset - chunk.start, s.offset - chunk.start + s.size) } as Sample;
  });
  const fp = await fingerprintDemuxed({ ...index.demuxed, samples }, { ...options, presentationTimes: plan.mode === 'keyframes' });
  return { ...fp, plan };
}

async function readChecked(src: ByteSource, start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (signal?.aborted) throw new Error('fingerprinting was cancelled');
  return src.read(start, end);
}
