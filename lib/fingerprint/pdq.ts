/**
 * PDQ perceptual image hash (Meta ThreatExchange), in plain TypeScript.
 *
 * Reproduces the reference C++ `pdqhashing` bit for bit: every step that the C++ does in
 * `float` is done here in float32 (Float32Array storage + Math.fround), in the same order,
 * because a different rounding can move a DCT coefficient across the median and flip a bit.
 *
 * Steps: luma (0.299, 0.587, 0.114) → Jarosz tent filter (two box passes per axis, window
 * ceil(n/128)) → decimation to 64×64 (centre samples) → quality from 64×64 gradients → 16×16 of
 * the 64×64 DCT-II (frequencies 1..16) → bit set where the coefficient is above the median.
 * Hex is printed from the last 16-bit word (DCT row 15) to the first.
 *
 * No browser or Node globals: used by the CLI (Node) and by the extension's worker.
 */

export interface PdqResult {
  /** 64 hex characters, reference order. */
  hash: string;
  /** 0..100; frames under 50 are not used for matching. */
  quality: number;
}

/** The 8 dihedral hashes, in the order of the reference `pdq-photo-hasher --dihedral` output. */
export const DIHEDRAL_NAMES = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;
export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

export interface PdqDihedralResult {
  hashes: Record<DihedralName, string>;
  quality: number;
}

export interface PdqOptions {
  /**
   * `image` (default) mirrors the reference photo hasher, which first resizes any image larger
   * than 512 on a side to 512×512 (nearest neighbour). `frame` hashes the pixels at their own
   * size, as vPDQ does for video frames (no resize: resizing changes hashes by ~10 bits).
   */
  mode?: 'image' | 'frame';
}

export type Pixels = Uint8Array | Uint8ClampedArray;

const MIN_HASHABLE_DIM = 5;
const PHOTO_DOWNSAMPLE_DIMS = 512;
const LUMA_R = Math.fround(0.299);
const LUMA_G = Math.fround(0.587);
const LUMA_B = Math.fround(0.114);
const NUM_JAROSZ_XY_PASSES = 2;

/** The 16×64 DCT-II basis (rows = frequencies 1..16), float32 as in the reference. */
const DCT_MATRIX: Float32Array = (() => {
  const m = new Float32Array(16 * 64);
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return m;
})();

export function jaroszWindowSize(oldDimension: number, newDimension = 64): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * A PDQ hasher with reusable buffers: hashing many frames of one size allocates nothing per
 * frame. Not re-entrant (one hasher per worker/thread).
 */
export class PdqHasher {
  private luma = new Float32Array(0);
  private tmp = new Float32Array(0);
  private colSums = new Float32Array(0);
  private colCounts = new Float64Array(0);
  /** Second row pass, kept only at the 64 decimated columns: numRows × 64. */
  private rowsAt64 = new Float32Array(0);
  private readonly decimCols = new Int32Array(64);
  private readonly decimRows = new Int32Array(64);
  readonly buffer64 = new Float32Array(64 * 64);
  private readonly t16x64 = new Float32Array(16 * 64);
  /** The last frame's 16×16 DCT (row-major, row = vertical frequency). */
  readonly dct16 = new Float32Array(256);
  private readonly aux16 = new Float32Array(256);
  private readonly sorted = new Float32Array(256);

  /** Hash RGB(A) pixels (row-major, `channels` bytes per pixel, R,G,B first). */
  hashPixels(data: Pixels, width: number, height: number, channels: 3 | 4 = 4, options: PdqOptions = {}): PdqResult {
    const quality = this.dctFromPixels(data, width, height, channels, options);
    if (quality < 0) return { hash: '0'.repeat(64), quality: 0 };
    return { hash: bitsToHex(this.dct16, this.sorted), quality };
  }

  /** All 8 dihedral hashes from one DCT (the sign/transpose trick of the reference). */
  hashPixelsDihedral(data: Pixels, width: number, height: number, channels: 3 | 4 = 4, options: PdqOptions = {}): PdqDihedralResult {
    const quality = this.dctFromPixels(data, width, height, channels, options);
    const hashes = {} as Record<DihedralName, string>;
    for (const name of DIHEDRAL_NAMES) {
      hashes[name] = quality < 0 ? '0'.repeat(64) : this.transformedHash(name);
    }
    return { hashes, quality: Math.max(0, quality) };
  }

  /** Hash of the last computed DCT under a dihedral transform (call after a hash* method). */
  transformedHash(name: DihedralName): string {
    if (name === 'original') return bitsToHex(this.dct16, this.sorted);
    dihedral(name, this.dct16, this.aux16);
    return bitsToHex(this.aux16, this.sorted);
  }

  /**
   * Fills `dct16` and returns the quality, or -1 when the image is too small to hash
   * (the reference then gives an all-zero hash and quality 0).
   */
  dctFromPixels(data: Pixels, width: number, height: number, channels: 3 | 4, options: PdqOptions = {}): number {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new Error(`PDQ: bad image size ${width}x${height}`);
    }
    if (data.length < width * height * channels) {
      throw new Error(`PDQ: pixel buffer too small for ${width}x${height}x${channels} (${data.length} bytes)`);
    }
    let rows = height;
    let cols = width;
    const photoResize = (options.mode ?? 'image') === 'image' && (width > PHOTO_DOWNSAMPLE_DIMS || height > PHOTO_DOWNSAMPLE_DIMS);
    if (photoResize) rows = cols = PHOTO_DOWNSAMPLE_DIMS;
    if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) return -1;
    this.ensure(rows, cols);
    if (photoResize) this.fillLumaNearest(data, width, height, channels, rows, cols);
    else this.fillLuma(data, width, height, channels);
    return this.dctFromLuma(rows, cols);
  }

  /** PDQ from the float luma already in the internal buffer (rows × cols). */
  private dctFromLuma(rows: number, cols: number): number {
    const winAlongRows = jaroszWindowSize(cols);
    const winAlongCols = jaroszWindowSize(rows);
    const luma = this.luma;
    const tmp = this.tmp;
    // Pass 1 (x then y) on the full image; pass 2 only where decimation will sample.
    for (let pass = 0; pass < NUM_JAROSZ_XY_PASSES - 1; pass++) {
      for (let r = 0; r < rows; r++) boxRow(luma, tmp, r * cols, cols, winAlongRows);
      this.boxCols(tmp, luma, rows, cols, winAlongCols);
    }
    for (let i = 0; i < 64; i++) {
      this.decimRows[i] = Math.floor(((i + 0.5) * rows) / 64);
      this.decimCols[i] = Math.floor(((i + 0.5) * cols) / 64);
    }
    for (let r = 0; r < rows; r++) boxRowSampled(luma, this.rowsAt64, r * cols, r * 64, cols, winAlongRows, this.decimCols);
    boxColsSampled(this.rowsAt64, this.buffer64, rows, winAlongCols, this.decimRows);
    const quality = qualityMetric(this.buffer64);
    dct64To16(this.buffer64, this.t16x64, this.dct16);
    return quality;
  }

  private ensure(rows: number, cols: number): void {
    const n = rows * cols;
    if (this.luma.length < n) {
      this.luma = new Float32Array(n);
      this.tmp = new Float32Array(n);
    }
    if (this.colSums.length < cols) {
      this.colSums = new Float32Array(cols);
      this.colCounts = new Float64Array(cols);
    }
    if (this.rowsAt64.length < rows * 64) this.rowsAt64 = new Float32Array(rows * 64);
  }

  private fillLuma(data: Pixels, width: number, height: number, channels: number): void {
    const luma = this.luma;
    const n = width * height;
    const f = Math.fround;
    for (let p = 0, o = 0; p < n; p++, o += channels) {
      luma[p] = f(f(f(LUMA_R * data[o]) + f(LUMA_G * data[o + 1])) + f(LUMA_B * data[o + 2]));
    }
  }

  /** The photo hasher's CImg nearest-neighbour resize (source index = floor(x·W/w)), fused with luma. */
  private fillLumaNearest(data: Pixels, width: number, height: number, channels: number, rows: number, cols: number): void {
    const luma = this.luma;
    const f = Math.fround;
    for (let y = 0; y < rows; y++) {
      const sy = Math.floor((y * height) / rows);
      for (let x = 0; x < cols; x++) {
        const o = (sy * width + Math.floor((x * width) / cols)) * channels;
        luma[y * cols + x] = f(f(f(LUMA_R * data[o]) + f(LUMA_G * data[o + 1])) + f(LUMA_B * data[o + 2]));
      }
    }
  }

  /**
   * Box filter down every column, walking the image row by row (cache-friendly) with one running
   * float32 sum per column. Per column, the adds, subtracts and divides happen in exactly the
   * reference order, so results are identical to the strided version.
   */
  private boxCols(input: Float32Array, output: Float32Array, rows: number, cols: number, win: number): void {
    const sums = this.colSums;
    sums.fill(0, 0, cols);
    const half = Math.floor((win + 2) / 2);
    const p1 = half - 1;
    const p2 = win - half + 1;
    const p3 = rows - win;
    const p4 = half - 1;
    let ri = 0;
    let li = 0;
    let oi = 0;
    let n = 0;
    for (let i = 0; i < p1; i++, ri++) {
      const base = ri * cols;
      for (let c = 0; c < cols; c++) sums[c] += input[base + c];
      n++;
    }
    for (let i = 0; i < p2; i++, ri++, oi++) {
      const base = ri * cols;
      const ob = oi * cols;
      n++;
      for (let c = 0; c < cols; c++) {
        sums[c] += input[base + c];
        output[ob + c] = sums[c] / n;
      }
    }
    for (let i = 0; i < p3; i++, ri++, li++, oi++) {
      const rb = ri * cols;
      const lb = li * cols;
      const ob = oi * cols;
      for (let c = 0; c < cols; c++) {
        sums[c] += input[rb + c];
        sums[c] -= input[lb + c];
        output[ob + c] = sums[c] / n;
      }
    }
    for (let i = 0; i < p4; i++, li++, oi++) {
      const lb = li * cols;
      const ob = oi * cols;
      n--;
      for (let c = 0; c < cols; c++) {
        sums[c] -= input[lb + c];
        output[ob + c] = sums[c] / n;
      }
    }
  }
}

/** One row of the reference `box1DFloat` (stride 1). Float32 running sum. */
function boxRow(input: Float32Array, output: Float32Array, start: number, len: number, win: number): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = len - win;
  const p4 = half - 1;
  let ri = start;
  let li = start;
  let oi = start;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < p1; i++) {
    sum = f(sum + input[ri++]);
    n++;
  }
  for (let i = 0; i < p2; i++) {
    sum = f(sum + input[ri++]);
    n++;
    output[oi++] = sum / n;
  }
  for (let i = 0; i < p3; i++) {
    sum = f(sum + input[ri++]);
    sum = f(sum - input[li++]);
    output[oi++] = sum / n;
  }
  for (let i = 0; i < p4; i++) {
    sum = f(sum - input[li++]);
    n--;
    output[oi++] = sum / n;
  }
}

/**
 * Same running sum as `boxRow`, but outputs only at the 64 decimated columns: the last
 * filter passes are only ever read there.
 */
function boxRowSampled(input: Float32Array, out: Float32Array, start: number, outStart: number, len: number, win: number, at: Int32Array): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = len - win;
  const p4 = half - 1;
  let ri = start;
  let li = start;
  let o = 0; // output position along the row
  let next = 0; // index into `at`
  let sum = 0;
  let n = 0;
  for (let i = 0; i < p1; i++) {
    sum = f(sum + input[ri++]);
    n++;
  }
  for (let i = 0; i < p2; i++, o++) {
    sum = f(sum + input[ri++]);
    n++;
    while (next < 64 && at[next] === o) out[outStart + next++] = sum / n;
  }
  for (let i = 0; i < p3; i++, o++) {
    sum = f(sum + input[ri++]);
    sum = f(sum - input[li++]);
    while (next < 64 && at[next] === o) out[outStart + next++] = sum / n;
  }
  for (let i = 0; i < p4; i++, o++) {
    sum = f(sum - input[li++]);
    n--;
    while (next < 64 && at[next] === o) out[outStart + next++] = sum / n;
  }
}

/** Column box filter over the rows × 64 buffer, output only at the 64 decimated rows → 64×64. */
function boxColsSampled(input: Float32Array, out: Float32Array, rows: number, win: number, at: Int32Array): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = rows - win;
  const p4 = half - 1;
  for (let c = 0; c < 64; c++) {
    let ri = c;
    let li = c;
    let o = 0;
    let next = 0;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < p1; i++, ri += 64) {
      sum = f(sum + input[ri]);
      n++;
    }
    for (let i = 0; i < p2; i++, ri += 64, o++) {
      sum = f(sum + input[ri]);
      n++;
      while (next < 64 && at[next] === o) out[next++ * 64 + c] = sum / n;
    }
    for (let i = 0; i < p3; i++, ri += 64, li += 64, o++) {
      sum = f(sum + input[ri]);
      sum = f(sum - input[li]);
      while (next < 64 && at[next] === o) out[next++ * 64 + c] = sum / n;
    }
    for (let i = 0; i < p4; i++, li += 64, o++) {
      sum = f(sum - input[li]);
      n--;
      while (next < 64 && at[next] === o) out[next++ * 64 + c] = sum / n;
    }
  }
}

/** Sum of quantised 64×64 gradients / 90, capped at 100 (reference heuristic, float32 maths). */
function qualityMetric(b: Float32Array): number {
  const f = Math.fround;
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      sum += Math.abs(Math.trunc(f(f(f(b[i * 64 + j] - b[(i + 1) * 64 + j]) * 100) / 255)));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      sum += Math.abs(Math.trunc(f(f(f(b[i * 64 + j] - b[i * 64 + j + 1]) * 100) / 255)));
    }
  }
  return Math.min(100, Math.floor(sum / 90));
}

/** B = D·A·Dᵀ keeping frequencies 1..16, with float32 sums accumulated in the reference order. */
function dct64To16(a: Float32Array, t: Float32Array, b: Float32Array): void {
  const f = Math.fround;
  const d = DCT_MATRIX;
  for (let i = 0; i < 16; i++) {
    const di = i * 64;
    for (let j = 0; j < 64; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(d[di + k] * a[k * 64 + j]));
      t[di + j] = s;
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let s = 0;
      for (let k = 0; k < 64; k++) s = f(s + f(t[ti + k] * d[dj + k]));
      b[i * 16 + j] = s;
    }
  }
}

/**
 * Dihedral images have DCTs that are sign flips and/or the transpose of the original's:
 * mirroring a 64-sample axis multiplies frequency k (1-based) by (-1)^k.
 */
function dihedral(name: DihedralName, a: Float32Array, out: Float32Array): void {
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = a[i * 16 + j];
      switch (name) {
        case 'rotate90':
          out[j * 16 + i] = j & 1 ? v : -v;
          break;
        case 'rotate180':
          out[i * 16 + j] = (i + j) & 1 ? -v : v;
          break;
        case 'rotate270':
          out[j * 16 + i] = i & 1 ? v : -v;
          break;
        case 'flipX':
          out[i * 16 + j] = i & 1 ? v : -v;
          break;
        case 'flipY':
          out[i * 16 + j] = j & 1 ? v : -v;
          break;
        case 'flipPlus1':
          out[j * 16 + i] = v;
          break;
        case 'flipMinus1':
          out[j * 16 + i] = (i + j) & 1 ? -v : v;
          break;
        default:
          out[i * 16 + j] = v;
      }
    }
  }
}

const HEX = '0123456789abcdef';

/**
 * Bit (i·16+j) is set when coefficient [i][j] is above the median (the reference's Torben
 * median of 256 values is the 128th smallest). Word i (DCT row i) prints at hex offset (15-i)·4.
 */
function bitsToHex(dct: Float32Array, scratch: Float32Array): string {
  scratch.set(dct);
  scratch.sort();
  const median = scratch[127];
  let hex = '';
  for (let i = 15; i >= 0; i--) {
    let word = 0;
    for (let j = 0; j < 16; j++) if (dct[i * 16 + j] > median) word |= 1 << j;
    hex += HEX[(word >>> 12) & 15] + HEX[(word >>> 8) & 15] + HEX[(word >>> 4) & 15] + HEX[word & 15];
  }
  return hex;
}

let shared: PdqHasher | undefined;

/**
 * PDQ hash and quality of an RGB(A) image. Default `mode: 'image'` matches the reference
 * `pdq-photo-hasher`; video pipelines pass `mode: 'frame'` (vPDQ semantics).
 */
export function pdqFromRGBA(data: Pixels, width: number, height: number, channels: 3 | 4 = 4, options: PdqOptions = {}): PdqResult {
  return (shared ??= new PdqHasher()).hashPixels(data, width, height, channels, options);
}

/** The 8 dihedral hashes (original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1). */
export function pdqDihedralFromRGBA(data: Pixels, width: number, height: number, channels: 3 | 4 = 4, options: PdqOptions = {}): PdqDihedralResult {
  return (shared ??= new PdqHasher()).hashPixelsDihedral(data, width, height, channels, options);
}
