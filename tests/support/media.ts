/**
 * Test media and lists made at test time (never committed), cached under .cache/generated:
 * re-encoded copies of the sample videos (ffmpeg) and signed lists built with the CLI itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GENERATED, PDQ_FIXTURES, ROOT } from '../paths';

const run = promisify(execFile);

export const SAMPLE = (name: string) => join(PDQ_FIXTURES, 'videos', name);

/** An ffmpeg re-encode of a sample video (e.g. `['-vf', 'scale=-2:480', '-crf', '35']`), cached by name. */
export async function reencoded(sample: string, name: string, args: string[]): Promise<string> {
  const out = join(GENERATED, 'copies', `${name}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp.mp4`;
  await run('ffmpeg', ['-v', 'error', '-y', '-i', SAMPLE(sample), ...args, '-c:v', 'libx264', '-preset', 'veryfast', '-an', tmp]);
  renameSync(tmp, out);
  return out;
}

export async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['cli/run.mjs', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

export interface SignedList {
  path: string;
  bytes: Buffer;
  sig: Buffer;
  publicKey: string;
}

/** A publisher key pair made with `list keygen` (once per run). */
export async function publisherKey(): Promise<{ prefix: string; publicKey: string }> {
  const prefix = join(GENERATED, 'lists', 'publisher');
  if (!existsSync(`${prefix}.pub`)) {
    mkdirSync(dirname(prefix), { recursive: true });
    await cli('list', 'keygen', '--out', prefix);
  }
  return { prefix, publicKey: readFileSync(`${prefix}.pub`, 'utf8') };
}

/** `list build` + `list sign` over sample videos, as a curator would. */
export async function signedList(name: string, samples: string[], opts: { sequence: number; notes?: string; source?: string }): Promise<SignedList> {
  const { prefix, publicKey } = await publisherKey();
  const path = join(GENERATED, 'lists', `${name}.jsonl`);
  if (!existsSync(`${path}.sig`)) {
    await cli(
      'list',
      'build',
      ...samples.map(SAMPLE),
      '--name',
      'Known test clips',
      '--publisher',
      'Provenance Lens tests',
      '--sequence',
      String(opts.sequence),
      ...(opts.notes ? ['--notes', opts.notes] : []),
      ...(opts.source ? ['--source', opts.source] : []),
      '--out',
      path,
    );
    await cli('list', 'sign', path, '--key', `${prefix}.key`);
  }
  return { path, bytes: readFileSync(path), sig: readFileSync(`${path}.sig`), publicKey };
}

export function writeGenerated(rel: string, data: string | Buffer): string {
  const out = join(GENERATED, rel);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, data);
  return out;
}

export interface LongVideoOptions {
  seconds: number;
  /** `front`: moov before mdat (fast start); `end`: ffmpeg's default, the index after the data. */
  moov: 'front' | 'end';
  /** Video bit rate, e.g. '2500k' (a 720p upload). */
  bitrate?: string;
  size?: string;
  /** Keyframe interval in frames. */
  gop?: number;
}

/**
 * A long 720p clip of moving test footage with sound (ffmpeg's testsrc2 + a tone), at a real
 * upload's bit rate, cached by its options. Long videos are what frugal checking is about.
 */
export async function longVideo(o: LongVideoOptions): Promise<string> {
  const size = o.size ?? '1280x720';
  const bitrate = o.bitrate ?? '2500k';
  const gop = o.gop ?? 50;
  const out = join(GENERATED, 'long', `testsrc2-${size}-${o.seconds}s-${bitrate}-g${gop}-moov-${o.moov}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp.mp4`;
  await run(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(o.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate, '-g', String(gop),
      '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', ...(o.moov === 'front' ? ['-movflags', '+faststart'] : []), tmp],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  renameSync(tmp, out);
  return out;
}
