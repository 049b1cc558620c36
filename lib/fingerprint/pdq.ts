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
/**
 * float32(coefficient × byte): exact products, looked up instead of multiplied per pixel. Made on
 * first use, like DCT_MATRIX: the content script carries this module to every page, and most
 * pages never hash a frame (building them at load took about 1.5 ms of a page's script time in a
 * sampling profile).
 */
let lumaTables: { r: Float32Array; g: Float32Array; b: Float32Array } | undefined;
const LUMA_TABLES = () => (lumaTables ??= { r: lumaTable(LUMA_R), g: lumaTable(LUMA_G), b: lumaTable(LUMA_B) });

function lumaTable(coefficient: number): Float32Array {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = coefficient * i;
  return t;
}

/** The 16×64 DCT-II basis (rows = frequencies 1..16), float32 as in the reference. */
let dctMatrix: Float32Array | undefined;
const DCT_MATRIX = (): Float32Array => (dctMatrix ??= dctBasis());

function dctBasis(): Float32Array {
  const m = new Float32Array(16 * 64);
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return m;
}

export function jaroszWindowSize(oldDimension: number, newDimension = 64): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * A PDQ hasher with reusable buffers: hashing many frames of one size allocates nothing per
 * frame. Not re-entrant (one hasher per worker/thread).
 *
 * The tent filter is streamed: rows are turned into luma 4 at a time, box-filtered along the
 * row into a small ring, pushed through the running column sums, and each finished column-pass
 * row immediately gets its second row pass (kept only at the 64 decimated columns). Only a few
 * rows are ever live, so the working set stays in cache; per column the float32 operations
 * happen in exactly the reference order, so the result is bit-identical.
 */
export class PdqHasher {
  private lumaRows = new Float32Array(0); // 4 × cols
  private ring = new Float32Array(0); // ringRows × cols, first row pass
  private ringRows = 0;
  private colSums = new Float32Array(0);
  private staged = new Float32Array(0); // 4 × cols, column-pass output waiting for pass 2
  private stagedCount = 0;
  private stagedFirstRow = 0;
  /** Second row pass, kept only at the 64 decimated columns: rows × 64. */
  private rowsAt64 = new Float32Array(0);
  private readonly decimCols = new Int32Array(64);
  private readonly decimRows = new Int32Array(64);
  private readonly srcCols = new Int32Array(PHOTO_DOWNSAMPLE_DIMS);
  readonly buffer64 = new Float32Array(64 * 64);
  private readonly t16x64 = new Float32Array(16 * 64);
  /** The last image's 16×16 DCT (row-major, row = vertical frequency). */
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
   * `region` hashes a sub-rectangle of the pixels (used for border removal and crops).
   */
  dctFromPixels(data: Pixels, width: number, height: number, channels: 3 | 4, options: PdqOptions = {}, region?: Region): number {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new Error(`PDQ: bad image size ${width}x${height}`);
    }
    if (channels !== 3 && channels !== 4) throw new Error(`PDQ: channels must be 3 or 4, not ${channels}`);
    if (data.length < width * height * channels) {
      throw new Error(`PDQ: pixel buffer too small for ${width}x${height}x${channels} (${data.length} bytes)`);
    }
    const r = region ?? { x: 0, y: 0, width, height };
    if (r.x < 0 || r.y < 0 || r.width < 0 || r.height < 0 || r.x + r.width > width || r.y + r.height > height) {
      throw new Error(`PDQ: region ${JSON.stringify(r)} outside ${width}x${height}`);
    }
    let rows = r.height;
    let cols = r.width;
    const photoResize = (options.mode ?? 'image') === 'image' && (cols > PHOTO_DOWNSAMPLE_DIMS || rows > PHOTO_DOWNSAMPLE_DIMS);
    if (photoResize) rows = cols = PHOTO_DOWNSAMPLE_DIMS;
    if (rows < MIN_HASHABLE_DIM || cols < MIN_HASHABLE_DIM) return -1;
    const src: LumaSource = {
      data,
      rowStride: width * channels,
      channels,
      x0: r.x,
      y0: r.y,
      srcRows: r.height,
      srcCols: r.width,
      dstRows: rows,
      nearest: photoResize,
    };
    if (photoResize) for (let x = 0; x < cols; x++) this.srcCols[x] = Math.floor((x * r.width) / cols);
    this.filterAndDecimate(src, rows, cols);
    const quality = qualityMetric(this.buffer64);
    dct64To16(this.buffer64, this.t16x64, this.dct16);
    return quality;
  }

  private filterAndDecimate(src: LumaSource, rows: number, cols: number): void {
    const winAlongRows = jaroszWindowSize(cols);
    const win = jaroszWindowSize(rows); // along columns
    this.ensure(rows, cols, win);
    for (let i = 0; i < 64; i++) {
      this.decimRows[i] = Math.floor(((i + 0.5) * rows) / 64);
      this.decimCols[i] = Math.floor(((i + 0.5) * cols) / 64);
    }
    const sums = this.colSums;
    sums.fill(0, 0, cols);
    this.stagedCount = 0;
    this.stagedFirstRow = 0;
    // Column-pass phases (see boxRow): p1 rows only accumulate, then every new row emits one
    // output row; once `win` rows are in, each new row also subtracts the row `win` back.
    const half = Math.floor((win + 2) / 2);
    const p1 = half - 1;
    const ringRows = this.ringRows;
    const ring = this.ring;
    const staged = this.staged;
    let n = 0;
    let outRow = 0;
    for (let r0 = 0; r0 < rows; r0 += 4) {
      const count = Math.min(4, rows - r0);
      this.fillLumaRows(src, r0, count, cols);
      const slot = r0 % ringRows; // ringRows is a multiple of 4, so the 4 slots are contiguous
      if (count === 4) boxRows4(this.lumaRows, this.ring, 0, slot * cols, cols, winAlongRows);
      else for (let k = 0; k < count; k++) boxRow(this.lumaRows, this.ring, k * cols, (slot + k) * cols, cols, winAlongRows);
      for (let k = 0; k < count; k++) {
        const ri = r0 + k;
        const add = ((ri % ringRows) * cols) | 0;
        if (ri < p1) {
          n++;
          colAdd(sums, ring, add, cols);
          continue;
        }
        const out = this.stageRow(outRow++);
        if (ri < win) colAddEmit(sums, ring, add, staged, out, cols, ++n);
        else colAddSubEmit(sums, ring, add, (((ri - win) % ringRows) * cols) | 0, staged, out, cols, n);
        this.flushStagedIfFull(cols, winAlongRows);
      }
    }
    for (let li = rows - win; outRow < rows; li++) {
      const out = this.stageRow(outRow++);
      colSubEmit(sums, ring, ((li % ringRows) * cols) | 0, staged, out, cols, --n);
      this.flushStagedIfFull(cols, winAlongRows);
    }
    this.flushStaged(cols, winAlongRows);
    boxColsSampled(this.rowsAt64, this.buffer64, rows, win, this.decimRows);
  }

  /** Offset in `staged` for column-pass output row `row`. */
  private stageRow(row: number): number {
    if (this.stagedCount === 0) this.stagedFirstRow = row;
    return (this.stagedCount++ * (this.staged.length >> 2)) | 0;
  }

  private flushStagedIfFull(cols: number, win: number): void {
    if (this.stagedCount === 4) this.flushStaged(cols, win);
  }

  /** Second row pass on the staged column-pass rows, only at the decimated columns. */
  private flushStaged(cols: number, win: number): void {
    const stride = this.staged.length >> 2;
    if (this.stagedCount === 4 && stride === cols) {
      boxRows4Sampled(this.staged, this.rowsAt64, 0, this.stagedFirstRow * 64, cols, win, this.decimCols);
    } else {
      for (let k = 0; k < this.stagedCount; k++) {
        boxRowSampled(this.staged, this.rowsAt64, k * stride, (this.stagedFirstRow + k) * 64, cols, win, this.decimCols);
      }
    }
    this.stagedCount = 0;
  }

  private ensure(rows: number, cols: number, win: number): void {
    if (this.lumaRows.length !== 4 * cols) {
      this.lumaRows = new Float32Array(4 * cols);
      this.staged = new Float32Array(4 * cols);
      this.colSums = new Float32Array(cols);
      this.ringRows = 0;
    }
    const ringRows = (Math.ceil((win + 1) / 4) + 1) * 4;
    if (this.ringRows !== ringRows) {
      this.ringRows = ringRows;
      this.ring = new Float32Array(ringRows * cols);
    }
    if (this.rowsAt64.length < rows * 64) this.rowsAt64 = new Float32Array(rows * 64);
  }

  /** Luma of rows [r0, r0+count) of the (possibly resized) image into `lumaRows`. */
  private fillLumaRows(src: LumaSource, r0: number, count: number, cols: number): void {
    const { data, rowStride, channels, x0, y0, srcRows, dstRows, nearest } = src;
    const out = this.lumaRows;
    const f = Math.fround;
    // Locals, not module constants: V8 would re-load (and hole-check) those in the hot loop.
    const { r: lr, g: lg, b: lb } = LUMA_TABLES();
    for (let k = 0; k < count; k++) {
      const y = r0 + k;
      const sy = nearest ? Math.floor((y * srcRows) / dstRows) : y;
      const base = (y0 + sy) * rowStride + x0 * channels;
      const ob = k * cols;
      if (nearest) {
        const sc = this.srcCols;
        for (let x = 0; x < cols; x++) {
          const o = base + sc[x] * channels;
          out[ob + x] = f(lr[data[o]] + lg[data[o + 1]]) + lb[data[o + 2]];
        }
      } else if (channels === 4) {
        for (let p = ob, o = base, end = ob + cols; p < end; p++, o += 4) out[p] = f(lr[data[o]] + lg[data[o + 1]]) + lb[data[o + 2]];
      } else {
        for (let p = ob, o = base, end = ob + cols; p < end; p++, o += 3) out[p] = f(lr[data[o]] + lg[data[o + 1]]) + lb[data[o + 2]];
      }
    }
  }
}

/** A rectangle of an image, in pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface LumaSource {
  data: Pixels;
  rowStride: number;
  channels: number;
  x0: number;
  y0: number;
  srcRows: number;
  srcCols: number;
  /** Rows after the photo resize (only read when `nearest`). */
  dstRows: number;
  nearest: boolean;
}

// Column-pass steps: one input row updates every column's running float32 sum (the reference
// walks each column separately; the per-column operation order is the same).
function colAdd(sums: Float32Array, ring: Float32Array, add: number, cols: number): void {
  for (let c = 0; c < cols; c++) sums[c] += ring[add + c];
}

function colAddEmit(sums: Float32Array, ring: Float32Array, add: number, out: Float32Array, o: number, cols: number, n: number): void {
  const f = Math.fround;
  for (let c = 0; c < cols; c++) {
    const v = f(sums[c] + ring[add + c]);
    sums[c] = v;
    out[o + c] = v / n;
  }
}

function colAddSubEmit(sums: Float32Array, ring: Float32Array, add: number, sub: number, out: Float32Array, o: number, cols: number, n: number): void {
  const f = Math.fround;
  for (let c = 0; c < cols; c++) {
    const v = f(f(sums[c] + ring[add + c]) - ring[sub + c]);
    sums[c] = v;
    out[o + c] = v / n;
  }
}

function colSubEmit(sums: Float32Array, ring: Float32Array, sub: number, out: Float32Array, o: number, cols: number, n: number): void {
  const f = Math.fround;
  for (let c = 0; c < cols; c++) {
    const v = f(sums[c] - ring[sub + c]);
    sums[c] = v;
    out[o + c] = v / n;
  }
}

/** One row of the reference `box1DFloat` (stride 1). Float32 running sum. */
function boxRow(input: Float32Array, output: Float32Array, start: number, outStart: number, len: number, win: number): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = len - win;
  const p4 = half - 1;
  let ri = start;
  let li = start;
  let oi = outStart;
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
 * `boxRow` on 4 consecutive rows at once: four independent float32 running sums keep the CPU
 * busy while each sum waits on its own rounding (a single chain is latency-bound).
 */
function boxRows4(input: Float32Array, output: Float32Array, start: number, outStart: number, len: number, win: number): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = len - win;
  const p4 = half - 1;
  const d1 = len;
  const d2 = 2 * len;
  const d3 = 3 * len;
  let ri = start;
  let li = start;
  let oi = outStart;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let n = 0;
  for (let i = 0; i < p1; i++, ri++) {
    s0 = f(s0 + input[ri]);
    s1 = f(s1 + input[ri + d1]);
    s2 = f(s2 + input[ri + d2]);
    s3 = f(s3 + input[ri + d3]);
    n++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    n++;
    s0 = f(s0 + input[ri]);
    s1 = f(s1 + input[ri + d1]);
    s2 = f(s2 + input[ri + d2]);
    s3 = f(s3 + input[ri + d3]);
    output[oi] = s0 / n;
    output[oi + d1] = s1 / n;
    output[oi + d2] = s2 / n;
    output[oi + d3] = s3 / n;
  }
  for (let i = 0; i < p3; i++, ri++, li++, oi++) {
    s0 = f(f(s0 + input[ri]) - input[li]);
    s1 = f(f(s1 + input[ri + d1]) - input[li + d1]);
    s2 = f(f(s2 + input[ri + d2]) - input[li + d2]);
    s3 = f(f(s3 + input[ri + d3]) - input[li + d3]);
    output[oi] = s0 / n;
    output[oi + d1] = s1 / n;
    output[oi + d2] = s2 / n;
    output[oi + d3] = s3 / n;
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    n--;
    s0 = f(s0 - input[li]);
    s1 = f(s1 - input[li + d1]);
    s2 = f(s2 - input[li + d2]);
    s3 = f(s3 - input[li + d3]);
    output[oi] = s0 / n;
    output[oi + d1] = s1 / n;
    output[oi + d2] = s2 / n;
    output[oi + d3] = s3 / n;
  }
}

/** `boxRowSampled` on 4 consecutive rows at once (see `boxRows4`). */
function boxRows4Sampled(input: Float32Array, out: Float32Array, start: number, outStart: number, len: number, win: number, at: Int32Array): void {
  const f = Math.fround;
  const half = Math.floor((win + 2) / 2);
  const p1 = half - 1;
  const p2 = win - half + 1;
  const p3 = len - win;
  const p4 = half - 1;
  const d1 = len;
  const d2 = 2 * len;
  const d3 = 3 * len;
  let ri = start;
  let li = start;
  let o = 0;
  let next = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let n = 0;
  for (let i = 0; i < p1; i++, ri++) {
    s0 = f(s0 + input[ri]);
    s1 = f(s1 + input[ri + d1]);
    s2 = f(s2 + input[ri + d2]);
    s3 = f(s3 + input[ri + d3]);
    n++;
  }
  for (let i = 0; i < p2; i++, ri++, o++) {
    n++;
    s0 = f(s0 + input[ri]);
    s1 = f(s1 + input[ri + d1]);
    s2 = f(s2 + input[ri + d2]);
    s3 = f(s3 + input[ri + d3]);
    while (next < 64 && at[next] === o) {
      const q = outStart + next++;
      out[q] = s0 / n;
      out[q + 64] = s1 / n;
      out[q + 128] = s2 / n;
      out[q + 192] = s3 / n;
    }
  }
  for (let i = 0; i < p3; i++, ri++, li++, o++) {
    s0 = f(f(s0 + input[ri]) - input[li]);
    s1 = f(f(s1 + input[ri + d1]) - input[li + d1]);
    s2 = f(f(s2 + input[ri + d2]) - input[li + d2]);
    s3 = f(f(s3 + input[ri + d3]) - input[li + d3]);
    while (next < 64 && at[next] === o) {
      const q = outStart + next++;
      out[q] = s0 / n;
      out[q + 64] = s1 / n;
      out[q + 128] = s2 / n;
      out[q + 192] = s3 / n;
    }
  }
  for (let i = 0; i < p4; i++, li++, o++) {
    n--;
    s0 = f(s0 - input[li]);
    s1 = f(s1 - input[li + d1]);
    s2 = f(s2 - input[li + d2]);
    s3 = f(s3 - input[li + d3]);
    while (next < 64 && at[next] === o) {
      const q = outStart + next++;
      out[q] = s0 / n;
      out[q + 64] = s1 / n;
      out[q + 128] = s2 / n;
      out[q + 192] = s3 / n;
    }
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
  const d = DCT_MATRIX();
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
