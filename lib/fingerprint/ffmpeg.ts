/**
 * Node-only video decoding with the `ffmpeg` / `ffprobe` executables, hashing frames as they
 * stream out. NEVER import this from extension code (it spawns processes).
 *
 * Decoding mirrors ThreatExchange's `vpdq-hash-video`: first video stream, every decoded frame
 * counted (no frame-rate conversion), frames at their native size converted to rgb24 with
 * swscale's `area` flags, no auto-rotation. Only the sampled frames are converted and piped
 * (ffmpeg's select filter), so the cost is essentially the decode itself, less the pictures
 * nothing needs (ffmpeg-skip.ts). One frame buffer is live at a time, so memory stays bounded
 * whatever the video length.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoFingerprint } from './types';
import { DEFAULT_SECONDS_PER_HASH, frameStep, frameTimestamp } from './vpdq';
import { listSampling, VideoFingerprintBuilder, robustOptions, type RobustOptions } from './robust';
import { planFfmpegSkips } from './ffmpeg-skip';

export interface VideoInfo {
  width: number;
  height: number;
  /** avg_frame_rate, else r_frame_rate (as vPDQ). */
  fps: number;
  /** Seconds, when the container says. */
  duration?: number;
  codec?: string;
  /** Display rotation in degrees from the stream side data (not applied, as vPDQ). */
  rotation?: number;
}

export interface DecodeOptions {
  /** Seconds between hashed frames (default 1; 0 = every frame). */
  secondsPerHash?: number;
  /** Kill ffmpeg and fail after this long (default: 2 min + 2 s per second of video). */
  timeoutMs?: number;
  /** Executables (default: $PL_FFMPEG / $PL_FFPROBE, else `ffmpeg` / `ffprobe` on PATH). */
  ffmpegPath?: string;
  ffprobePath?: string;
  signal?: AbortSignal;
}

export interface FingerprintOptions extends DecodeOptions, RobustOptions {
  /** Build the fingerprint of a LISTED video: crop alternates instead of the mirror (see robust.ts). */
  forList?: boolean;
  /**
   * Hash every frame and keep the distinct ones plus vPDQ's own (robust.ts LIST_SAMPLING).
   * Default: on for a listed video unless `secondsPerHash` is given, off for a query.
   */
  distinctFrames?: boolean;
}

export interface FingerprintResult extends VideoFingerprint {
  info: VideoInfo;
}

export interface DecodedFrame {
  /** Decoded frame number (0-based, decode output order). */
  frame: number;
  /** frame / fps, seconds. */
  t: number;
  width: number;
  height: number;
  /** rgb24 pixels; valid only until the generator is resumed. */
  data: Uint8Array;
}

const ffmpegBin = (o: DecodeOptions) => o.ffmpegPath ?? process.env.PL_FFMPEG ?? 'ffmpeg';
const ffprobeBin = (o: DecodeOptions) => o.ffprobePath ?? process.env.PL_FFPROBE ?? 'ffprobe';

export async function probeVideo(path: string, options: DecodeOptions = {}): Promise<VideoInfo> {
  await assertReadableFile(path);
  const args = ['-v', 'error', '-show_entries', 'stream=index,codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,duration:stream_side_data=rotation:format=duration,format_name', '-of', 'json', path];
  const { stdout, stderr, code } = await run(ffprobeBin(options), args, options.timeoutMs ?? 30_000, options.signal);
  if (code !== 0) throw new Error(`not a readable video: ${path} (${lastLine(stderr) || `ffprobe exit code ${code}`})`);
  let parsed: { streams?: ProbeStream[]; format?: { duration?: string; format_name?: string } };
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`ffprobe gave unreadable output for ${path}`);
  }
  const v = (parsed.streams ?? []).find((s) => s.codec_type === 'video');
  if (!v) throw new Error(`no video stream in ${path}${parsed.format?.format_name ? ` (${parsed.format.format_name})` : ''}`);
  const width = Number(v.width);
  const height = Number(v.height);
  if (!(width > 0 && height > 0)) throw new Error(`video stream of ${path} has no size`);
  let fps = ratio(v.avg_frame_rate);
  if (!(fps > 0)) fps = ratio(v.r_frame_rate);
  if (!(fps > 0)) throw new Error(`video stream of ${path} has no frame rate`);
  const duration = Number(v.duration ?? parsed.format?.duration);
  const rotation = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  return { width, height, fps, codec: v.codec_name, ...(duration > 0 ? { duration } : {}), ...(rotation ? { rotation } : {}) };
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  side_data_list?: { rotation?: number }[];
}

/**
 * Decoding through a skip plan went wrong (ffmpeg output other than the planned frames, or
 * failed on the FLV it was fed): the caller decodes again, with ffmpeg reading the file.
 */
export class SkipPlanShortfall extends Error {
  override name = 'SkipPlanShortfall';
}

/**
 * Decode the sampled frames of the first video stream, one at a time. `skipNonReference`
 * (default on): pictures nothing needs are not decoded (ffmpeg-skip.ts), when the file allows.
 */
export async function* decodeSampledFrames(path: string, info: VideoInfo, options: DecodeOptions & { skipNonReference?: boolean } = {}): AsyncGenerator<DecodedFrame> {
  const step = frameStep(info.fps, options.secondsPerHash ?? DEFAULT_SECONDS_PER_HASH);
  const { width, height } = info;
  const frameBytes = width * height * 3;
  const plan = options.skipNonReference === false ? undefined : await planFfmpegSkips(path, step);
  let script: { dir: string; file: string } | undefined;
  if (plan) {
    const dir = await mkdtemp(join(tmpdir(), 'pl-select-'));
    script = { dir, file: join(dir, 'select.txt') };
    await writeFile(script.file, plan.filter);
  }
  // With a plan, ffmpeg reads the kept pictures as FLV from stdin, keeping their timestamps
  // (-copyts) so the select filter finds the frames to hash by them.
  const args = plan
    ? ['-hide_banner', '-v', 'error', '-noautorotate', '-copyts', '-f', 'flv', '-i', 'pipe:0', '-map', '0:v:0', '-an', '-sn', '-dn', '-filter_script:v', script!.file]
    : ['-hide_banner', '-nostdin', '-v', 'error', '-noautorotate', '-i', path, '-map', '0:v:0', '-an', '-sn', '-dn', ...(step > 1 ? ['-vf', `select='not(mod(n,${step}))'`] : [])];
  args.push('-fps_mode', 'passthrough', '-sws_flags', 'area', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');

  const timeoutMs = options.timeoutMs ?? 120_000 + 2_000 * (info.duration ?? 300);
  const proc = spawnChecked(ffmpegBin(options), args, !!plan);
  const stderr = collectTail(proc);
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    proc.kill('SIGKILL');
  };
  const timer = setTimeout(() => fail(new Error(`ffmpeg took longer than ${Math.round(timeoutMs / 1000)} s decoding ${path}; stopped`)), timeoutMs);
  const onAbort = () => fail(new Error('fingerprinting was cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const spawnError = new Promise<never>((_, reject) => proc.on('error', (e) => reject(spawnFailure(ffmpegBin(options), e))));
  spawnError.catch(() => {});
  proc.stdin?.on('error', () => {}); // EPIPE once ffmpeg stops reading: its exit status says why
  const fed = plan?.feed(proc.stdin!, options.signal).catch((e: Error) => fail(new Error(`could not read ${path}: ${e.message}`)));

  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let index = 0;
  const frameNumber = (i: number) => (plan ? plan.frames[i] : i * step);
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          if (plan && index >= plan.frames.length) throw new SkipPlanShortfall(`ffmpeg output more frames than were asked of it from ${path}`);
          const f = frameNumber(index++);
          yield { frame: f, t: frameTimestamp(f, info.fps), width, height, data: frame };
          filled = 0;
        }
      }
      if (failure) break;
    }
    const code = await Promise.race([exited, spawnError]);
    await fed;
    if (failure) throw failure;
    // Through a plan, any other outcome is retried the plain way, which gives the file's own error.
    if (plan && (code !== 0 || index !== plan.frames.length)) throw new SkipPlanShortfall(`ffmpeg output ${index} of the ${plan.frames.length} planned frames from ${path} (exit code ${code})`);
    if (code !== 0) throw new Error(`ffmpeg could not decode ${path}: ${lastLine(stderr()) || `exit code ${code}`}`);
    if (index === 0) throw new Error(`no frames could be decoded from ${path}${stderr() ? `: ${lastLine(stderr())}` : ''}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await plan?.close();
    if (script) await rm(script.dir, { recursive: true, force: true });
  }
}

/** Fingerprint a video file: vPDQ frames plus robustness alternates. */
export async function fingerprintFile(path: string, options: FingerprintOptions = {}): Promise<FingerprintResult> {
  const info = await probeVideo(path, options);
  const sampling = listSampling(options, info.fps);
  const decode = async (skipNonReference: boolean) => {
    const builder = new VideoFingerprintBuilder({ ...robustOptions(options), distinctBits: sampling.distinctBits });
    for await (const f of decodeSampledFrames(path, info, { ...options, secondsPerHash: sampling.secondsPerHash, skipNonReference })) {
      builder.add(f.frame, f.t, f.data, f.width, f.height, 3, sampling.keep(f.frame));
    }
    return builder.finish();
  };
  try {
    return { ...(await decode(true)), info };
  } catch (e) {
    if (!(e instanceof SkipPlanShortfall)) throw e;
    return { ...(await decode(false)), info };
  }
}

/**
 * Fingerprint video bytes. They go through a private temporary file rather than stdin: an MP4
 * whose `moov` box comes after the media data cannot be demuxed from a pipe.
 */
export async function fingerprintBytes(bytes: Uint8Array, options: FingerprintOptions & { name?: string } = {}): Promise<FingerprintResult> {
  if (!bytes.length) throw new Error('no bytes to fingerprint');
  const dir = await mkdtemp(join(tmpdir(), 'pl-fingerprint-'));
  const file = join(dir, (options.name ?? 'video').replace(/[^\w.-]/g, '_'));
  try {
    await writeFile(file, bytes);
    return await fingerprintFile(file, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function assertReadableFile(path: string): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new Error(`no such file: ${path}`);
  }
  if (!s.isFile()) throw new Error(`not a file: ${path}`);
  if (s.size === 0) throw new Error(`empty file: ${path}`);
}

function ratio(s?: string): number {
  if (!s) return NaN;
  const [a, b] = s.split('/').map(Number);
  return b ? a / b : a;
}

function spawnChecked(bin: string, args: string[], withStdin = false): ChildProcessWithoutNullStreams {
  return spawn(bin, args, { stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
}

function spawnFailure(bin: string, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT') {
    return new Error(`${bin} was not found: install ffmpeg (it provides ffmpeg and ffprobe) or set PL_FFMPEG / PL_FFPROBE`);
  }
  return new Error(`could not start ${bin}: ${e.message}`);
}

/** Keeps the last few KB of stderr for error messages. */
function collectTail(proc: ChildProcessWithoutNullStreams, max = 4096): () => string {
  let tail = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d: string) => {
    tail = (tail + d).slice(-max);
  });
  return () => tail.trim();
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1]?.trim() ?? '';
}

/** Run a short command to completion, capturing output, with a time limit. */
function run(bin: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawnChecked(bin, args);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${bin} took longer than ${Math.round(timeoutMs / 1000)} s; stopped`));
    }, timeoutMs);
    const onAbort = () => {
      proc.kill('SIGKILL');
      reject(new Error('fingerprinting was cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(spawnFailure(bin, e));
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ stdout, stderr, code });
    });
  });
}
