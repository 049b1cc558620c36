/** Reading the shared PDQ reference fixtures (in place, never copied). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { PDQ_FIXTURES } from '../../../paths';

export const IMAGES = join(PDQ_FIXTURES, 'images');

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** PNG with pngjs, JPEG with jpeg-js; RGBA either way. */
export function decodeImage(path: string): DecodedImage {
  const bytes = readFileSync(path);
  if (path.toLowerCase().endsWith('.png')) {
    const png = PNG.sync.read(bytes);
    return { data: png.data, width: png.width, height: png.height };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return { data: img.data, width: img.width, height: img.height };
}

export interface ExpectedPdq {
  hash: string;
  quality: number;
  /** Relative to images/. */
  file: string;
}

/** pdq-expected-cpp.csv: `hash,quality,file` from the reference C++ pdq-photo-hasher. */
export function expectedPdq(): ExpectedPdq[] {
  const lines = readFileSync(join(PDQ_FIXTURES, 'pdq-expected-cpp.csv'), 'utf8').trim().split('\n');
  if (lines[0] !== 'hash,quality,file') throw new Error('unexpected header in pdq-expected-cpp.csv');
  return lines.slice(1).map((l) => {
    const [hash, quality, file] = l.split(',');
    return { hash, quality: Number(quality), file };
  });
}

export interface ExpectedDihedral {
  hashes: string[];
  quality: number;
  file: string;
}

/** pdq-expected-cpp-dihedral.txt: 8 hashes, quality, file (order as the reference prints them). */
export function expectedDihedral(): ExpectedDihedral[] {
  return readFileSync(join(PDQ_FIXTURES, 'pdq-expected-cpp-dihedral.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const parts = l.split(',');
      return { hashes: parts.slice(0, 8), quality: Number(parts[8]), file: parts[9] };
    });
}
