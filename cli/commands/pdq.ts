/**
 * `pdq <image>...`: PDQ hash and quality of images, printed as the reference
 * `pdq-photo-hasher` does (`hash,quality,file`), under a CSV header like pdq-expected-cpp.csv.
 * PNG and JPEG are decoded in-process; other formats (WebP, GIF, BMP…) through ffmpeg if present.
 */
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { parseArgs, UsageError } from '../args';
import { DIHEDRAL_NAMES, pdqDihedralFromRGBA, pdqFromRGBA } from '../../lib/fingerprint/pdq';

export const usage = `pdq <image>... [--dihedral] [--no-header]
    Print "hash,quality,file" for each image (PDQ, as Meta's pdq-photo-hasher). PNG and JPEG
    natively, other formats via ffmpeg. --dihedral prints the 8 rotation/flip hashes first.
    Unreadable files are reported on stderr; the others are still hashed (exit code 1).`;

interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function run(args: string[]): Promise<number> {
  const opts = parseArgs(args, { booleans: ['dihedral', 'no-header'] });
  if (!opts.positional.length) throw new UsageError('give at least one image file');
  const dihedral = opts.flags.has('dihedral');
  if (!opts.flags.has('no-header')) {
    process.stdout.write(dihedral ? `${DIHEDRAL_NAMES.join(',')},quality,file\n` : 'hash,quality,file\n');
  }
  let failed = 0;
  for (const file of opts.positional) {
    try {
      const img = await decodeImageFile(file);
      if (dihedral) {
        const r = pdqDihedralFromRGBA(img.data, img.width, img.height, 4);
        process.stdout.write(`${DIHEDRAL_NAMES.map((n) => r.hashes[n]).join(',')},${r.quality},${file}\n`);
      } else {
        const r = pdqFromRGBA(img.data, img.width, img.height, 4);
        process.stdout.write(`${r.hash},${r.quality},${file}\n`);
      }
    } catch (e) {
      failed++;
      process.stderr.write(`provenance-lens pdq: ${file}: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Decode by content (magic bytes), not by file name. */
export async function decodeImageFile(file: string): Promise<Rgba> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) {
    try {
      const png = PNG.sync.read(bytes);
      return { data: png.data, width: png.width, height: png.height };
    } catch (e) {
      throw new Error(`not a readable PNG (${(e as Error).message})`);
    }
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { data: img.data, width: img.width, height: img.height };
    } catch (e) {
      throw new Error(`not a readable JPEG (${(e as Error).message})`);
    }
  }
  return decodeWithFfmpeg(file);
}

const run$ = promisify(execFile);

async function decodeWithFfmpeg(file: string): Promise<Rgba> {
  const ffprobe = process.env.PL_FFPROBE ?? 'ffprobe';
  const ffmpeg = process.env.PL_FFMPEG ?? 'ffmpeg';
  let width: number;
  let height: number;
  try {
    const { stdout } = await run$(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { timeout: 30_000 });
    [width, height] = stdout.trim().split(',').map(Number);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('not PNG or JPEG, and ffprobe (for other formats) is not installed');
    throw new Error('not a readable image');
  }
  if (!(width > 0 && height > 0)) throw new Error('not a readable image');
  const { stdout } = await run$(ffmpeg, ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: width * height * 4 + 1024,
    timeout: 60_000,
  });
  if (stdout.length !== width * height * 4) throw new Error('not a readable image');
  return { data: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length), width, height };
}
