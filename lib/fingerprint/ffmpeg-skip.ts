/**
 * Node only (reads files, feeds ffmpeg). The CLI's decoder leaves out what nothing needs, as the
 * browser pipeline does (skip-plan.ts): an H.264 picture no other picture refers to
 * (nal_ref_idc 0) is not decoded unless it is itself a frame to hash. ffmpeg cannot be told to
 * skip some such pictures and not others, so the pictures it is to decode are handed to it: the
 * MP4's sample table is read (`moov` only, lib/media/layout.ts), each sample's NAL headers are
 * looked at, and the kept samples go to ffmpeg's stdin as FLV (the NAL units as they are, with
 * their timestamps). ffmpeg then picks the frames to hash by timestamp, so a picture it failed to
 * output shows up as a frame too few, never as a frame hashed under the wrong number.
 *
 * On the fingerprint bench's 60 s clip this leaves 709 of 1,800 pictures undecoded (ffmpeg's own
 * `-skip_frame noref` decode of that clip: 2.7 s against 3.4 s, 3.6 against 5.1 CPU-s). The
 * hashes are the same (the plain-vPDQ unit
 * tests compare them with the reference's on every sample). Anything else (other codecs, fMP4,
 * an edit list of several pieces, every frame hashed, two frames at one millisecond, no picture
 * to leave out among the first few hundred): undefined, and ffmpeg reads the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { indexOfBytes } from '../media/bmff';
import { readLayout } from '../media/layout';
import type { ByteSource } from '../media/source';
import { indexMoov, samplesInside, type IndexedSample } from './partial';
import { chunkTimestamp, isNonReferencePicture, mustDecode, presentationIndex, skippableStream } from './skip-plan';

export interface FfmpegSkipPlan {
  /** vPDQ frame numbers of the frames ffmpeg will output, in output order. */
  frames: number[];
  /** ffmpeg filter graph (a select on timestamps in ms, FLV's time base) that outputs them. */
  filter: string;
  /**
   * Writes the FLV stream to ffmpeg's stdin and ends it; resolves with the number of pictures
   * left out. Stops quietly when ffmpeg closes its input (its exit status tells why).
   */
  feed(out: Writable, signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** The filter's select expression is a search tree: O(log n) tests a frame, even for hours of video. */
const LEAF = 4;
/** FLV's tag size field has 24 bits. */
const MAX_TAG_BYTES = (1 << 24) - 16;
/** Samples looked at for a picture to leave out before choosing to feed ffmpeg (a few GOPs). */
const PEEK_SAMPLES = 300;
/**
 * Longest sample table planned for: mp4box keeps about 1.1 KB a sample (18,000 samples, 10 min
 * at 30 fps: +20 MiB), so a table is bounded here, and longer videos (or a hostile `moov`
 * listing millions) go to ffmpeg, whose index is far smaller. 100,000 ≈ 55 min at 30 fps.
 */
const MAX_PLAN_SAMPLES = 100_000;

export async function planFfmpegSkips(path: string, step: number): Promise<FfmpegSkipPlan | undefined> {
  if (step <= 1) return undefined;
  const file = await FileSource.open(path);
  try {
    const plan = await plan_(file, step);
    if (!plan) await file.close();
    return plan;
  } catch {
    await file.close();
    return undefined; // not an MP4 we can read piecemeal: ffmpeg reads the file itself
  }
}

async function plan_(file: FileSource, step: number): Promise<FfmpegSkipPlan | undefined> {
  const layout = await readLayout(file);
  if (!layout.moov || layout.fragmented || declaredSamples(layout.moov) > MAX_PLAN_SAMPLES) return undefined;
  const { demuxed, samples } = indexMoov(layout.moov);
  // An edit list that splices several pieces: ffmpeg's frame numbering follows them all, ours
  // only the first (c2pa-rs's c.mov: 6 frames to hash, 1 in the first piece).
  if (demuxed.edits > 1) return undefined;
  const lengthSize = skippableStream({ codec: demuxed.track.codec, description: demuxed.description, step });
  if (!lengthSize || !demuxed.description) return undefined;
  if (!samplesInside(samples, file.size) || samples.some((s) => s.size >= MAX_TAG_BYTES)) return undefined;
  // Samples of a real file do not overlap: a table whose samples add up to more than the file
  // would have this read the same bytes over and over.
  if (samples.reduce((n, s) => n + s.size, 0) > file.size) return undefined;
  const indexOf = presentationIndex(samples.map(chunkTimestamp), demuxed.editStart, demuxed.editEnd);
  if (!indexOf) return undefined;
  const ms = (t: number, s: IndexedSample) => Math.round((t * 1000) / s.timescale);
  const seen = new Set<number>();
  for (const s of samples) {
    const pts = ms(s.cts, s);
    if (pts < 0 || seen.has(pts)) return undefined; // FLV's millisecond clock cannot tell these frames apart
    seen.add(pts);
  }
  const wanted = samples
    .map((s) => ({ n: indexOf.get(chunkTimestamp(s)), pts: ms(s.cts, s) }))
    .filter((w): w is { n: number; pts: number } => w.n !== undefined && w.n % step === 0)
    .sort((a, b) => a.pts - b.pts);
  if (!wanted.length) return undefined;
  const description = demuxed.description;
  const skippable = async (s: IndexedSample) => !mustDecode(s, indexOf.get(chunkTimestamp(s)), step) && isNonReferencePicture(await file.read(s.offset, s.offset + s.size), lengthSize);
  // A stream without B-frames usually has no picture to leave out: look at its first ones before
  // choosing this path, which would then only cost the detour.
  let found = false;
  for (const s of samples.slice(0, PEEK_SAMPLES)) if ((found = await skippable(s))) break;
  if (!found) return undefined;

  return {
    frames: wanted.map((w) => w.n),
    filter: `select='${selectExpression(wanted.map((w) => w.pts))}'`,
    close: () => file.close(),
    async feed(out, signal) {
      let closed = false;
      const onClose = () => (closed = true);
      out.on('error', onClose).on('close', onClose);
      const write = (chunk: Uint8Array) =>
        new Promise<void>((resolve) => {
          if (closed || out.write(chunk)) return resolve();
          const done = () => {
            out.off('drain', done).off('close', done);
            resolve();
          };
          out.on('drain', done).on('close', done);
        });
      let skipped = 0;
      try {
        await write(flvHeader());
        await write(flvVideoTag(0, 0, true, 0, description));
        for (const s of samples) {
          if (closed || signal?.aborted) break;
          if (await skippable(s)) {
            skipped++;
            continue;
          }
          const dts = ms(s.dts, s);
          await write(flvVideoTag(dts, ms(s.cts, s) - dts, s.is_sync, 1, await file.read(s.offset, s.offset + s.size)));
        }
      } finally {
        out.off('error', onClose).off('close', onClose);
        if (!closed) out.end();
      }
      return skipped;
    },
  };
}

/**
 * The largest sample count any `stsz`/`stz2` box of the movie declares, read before mp4box
 * builds its table. A byte pattern that only looks like such a box makes this larger, never
 * smaller, so the bound errs toward letting ffmpeg read the file.
 */
export function declaredSamples(moov: Uint8Array): number {
  let most = 0;
  for (const fourcc of ['stsz', 'stz2']) {
    const needle = new TextEncoder().encode(fourcc);
    for (let at = indexOfBytes(moov, needle); at >= 0; at = indexOfBytes(moov, needle, at + 4)) {
      if (at + 16 <= moov.length) most = Math.max(most, new DataView(moov.buffer, moov.byteOffset + at + 12, 4).getUint32(0));
    }
  }
  return most;
}

/** Whether pts is one of `sorted` (ascending), as an ffmpeg expression. */
export function selectExpression(sorted: readonly number[]): string {
  if (sorted.length <= LEAF) return sorted.map((v) => `eq(pts,${v})`).join('+');
  const mid = sorted.length >> 1;
  return `if(lt(pts,${sorted[mid]}),${selectExpression(sorted.slice(0, mid))},${selectExpression(sorted.slice(mid))})`;
}

function flvHeader(): Uint8Array {
  // "FLV", version 1, video only, header size 9, then PreviousTagSize0 = 0.
  return new Uint8Array([0x46, 0x4c, 0x56, 1, 1, 0, 0, 0, 9, 0, 0, 0, 0]);
}

/** An FLV video tag carrying AVC: a sequence header (the avcC record) or one access unit. */
export function flvVideoTag(dtsMs: number, ctsOffsetMs: number, key: boolean, packetType: 0 | 1, payload: Uint8Array): Uint8Array {
  const dataSize = 5 + payload.length;
  const tag = new Uint8Array(11 + dataSize + 4);
  const dv = new DataView(tag.buffer);
  dv.setUint32(0, dataSize); // overwritten by the tag type below: UI8 type + UI24 size
  tag[0] = 9;
  tag[4] = (dtsMs >>> 16) & 0xff;
  tag[5] = (dtsMs >>> 8) & 0xff;
  tag[6] = dtsMs & 0xff;
  tag[7] = (dtsMs >>> 24) & 0xff; // TimestampExtended
  // StreamID 0 (bytes 8-10)
  tag[11] = ((key ? 1 : 2) << 4) | 7; // frame type, codec 7 = AVC
  tag[12] = packetType;
  const cto = ctsOffsetMs & 0xffffff; // SI24
  tag[13] = cto >>> 16;
  tag[14] = (cto >>> 8) & 0xff;
  tag[15] = cto & 0xff;
  tag.set(payload, 16);
  dv.setUint32(11 + dataSize, 11 + dataSize); // PreviousTagSize
  return tag;
}

/** A local file as a ByteSource, read through a window so neighbouring samples cost one read. */
class FileSource implements ByteSource {
  readonly fetched = 0;
  private window = { start: 0, bytes: new Uint8Array(0) };
  private constructor(
    private fh: FileHandle,
    readonly size: number,
    readonly url: string,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const fh = await open(path, 'r');
    return new FileSource(fh, (await fh.stat()).size, path);
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.size);
    const w = this.window;
    if (start >= w.start && end <= w.start + w.bytes.length) return w.bytes.subarray(start - w.start, end - w.start);
    const length = Math.min(this.size - start, Math.max(end - start, 1 << 20));
    const bytes = new Uint8Array(length);
    const { bytesRead } = await this.fh.read(bytes, 0, length, start);
    this.window = { start, bytes: bytes.subarray(0, bytesRead) };
    return this.window.bytes.subarray(0, Math.min(bytesRead, end - start));
  }

  async readAll(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    for (let at = 0; at < this.size; at += 1 << 22) onChunk(await this.read(at, at + (1 << 22)));
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => {});
  }
}
