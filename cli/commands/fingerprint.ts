/**
 * `fingerprint <video>`: the vPDQ frame hashes of a video, as the reference `vpdq-hash-video`
 * writes them, or (--json / --for-list) the full fingerprint with its alternate hashes.
 */
import { writeFile, rename } from 'node:fs/promises';
import { parseArgs, UsageError } from '../args';
import { fingerprintFile } from '../../lib/fingerprint/ffmpeg';
import { formatVpdq } from '../../lib/fingerprint/vpdq';

export const usage = `fingerprint <video> [--out file] [--seconds-per-hash N] [--json] [--for-list]
    Without options: one line per hashed frame, "frameNumber,quality,pdqHex,timestamp", the
    exact output of Meta's vpdq-hash-video (1 hash per second; --seconds-per-hash 0 = every frame).
    --json: the full fingerprint (frames plus alternate hashes for bars removed and mirroring).
    --for-list: fingerprint of a video to put on a list: JSON with every distinct frame (vPDQ's
    one per second among them, with crop alternates) unless --seconds-per-hash is given.
    Needs ffmpeg and ffprobe.`;

export async function run(args: string[]): Promise<number> {
  const opts = parseArgs(args, { values: ['out', 'seconds-per-hash'], booleans: ['json', 'for-list'] });
  if (opts.positional.length !== 1) throw new UsageError(opts.positional.length ? 'give exactly one video file' : 'give a video file');
  const [video] = opts.positional;
  let secondsPerHash: number | undefined;
  if (opts.values['seconds-per-hash'] !== undefined) {
    secondsPerHash = Number(opts.values['seconds-per-hash']);
    if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) throw new UsageError('--seconds-per-hash must be a number, 0 or more');
  }
  const forList = opts.flags.has('for-list');
  const json = forList || opts.flags.has('json');

  let text: string;
  if (json) {
    // The list side carries crops; the query side carries the mirror (robust.ts robustOptions).
    const fp = await fingerprintFile(video, { secondsPerHash, forList });
    const { info, ...fingerprint } = fp;
    text = fingerprintJson({ video: info, ...fingerprint });
  } else {
    // Plain vPDQ: whole frames, reference qualities, no alternates.
    const fp = await fingerprintFile(video, { secondsPerHash, borders: false, mirror: false, crops: false });
    text = formatVpdq(fp.frames);
  }
  const out = opts.values.out;
  if (out) {
    const tmp = `${out}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, out);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

/** JSON with one frame / alternate per line: readable, diffable, still plain JSON. */
function fingerprintJson(doc: { video: unknown; frames: unknown[]; alternates?: unknown[] }): string {
  const list = (items: unknown[] = []) => (items.length ? `[\n  ${items.map((x) => JSON.stringify(x)).join(',\n  ')}\n ]` : '[]');
  return `{\n "video": ${JSON.stringify(doc.video)},\n "frames": ${list(doc.frames)},\n "alternates": ${list(doc.alternates)}\n}\n`;
}
