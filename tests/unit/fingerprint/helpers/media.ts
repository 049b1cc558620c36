/**
 * Test media: the shared sample videos (read in place) and edited copies made with ffmpeg at
 * test time under .cache/generated/variants/ (idempotent: made once, reused), plus a cache of
 * fingerprints keyed by the file's SHA-256, the options and the fingerprinting source code.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { promisify } from 'node:util';
import { GENERATED, PDQ_FIXTURES, ROOT } from '../../../paths';
import { fingerprintFile, probeVideo, type FingerprintOptions } from '../../../../lib/fingerprint/ffmpeg';
import type { VideoFingerprint } from '../../../../lib/fingerprint/types';
import { usableIndices } from '../../../../lib/fingerprint/match';
import { hamming, hexToHash, type Hash256 } from '../../../../lib/fingerprint/hash256';

const run = promisify(execFile);

export const VIDEOS = resolve(PDQ_FIXTURES, 'videos');
export const VARIANTS_DIR = resolve(GENERATED, 'variants');
const FINGERPRINTS_DIR = resolve(GENERATED, 'fingerprints');

/**
 * The sample videos and their footage family: videos of one family are the same footage with
 * other bars, tints, logos or cuts (so they may legitimately match); different families must
 * never match.
 */
export const SAMPLES = [
  { name: 'pattern-hd-no-bar', family: 'pattern' },
  { name: 'pattern-sd-grey-bar', family: 'pattern' },
  { name: 'pattern-sd-with-small-logo-bar', family: 'pattern' },
  { name: 'chair-orig-22-sd-bar', family: 'chair' },
  { name: 'chair-22-sd-sepia-bar', family: 'chair' },
  { name: 'chair-19-sd-bar', family: 'chair' },
  { name: 'doorknob-hd-no-bar', family: 'doorknob' },
  { name: 'test-padded-dimensions', family: 'test-card' },
] as const;

export type SampleName = (typeof SAMPLES)[number]['name'];

export const samplePath = (name: string) => join(VIDEOS, `${name}.mp4`);

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const even = (expr: string) => `trunc(${expr}/2)*2`;

/**
 * The edits every sample must survive: ffmpeg arguments between `-i input` and the output.
 * `trim2to6` keeps seconds 2-6; for a sample shorter than 6 s it keeps the middle half instead.
 * `text` is a subtitle-style caption (h/20, outlined); a big opaque banner box is NOT expected
 * to match (PDQ changes too much when ~1/6 of the frame is replaced).
 */
export const EDITS: Record<string, { args: string[]; needs?: string; shortArgs?: (duration: number) => string[] }> = {
  crf35: { args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '35'] },
  '360p': { args: ['-vf', `scale=-2:360`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  '24fps': { args: ['-vf', 'fps=24', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  trim2to6: {
    args: ['-ss', '2', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'],
    shortArgs: (d) => ['-ss', (d / 4).toFixed(2), '-t', (d / 2).toFixed(2), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'],
  },
  // Cut at an instant between two of vPDQ's sampled frames: the listed entry's distinct frames must cover it.
  cut0_4: { args: ['-ss', '0.4', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  letterbox: { args: ['-vf', `pad=iw:${even('ih*4/3')}:0:(oh-ih)/2:color=black`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  pillarbox: { args: ['-vf', `pad=${even('iw*4/3')}:ih:(ow-iw)/2:0:color=0x303030`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  hflip: { args: ['-vf', 'hflip', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  crop5: { args: ['-vf', `crop=${even('iw*0.9')}:${even('ih*0.9')}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'] },
  text: {
    args: ['-vf', `drawtext=fontfile=${FONT}:text='Breaking news':fontsize=h/20:fontcolor=white:borderw=2:bordercolor=black:x=(w-tw)/2:y=h-th-h/12`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28'],
    needs: FONT,
  },
};

export type EditName = keyof typeof EDITS;

/** Whether an edit can be made here (drawtext needs the font). */
export const editAvailable = (edit: string) => !EDITS[edit].needs || existsSync(EDITS[edit].needs!);

/** Path of `sample` with `edit` applied, made with ffmpeg if not there yet. */
export async function ensureVariant(sample: string, edit: string): Promise<string> {
  const out = join(VARIANTS_DIR, `${sample}.${edit}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(VARIANTS_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  const spec = EDITS[edit];
  let args = spec.args;
  if (spec.shortArgs) {
    const { duration } = await probeVideo(samplePath(sample));
    if (duration !== undefined && duration < 6) args = spec.shortArgs(duration);
  }
  try {
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', samplePath(sample), ...args, '-an', '-pix_fmt', 'yuv420p', tmp], { timeout: 120_000 });
    renameSync(tmp, out); // atomic: a half-written file is never taken for a finished one
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

/** Make several variants, two ffmpeg processes at a time (2-core machine). */
export async function ensureVariants(pairs: [string, string][]): Promise<string[]> {
  const out: string[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      out[i] = await ensureVariant(...pairs[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

let codeKey: string | undefined;
/** Changes whenever the fingerprinting code changes, so stale cached fingerprints are never used. */
function fingerprintCodeKey(): string {
  if (!codeKey) {
    const h = createHash('sha256');
    for (const f of ['pdq.ts', 'robust.ts', 'ffmpeg.ts', 'vpdq.ts', 'match.ts']) h.update(readFileSync(join(ROOT, 'lib/fingerprint', f)));
    codeKey = h.digest('hex').slice(0, 16);
  }
  return codeKey;
}

/** fingerprintFile, cached under .cache/generated/fingerprints by (file SHA-256, options, code). */
export async function cachedFingerprint(path: string, options: FingerprintOptions = {}): Promise<VideoFingerprint> {
  const fileSha = createHash('sha256').update(readFileSync(path)).digest('hex');
  const key = createHash('sha256').update(JSON.stringify([fileSha, options, fingerprintCodeKey()])).digest('hex').slice(0, 32);
  const file = join(FINGERPRINTS_DIR, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as VideoFingerprint;
  const { info: _info, ...fp } = await fingerprintFile(path, options);
  mkdirSync(FINGERPRINTS_DIR, { recursive: true });
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(fp));
  renameSync(`${file}.${process.pid}.tmp`, file);
  return fp;
}

function standIns(fp: VideoFingerprint): Hash256[][] {
  const byFrame = new Map<number, Hash256[]>(usableIndices(fp.frames).map((i) => [i, [hexToHash(fp.frames[i].pdq)]]));
  for (const a of fp.alternates ?? []) byFrame.get(a.of)?.push(hexToHash(a.pdq));
  return [...byFrame.values()];
}

/** For each usable query frame, the distance to the nearest usable target frame (any stand-ins; 256 when none). */
export function nearestDistances(query: VideoFingerprint, target: VideoFingerprint): number[] {
  const t = standIns(target);
  return standIns(query).map((q) => {
    let best = 256;
    for (const tt of t) for (const a of q) for (const b of tt) best = Math.min(best, hamming(a, b));
    return best;
  });
}
