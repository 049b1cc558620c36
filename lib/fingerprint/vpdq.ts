/**
 * vPDQ compatibility: which frames get hashed, and the reference hash-file line format
 * `frameNumber,quality,pdqHex,timestampSeconds` (timestamp with 3 decimals), as written by
 * ThreatExchange's `vpdq-hash-video`.
 */
import type { FrameHash } from '../verdict';
import { isPdqHex } from './hash256';

export const DEFAULT_SECONDS_PER_HASH = 1;

/**
 * Hash every `frameStep(...)`-th decoded frame (frame n is hashed when n % step === 0).
 * The reference computes the step as int(secondsPerHash × fps), truncated, at least 1; so at
 * the default 1 s it is round(fps) for integer rates (30 → 30) and 29 for 29.97 fps.
 * `secondsPerHash = 0` hashes every frame.
 */
export function frameStep(fps: number, secondsPerHash: number = DEFAULT_SECONDS_PER_HASH): number {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`vPDQ: frame rate must be a positive number, got ${fps}`);
  if (!(secondsPerHash >= 0) || !Number.isFinite(secondsPerHash)) {
    throw new Error(`vPDQ: seconds per hash must be 0 or more, got ${secondsPerHash}`);
  }
  return Math.max(1, Math.trunc(secondsPerHash * fps));
}

export function isSampledFrame(frameNumber: number, step: number): boolean {
  return frameNumber % step === 0;
}

/** The reference timestamp: frame number / frame rate, in float32 as the C++ tool computes it. */
export function frameTimestamp(frameNumber: number, fps: number): number {
  return Math.fround(Math.fround(frameNumber) / Math.fround(fps));
}

/** One reference line; `fallbackFrame` is used when the frame number is not known. */
export function formatVpdqLine(f: FrameHash, fallbackFrame?: number): string {
  if (!isPdqHex(f.pdq)) throw new Error(`vPDQ: not a PDQ hash: "${f.pdq}"`);
  const frame = f.frame ?? fallbackFrame;
  if (frame === undefined || !Number.isInteger(frame) || frame < 0) throw new Error(`vPDQ: frame number missing or invalid for t=${f.t}`);
  if (!Number.isInteger(f.quality) || f.quality < 0 || f.quality > 100) throw new Error(`vPDQ: quality ${f.quality} is not an integer from 0 to 100`);
  if (!(f.t >= 0)) throw new Error(`vPDQ: timestamp ${f.t} is not a non-negative number`);
  return `${frame},${f.quality},${f.pdq},${f.t.toFixed(3)}`;
}

/** The whole hash file, one line per frame, newline-terminated (as the reference writes it). */
export function formatVpdq(frames: readonly FrameHash[]): string {
  return frames.map((f, i) => formatVpdqLine(f, i) + '\n').join('');
}

export class VpdqParseError extends Error {
  override name = 'VpdqParseError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * Parse a vPDQ hash file. Tolerant of what people do to text files (CRLF, blank lines,
 * surrounding spaces, upper-case hex, `#` comment lines, extra trailing fields), strict about
 * the values: a line that cannot be a frame throws a VpdqParseError naming the line.
 */
export function parseVpdq(text: string, source = 'vPDQ hash file'): FrameHash[] {
  const out: FrameHash[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw || raw.startsWith('#')) continue;
    const lineNo = i + 1;
    const fail = (why: string): never => {
      throw new VpdqParseError(`${source}, line ${lineNo}: ${why} (got "${raw.slice(0, 100)}")`, lineNo);
    };
    const fields = raw.split(',').map((s) => s.trim());
    if (fields.length < 4) fail(`expected 4 comma-separated fields frameNumber,quality,pdqHex,timestamp but found ${fields.length}`);
    const [frameS, qualityS, hashS, tS] = fields;
    if (!/^\d+$/.test(frameS)) fail(`frame number "${frameS}" is not a non-negative integer`);
    if (!/^\d+$/.test(qualityS) || Number(qualityS) > 100) fail(`quality "${qualityS}" is not an integer from 0 to 100`);
    const pdq = hashS.toLowerCase();
    if (!isPdqHex(pdq)) fail(`"${hashS.slice(0, 80)}" is not a 64-character hex PDQ hash`);
    if (!/^\d+(\.\d*)?([eE][-+]?\d+)?$/.test(tS)) fail(`timestamp "${tS}" is not a non-negative number of seconds`);
    out.push({ frame: Number(frameS), quality: Number(qualityS), pdq, t: Number(tS) });
  }
  return out;
}
