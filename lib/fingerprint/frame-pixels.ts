/**
 * A decoded VideoFrame as RGBA pixels, for PDQ: used by the checker's WebCodecs pipeline
 * (browser-frames.ts) and by the content script for frames of a page's <video> (element-frames.ts).
 * No DOM and no mp4box here, so the content script's bundle stays small.
 */
/**
 * Turns VideoFrames into RGBA pixels, reusing buffers. Planar YUV (I420/I420A/I422/I444/NV12)
 * is converted here with ffmpeg's default matrix; anything else goes through a canvas.
 */
export class FrameReader {
  width = 0;
  height = 0;
  usedCanvas = false;
  private planes = new Uint8Array(0);
  private rgba = new Uint8ClampedArray(0);
  private canvas?: OffscreenCanvas;
  private ctx?: OffscreenCanvasRenderingContext2D;

  /**
   * `maxPixels`: a larger frame is shrunk by a whole factor (f×f blocks of luma averaged while
   * converting: the box filter PDQ itself applies when it decimates, so the hash barely moves).
   */
  async read(frame: VideoFrame, maxPixels = Infinity): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
    const visible = frame.visibleRect;
    const rect = visible ? { x: visible.x, y: visible.y, width: visible.width, height: visible.height } : { x: 0, y: 0, width: frame.codedWidth, height: frame.codedHeight };
    const f = shrinkFactor(rect.width, rect.height, maxPixels);
    const width = Math.floor(rect.width / f);
    const height = Math.floor(rect.height / f);
    this.width = width;
    this.height = height;
    if (this.rgba.length !== width * height * 4) this.rgba = new Uint8ClampedArray(width * height * 4);
    const format = frame.format;
    if (format === 'I420' || format === 'I420A' || format === 'I422' || format === 'I444' || format === 'NV12') {
      const size = frame.allocationSize({ rect });
      if (this.planes.length < size) this.planes = new Uint8Array(size);
      const layout = await frame.copyTo(this.planes, { rect });
      if (f === 1) yuvToRgba(this.planes, layout, format, width, height, this.rgba);
      else yuvToRgbaShrunk(this.planes, layout, format, width, height, f, this.rgba);
      return { data: this.rgba, width, height };
    }
    return this.viaCanvas(frame, rect, width, height);
  }

  private viaCanvas(frame: VideoFrame, rect: { x: number; y: number; width: number; height: number }, width: number, height: number) {
    this.usedCanvas = true;
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = new OffscreenCanvas(width, height);
      this.ctx = this.canvas.getContext('2d', { willReadFrequently: true }) ?? undefined;
      if (!this.ctx) throw new Error('no 2D canvas available to read video frames');
    }
    this.ctx!.drawImage(frame, rect.x, rect.y, rect.width, rect.height, 0, 0, width, height);
    const img = this.ctx!.getImageData(0, 0, width, height);
    return { data: img.data, width, height };
  }
}

/** Where a plane starts in the copied buffer and how many bytes one of its rows takes. */
export interface PlaneLayout {
  offset: number;
  stride: number;
}

/**
 * YUV → RGB exactly as ffmpeg's swscale does it for vPDQ on x86 (the unscaled yuv2rgb SIMD path
 * for widths that are a multiple of 8): BT.601 limited range, nearest chroma, 16-bit fixed point
 * with (a·b)>>16 products and saturation. Same decoder output + same arithmetic = same hash.
 */
const Y_COEFF = 9539; // round(255/219 · 2^13)
const VR_COEFF = 13075; // 1.596 · 2^13
const UB_COEFF = 16525; // 2.017 · 2^13
const UG_COEFF = -3209; // -0.392 · 2^13
const VG_COEFF = -6660; // -0.813 · 2^13

export function yuvToRgba(src: Uint8Array, layout: PlaneLayout[], format: string, width: number, height: number, out: Uint8ClampedArray): void {
  const [yl, ul, vl] = layout;
  const nv12 = format === 'NV12';
  const cw = format === 'I444' ? 0 : 1; // chroma x shift
  const ch = format === 'I420' || format === 'I420A' || nv12 ? 1 : 0; // chroma y shift
  for (let y = 0; y < height; y++) {
    const yRow = yl.offset + y * yl.stride;
    const cy = y >> ch;
    const uRow = ul.offset + cy * ul.stride;
    const vRow = nv12 ? uRow + 1 : vl.offset + cy * vl.stride;
    let o = y * width * 4;
    for (let x = 0; x < width; x++, o += 4) {
      const cx = nv12 ? (x >> cw) * 2 : x >> cw;
      const Y = ((src[yRow + x] * 8 - 128) * Y_COEFF) >> 16;
      const U = src[uRow + cx] * 8 - 1024;
      const V = src[vRow + cx] * 8 - 1024;
      out[o] = Y + ((V * VR_COEFF) >> 16); // Uint8ClampedArray saturates like packuswb
      out[o + 1] = Y + ((U * UG_COEFF) >> 16) + ((V * VG_COEFF) >> 16);
      out[o + 2] = Y + ((U * UB_COEFF) >> 16);
      out[o + 3] = 255;
    }
  }
}

/** The smallest whole factor that brings width × height under `maxPixels`. */
export function shrinkFactor(width: number, height: number, maxPixels: number): number {
  let f = 1;
  while ((width / f) * (height / f) > maxPixels && f < 64) f++;
  return f;
}

/**
 * yuvToRgba of a frame shrunk f times: each output pixel's luma is the mean of an f×f block, its
 * chroma the block centre's sample (4:2:0 chroma is already shared by 2×2 blocks).
 */
export function yuvToRgbaShrunk(src: Uint8Array, layout: PlaneLayout[], format: string, width: number, height: number, f: number, out: Uint8ClampedArray): void {
  const [yl, ul, vl] = layout;
  const nv12 = format === 'NV12';
  const cw = format === 'I444' ? 0 : 1;
  const ch = format === 'I420' || format === 'I420A' || nv12 ? 1 : 0;
  const area = f * f;
  const half = f >> 1;
  for (let y = 0; y < height; y++) {
    const y0 = y * f;
    const cy = (y0 + half) >> ch;
    const uRow = ul.offset + cy * ul.stride;
    const vRow = nv12 ? uRow + 1 : vl.offset + cy * vl.stride;
    let o = y * width * 4;
    const row0 = yl.offset + y0 * yl.stride;
    const row1 = row0 + yl.stride;
    for (let x = 0; x < width; x++, o += 4) {
      const x0 = x * f;
      let sum: number;
      if (f === 2) {
        // The common case (720p, portrait 720p), unrolled.
        sum = src[row0 + x0] + src[row0 + x0 + 1] + src[row1 + x0] + src[row1 + x0 + 1];
      } else {
        sum = 0;
        for (let dy = 0; dy < f; dy++) {
          const row = row0 + dy * yl.stride + x0;
          for (let dx = 0; dx < f; dx++) sum += src[row + dx];
        }
      }
      const cx = nv12 ? ((x0 + half) >> cw) * 2 : (x0 + half) >> cw;
      const Y = ((((sum / area + 0.5) | 0) * 8 - 128) * Y_COEFF) >> 16;
      const U = src[uRow + cx] * 8 - 1024;
      const V = src[vRow + cx] * 8 - 1024;
      out[o] = Y + ((V * VR_COEFF) >> 16);
      out[o + 1] = Y + ((U * UG_COEFF) >> 16) + ((V * VG_COEFF) >> 16);
      out[o + 2] = Y + ((U * UB_COEFF) >> 16);
      out[o + 3] = 255;
    }
  }
}
