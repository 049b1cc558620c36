/**
 * Video fingerprint in the browser (Web Worker, offscreen document, extension page): demux MP4 /
 * MOV / fragmented MP4 with mp4box, decode with WebCodecs' VideoDecoder, hash the sampled frames.
 * Produces the same VideoFingerprint as the ffmpeg pipeline (lib/fingerprint/ffmpeg.ts):
 *
 * - frames are counted in decoder output (presentation) order, frame n hashed when
 *   n % frameStep(fps) === 0, with fps = samples / stts duration (ffmpeg's avg_frame_rate);
 * - the visible rectangle at its native size (no scaling, no rotation), as vPDQ;
 * - YUV → RGB with the BT.601 limited-range matrix that ffmpeg's swscale uses for untagged
 *   H.264, done here on the raw planes (`copyTo` without conversion, nearest chroma like the
 *   swscale fast path, same fixed-point arithmetic), so the hashes equal ffmpeg's;
 *   H.264 decoding itself is bit-exact across conformant decoders.
 *
 * Only WebCodecs globals are used, and only when called (guarded), so the module can be
 * imported anywhere. Frames that are not in a planar YUV layout (e.g. GPU-backed) are read back
 * through an OffscreenCanvas instead.
 */
import { createFile, DataStream, MP4BoxBuffer, type ISOFile, type Movie, type Sample, type Track } from 'mp4box';
import type { FrameHash, VideoFingerprint } from './types';
import { FrameReader } from './frame-pixels';
import { DEFAULT_SECONDS_PER_HASH, frameStep, frameTimestamp } from './vpdq';
import { listSampling, VideoFingerprintBuilder, robustOptions, type InsetBuffers, type RobustOptions } from './robust';
import { chunkTimestamp, planSkips } from './skip-plan';
import { topLevelBoxes, type Box } from '../media/bmff';
// partial.ts builds on this module too; only functions cross over, so the cycle is harmless.
import { indexMoov, samplesInside, type MoovIndex } from './partial';

export interface BrowserFingerprintOptions extends RobustOptions {
  /** Seconds between hashed frames (default 1; 0 = every frame). */
  secondsPerHash?: number;
  /** Fingerprint of a LISTED video: crop alternates instead of the mirror (see robust.ts). */
  forList?: boolean;
  /** Hash every frame, keep the distinct ones (default: for a listed video; see robust.ts listSampling). */
  distinctFrames?: boolean;
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called after each hashed frame (progress UI). */
  onFrame?: (frame: number, total: number) => void;
  /** Called with each frame hash as soon as it is settled, before its alternates are made and the rest decoded (the first one confirms a picture early). */
  onHash?: (hash: FrameHash) => void;
  /**
   * Hash every decoded frame at its own presentation time (keyframes fetched one by one, see
   * partial.ts) instead of every n-th frame at vPDQ's frame-number time.
   */
  presentationTimes?: boolean;
}

export interface BrowserVideoInfo {
  codec: string;
  width: number;
  height: number;
  fps: number;
  /** Seconds. */
  duration: number;
  fragmented: boolean;
  /** Frames decoded (after edit lists; skipped ones not counted). */
  decodedFrames: number;
  /** Pictures no other picture needed, left undecoded (skip-plan.ts). */
  skippedFrames: number;
  /** How sampled frames were read: raw YUV planes, or a canvas read-back. */
  readback: 'yuv' | 'canvas';
}

export interface BrowserFingerprintResult extends VideoFingerprint {
  info: BrowserVideoInfo;
}

/** Whether this browser can decode the codec with WebCodecs (false when WebCodecs is absent). */
export async function canDecode(codec: string, width = 1280, height = 720): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined') return false;
  try {
    return (await VideoDecoder.isConfigSupported({ codec, codedWidth: width, codedHeight: height })).supported === true;
  } catch {
    return false;
  }
}

/** Fingerprint video bytes (MP4, MOV, fragmented MP4: init segment followed by its fragments). */
export async function fingerprintVideoBytes(bytes: Uint8Array, options: BrowserFingerprintOptions = {}): Promise<BrowserFingerprintResult> {
  if (typeof VideoDecoder === 'undefined' || typeof EncodedVideoChunk === 'undefined') {
    throw new Error('WebCodecs (VideoDecoder) is not available here: needs a secure context in Chrome 94+, Firefox 130+ or Safari 16.4+');
  }
  if (!bytes.length) throw new Error('no bytes to fingerprint');
  return fingerprintDemuxed(demux(bytes), options);
}

/**
 * The frame-sized buffers one decode uses (pixels and inset edge counts: about 9 MB for 720p).
 * A worker checking one video after another hands them on: left to the collector, a page of
 * 100 videos piled up to 56 MB of dead buffers in the worker between collections.
 */
interface Scratch {
  reader: FrameReader;
  insets: InsetBuffers;
}
let spare: Scratch | undefined;

function takeScratch(): Scratch {
  const s = spare ?? { reader: new FrameReader(), insets: {} };
  spare = undefined; // a decode running alongside gets its own
  Object.assign(s.reader, { width: 0, height: 0, usedCanvas: false });
  return s;
}

/** Decodes and hashes already demuxed samples (a whole file's, or the part of one that was fetched). */
export async function fingerprintDemuxed(demuxed: Demuxed, options: BrowserFingerprintOptions = {}): Promise<BrowserFingerprintResult> {
  if (typeof VideoDecoder === 'undefined' || typeof EncodedVideoChunk === 'undefined') {
    throw new Error('WebCodecs (VideoDecoder) is not available here: needs a secure context in Chrome 94+, Firefox 130+ or Safari 16.4+');
  }
  const { track, samples, description, editStart, editEnd } = demuxed;
  const config: VideoDecoderConfig = {
    codec: track.codec,
    codedWidth: track.video?.width ?? track.track_width,
    codedHeight: track.video?.height ?? track.track_height,
    ...(description ? { description } : {}),
    hardwareAcceleration: 'no-preference',
  };
  const support = await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
  if (!support.supported) throw new Error(`this browser cannot decode ${track.codec} video with WebCodecs`);

  const fps = demuxed.fps;
  const sampling = listSampling(options, fps);
  const step = options.presentationTimes ? 1 : frameStep(fps, sampling.secondsPerHash ?? DEFAULT_SECONDS_PER_HASH);
  const scratch = takeScratch();
  const { reader } = scratch;
  const builder = new VideoFingerprintBuilder({ ...robustOptions(options), distinctBits: sampling.distinctBits, insetBuffers: scratch.insets });
  const expected = Math.ceil(samples.length / step);
  // Pictures no other picture needs are not decoded unless they are hashed (skip-plan.ts); frame
  // numbers then come from the timestamps, as if every frame had been decoded.
  const plan = options.presentationTimes ? undefined : planSkips(samples, { codec: track.codec, description, step, editStart, editEnd });
  let outputIndex = 0;
  let failure: Error | undefined;
  const fail = (e: unknown) => {
    failure ??= e instanceof Error ? e : new Error(String(e));
  };
  // Sampled frames are read back one after another (copyTo is async); the others are closed
  // at once so the decoder's frame pool never runs dry.
  let pending: Promise<void> = Promise.resolve();

  const decoder = new VideoDecoder({
    output: (frame) => {
      const ts = frame.timestamp; // µs, presentation time (cts)
      const inEdit = ts >= editStart && (editEnd === undefined || ts < editEnd);
      const planned = plan?.indexOf.get(ts);
      if (!inEdit || failure || (plan && planned === undefined)) {
        frame.close();
        return;
      }
      const n = planned ?? outputIndex;
      outputIndex++;
      if (n % step !== 0) {
        frame.close();
        return;
      }
      pending = pending
        .then(async () => {
          if (failure) return;
          const { data, width, height } = await reader.read(frame);
          const t = options.presentationTimes ? Math.round((ts - Math.max(0, editStart)) / 1000) / 1000 : frameTimestamp(n, fps);
          // Each frame's hash is heard as soon as it is settled, before its alternates are made.
          const onHash = options.onHash;
          builder.add(options.presentationTimes ? Math.round(t * fps) : n, t, data, width, height, 4, options.presentationTimes || sampling.keep(n), onHash && ((pdq, quality) => onHash({ t, pdq, quality, frame: n })));
          options.onFrame?.(n, expected);
        })
        .catch(fail)
        .finally(() => frame.close());
    },
    error: (e) => fail(new Error(`video decoding failed: ${e.message}`)),
  });

  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  try {
    decoder.configure(config);
    for (let i = 0; i < samples.length; i++) {
      if (failure) break;
      if (options.signal?.aborted) throw new Error('fingerprinting was cancelled');
      if (Date.now() > deadline) throw new Error(`fingerprinting took longer than ${Math.round(timeoutMs / 1000)} s; stopped`);
      const s = samples[i];
      if (plan?.skip[i]) {
        s.data = undefined;
        continue;
      }
      decoder.decode(
        new EncodedVideoChunk({
          type: s.is_sync ? 'key' : 'delta',
          timestamp: chunkTimestamp(s),
          duration: Math.round((s.duration * 1e6) / s.timescale),
          data: s.data!,
        }),
      );
      s.data = undefined; // the chunk holds its own copy: let the demuxer's copy go
      // Keep a bounded queue: decoded frames are closed as they come, so memory stays flat.
      if (decoder.decodeQueueSize > 16) await drained(decoder, 4);
    }
    if (!failure) await withDeadline(decoder.flush(), deadline, timeoutMs);
    await withDeadline(pending, deadline, timeoutMs);
  } finally {
    if (decoder.state !== 'closed') decoder.close();
    // Up to 1080p: a 4K video's buffers (about 60 MB) are not worth keeping for the next check.
    void pending.finally(() => reader.width * reader.height <= 1920 * 1080 && (spare = scratch));
  }
  if (failure) throw failure;
  if (outputIndex === 0) throw new Error('no video frames could be decoded');
  const fp = builder.finish();
  return {
    ...fp,
    info: {
      codec: track.codec,
      width: reader.width,
      height: reader.height,
      fps,
      duration: demuxed.duration,
      fragmented: demuxed.fragmented,
      decodedFrames: outputIndex,
      skippedFrames: plan?.skipped ?? 0,
      readback: reader.usedCanvas ? 'canvas' : 'yuv',
    },
  };
}

export interface Demuxed {
  track: Track;
  samples: Sample[];
  description?: Uint8Array;
  fps: number;
  duration: number;
  fragmented: boolean;
  /** Presentation window of the first edit, in µs of media time (frames outside are dropped, as ffmpeg does). */
  editStart: number;
  editEnd?: number;
  /** Edits that show media (an edit list may splice several; only the first one's window is followed). */
  edits: number;
}

/**
 * The first video track's samples, in decode order. A plain MP4/MOV in memory is read through
 * its sample table alone, each sample a view of `bytes`: in Node, 60 s of 720p took 5 ms instead
 * of mp4box's 120 ms, and no copy of the samples is made (mp4box's grew the array buffers by
 * 13–36 MiB). Anything else is parsed whole by mp4box.
 */
export function demux(bytes: Uint8Array): Demuxed {
  return demuxByIndex(bytes) ?? demuxWhole(bytes);
}

function demuxByIndex(bytes: Uint8Array): Demuxed | undefined {
  let moov: Box | undefined;
  try {
    const top = topLevelBoxes(bytes);
    if (top.some((b) => b.type === 'moof')) return undefined;
    moov = top.find((b) => b.type === 'moov');
  } catch {
    return undefined; // let mp4box say what is wrong
  }
  if (!moov) return undefined;
  let index: MoovIndex;
  try {
    index = indexMoov(bytes.subarray(moov.start, moov.start + moov.size));
  } catch {
    return undefined;
  }
  const { demuxed, samples } = index;
  if (demuxed.fragmented || !samplesInside(samples, bytes.length)) return undefined;
  for (const s of samples) s.data = bytes.subarray(s.offset, s.offset + s.size) as Uint8Array<ArrayBuffer>;
  return { ...demuxed, samples };
}

/** Parse the whole file with mp4box and collect the first video track's samples, in decode order. */
function demuxWhole(bytes: Uint8Array): Demuxed {
  const file: ISOFile = createFile();
  let info: Movie | undefined;
  let error: string | undefined;
  const samples: Sample[] = [];
  file.onError = (module: string, message: string) => {
    error ??= `${module}: ${message}`;
  };
  file.onReady = (movie: Movie) => {
    info = movie;
    const v = movie.videoTracks[0];
    if (v) {
      file.setExtractionOptions(v.id, null, { nbSamples: 1000 });
      file.start();
    }
  };
  file.onSamples = (_id: number, _user: unknown, batch: Sample[]) => {
    for (const s of batch) samples.push(s);
  };
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(buffer as ArrayBuffer, 0));
    file.flush();
  } catch (e) {
    throw new Error(`not a readable MP4/MOV file: ${(e as Error).message}`);
  }
  if (!info) throw new Error(`not a readable MP4/MOV file${error ? ` (${error})` : ''}`);
  const track = info.videoTracks[0];
  if (!track) throw new Error('no video track in this file');
  if (!samples.length) throw new Error('the video track has no samples');

  const trak = file.getTrackById(track.id);
  const timescale = track.timescale;
  const totalTicks = samples.reduce((sum, s) => sum + s.duration, 0);
  // ffmpeg's avg_frame_rate for MP4: sample count over the summed sample durations.
  const fps = totalTicks > 0 ? (samples.length * timescale) / totalTicks : track.nb_samples && track.samples_duration ? (track.nb_samples * timescale) / track.samples_duration : NaN;
  if (!(fps > 0)) throw new Error('cannot tell the frame rate of this video');

  const { editStart, editEnd, edits } = editWindow(trak, timescale, info.timescale);
  return {
    track,
    samples,
    description: decoderDescription(file, track.id),
    fps,
    duration: totalTicks / timescale,
    fragmented: info.isFragmented,
    editStart,
    editEnd,
    edits,
  };
}

/** The presentation window of a track's first edit, in µs of media time (frames outside are dropped, as ffmpeg does). */
export function editWindow(trak: ReturnType<ISOFile['getTrackById']>, timescale: number, movieTimescale: number): { editStart: number; editEnd?: number; edits: number } {
  const shown = trak.edts?.elst?.entries?.filter((e) => e.media_time >= 0) ?? [];
  const edit = shown[0];
  if (!edit) return { editStart: 0, edits: 0 };
  const editStart = Math.round((edit.media_time * 1e6) / timescale) - 1; // tolerate µs rounding
  if (!(edit.segment_duration > 0 && movieTimescale > 0)) return { editStart, edits: shown.length };
  return { editStart, editEnd: Math.round((edit.media_time * 1e6) / timescale + (edit.segment_duration * 1e6) / movieTimescale) - 1, edits: shown.length };
}

/** The codec configuration record (avcC/hvcC/vpcC/av1C body) WebCodecs wants as `description`. */
export function decoderDescription(file: ISOFile, trackId: number): Uint8Array | undefined {
  const trak = file.getTrackById(trackId);
  for (const entry of trak.mdia.minf.stbl.stsd.entries as unknown as Record<string, { write(s: DataStream): void } | undefined>[]) {
    const box = entry.avcC ?? entry.hvcC ?? entry.vpcC ?? entry.av1C;
    if (box) {
      const stream = new DataStream(undefined, 0, 1 /* big endian */);
      box.write(stream);
      return new Uint8Array(stream.buffer, 8); // without the box header
    }
  }
  return undefined;
}

/** Resolves once the decode queue is short again ('dequeue' events, with polling as a fallback). */
function drained(decoder: VideoDecoder, below: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => check(), 20);
    const check = () => {
      if (decoder.decodeQueueSize <= below || decoder.state !== 'configured') {
        decoder.removeEventListener('dequeue', check);
        clearInterval(timer);
        resolve();
      }
    };
    decoder.addEventListener('dequeue', check);
    check();
  });
}

function withDeadline<T>(p: Promise<T>, deadline: number, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fingerprinting took longer than ${Math.round(timeoutMs / 1000)} s; stopped`)), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

