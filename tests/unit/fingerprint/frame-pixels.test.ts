/**
 * Frames of a page's <video> are read as WebCodecs VideoFrames and shrunk while their YUV planes
 * are converted (lib/fingerprint/frame-pixels.ts): the hash must stay close to the full-size one
 * the checker makes of the same frame, or a picture would not be confirmed against its file.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shrinkFactor, yuvToRgba, yuvToRgbaShrunk } from '../../../lib/fingerprint/frame-pixels';
import { PdqHasher } from '../../../lib/fingerprint/pdq';
import { hamming, hexToHash } from '../../../lib/fingerprint/hash256';
import { C2PA_FIXTURES, PDQ_FIXTURES } from '../../paths';

function i420(file: string, t: number): { planes: Uint8Array; width: number; height: number } {
  const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file]).toString().trim().split(',').map(Number);
  const planes = new Uint8Array(execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 1 << 26 }));
  return { planes, width, height };
}

describe('frame pixels', () => {
  it('picks the smallest whole factor under the pixel budget', () => {
    expect(shrinkFactor(640, 360, 640 * 360)).toBe(1);
    expect(shrinkFactor(1280, 720, 640 * 360)).toBe(2);
    expect(shrinkFactor(720, 1280, 640 * 360)).toBe(2);
    expect(shrinkFactor(1920, 1080, 640 * 360)).toBe(3);
    expect(shrinkFactor(3840, 2160, 640 * 360)).toBe(6);
  });

  it('a frame shrunk while converting hashes within a few bits of the full-size frame', () => {
    const hasher = new PdqHasher();
    const distances: number[] = [];
    for (const [file, t] of [[join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'), 0], [join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'), 1], [join(PDQ_FIXTURES, 'videos/doorknob-hd-no-bar.mp4'), 0], [join(PDQ_FIXTURES, 'videos/pattern-hd-no-bar.mp4'), 1], [join(PDQ_FIXTURES, 'videos/chair-orig-22-sd-bar.mp4'), 1]] as const) {
      const { planes, width, height } = i420(file, t);
      const layout = [
        { offset: 0, stride: width },
        { offset: width * height, stride: width / 2 },
        { offset: width * height * 1.25, stride: width / 2 },
      ];
      const full = new Uint8ClampedArray(width * height * 4);
      yuvToRgba(planes, layout, 'I420', width, height, full);
      const ref = hasher.hashPixels(full, width, height, 4, { mode: 'frame' });
      const f = shrinkFactor(width, height, 640 * 360);
      const w = Math.floor(width / f);
      const h = Math.floor(height / f);
      const small = new Uint8ClampedArray(w * h * 4);
      yuvToRgbaShrunk(planes, layout, 'I420', w, h, f, small);
      const got = hasher.hashPixels(small, w, h, 4, { mode: 'frame' });
      if (ref.quality >= 50) distances.push(hamming(hexToHash(ref.hash), hexToHash(got.hash)));
    }
    expect(distances.length).toBeGreaterThanOrEqual(4);
    // The element/file agreement rule allows 31 bits (lib/picture.ts): the shrink may spend only a little of it.
    expect(Math.max(...distances)).toBeLessThanOrEqual(12);
  });
});
