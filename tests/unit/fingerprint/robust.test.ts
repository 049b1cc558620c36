import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { BAND, bandRegion, detectBorders, findInsets, FrameFingerprinter, InsetFinder, LIST_CROPS, LIST_SAMPLING, StaticMargins, cropRegion, listSampling, VideoFingerprintBuilder } from '../../../lib/fingerprint/robust';
import { pdqFromRGBA } from '../../../lib/fingerprint/pdq';
import { hammingHex } from '../../../lib/fingerprint/hash256';
import { MATCH_RULE } from '../../../lib/fingerprint/match';
import { IMAGES, decodeImage } from './helpers/fixtures';

/** A real photo (256x256) as RGB content, so hashes are meaningful. */
const photo = (() => {
  const img = decodeImage(join(IMAGES, 'decoded-png/q2821.decoded.png'));
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++) rgb.set(img.data.subarray(p * 4, p * 4 + 3), p * 3);
  return { data: rgb, width: img.width, height: img.height };
})();

/** Another photo, doubled to 512x512 (nearest neighbour): footage to put a picture over. */
const backdrop = (() => {
  const img = decodeImage(join(IMAGES, 'decoded-png/q0003.decoded.png'));
  const w = img.width * 2;
  const h = img.height * 2;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(img.data.subarray(((y >> 1) * img.width + (x >> 1)) * 4, ((y >> 1) * img.width + (x >> 1)) * 4 + 3), (y * w + x) * 3);
  return { data: rgb, width: w, height: h };
})();

let seed = 7;
const noise = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 16) / 65536;
};

/** Places `content` at (x, y) in a frame filled with `colour` (± `jitter` per channel, like compression noise). */
function framed(content: { data: Uint8Array; width: number; height: number }, width: number, height: number, x: number, y: number, colour: [number, number, number], jitter = 0) {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, colour[c] + Math.round((noise() * 2 - 1) * jitter)));
  }
  for (let r = 0; r < content.height; r++) data.set(content.data.subarray(r * content.width * 3, (r + 1) * content.width * 3), ((y + r) * width + x) * 3);
  return { data, width, height };
}

function cropPixels(img: { data: Uint8Array; width: number }, r: { x: number; y: number; width: number; height: number }) {
  const out = new Uint8Array(r.width * r.height * 3);
  for (let y = 0; y < r.height; y++) out.set(img.data.subarray(((r.y + y) * img.width + r.x) * 3, ((r.y + y) * img.width + r.x + r.width) * 3), y * r.width * 3);
  return out;
}

describe('detectBorders', () => {
  it('finds black letterbox bars exactly', () => {
    const f = framed(photo, 256, 356, 0, 50, [0, 0, 0]);
    expect(detectBorders(f.data, f.width, f.height, 3)).toEqual({ x: 0, y: 50, width: 256, height: 256 });
  });

  it('finds noisy grey pillarbox bars (compression noise) on both sides', () => {
    const f = framed(photo, 400, 256, 72, 0, [48, 48, 48], 6);
    expect(detectBorders(f.data, f.width, f.height, 3)).toEqual({ x: 72, y: 0, width: 256, height: 256 });
  });

  it('finds a windowbox (all four sides) and bars of any colour', () => {
    const f = framed(photo, 300, 320, 20, 30, [200, 30, 90]);
    expect(detectBorders(f.data, f.width, f.height, 3)).toEqual({ x: 20, y: 30, width: 256, height: 256 });
  });

  it('finds nothing in a frame without bars, a uniform frame, or a smooth gradient', () => {
    expect(detectBorders(photo.data, photo.width, photo.height, 3)).toBeNull();
    expect(detectBorders(new Uint8Array(64 * 64 * 3).fill(20), 64, 64, 3)).toBeNull();
    const gradient = new Uint8Array(320 * 240 * 3);
    for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) gradient.fill(Math.round((x / 320) * 60) + 100, (y * 320 + x) * 3, (y * 320 + x) * 3 + 3);
    expect(detectBorders(gradient, 320, 240, 3)).toBeNull();
  });

  it('ignores bars that would leave less than a fifth of the frame', () => {
    const f = framed({ data: photo.data.slice(0, 256 * 40 * 3), width: 256, height: 40 }, 256, 400, 0, 180, [0, 0, 0]);
    expect(detectBorders(f.data, f.width, f.height, 3)).toBeNull();
  });
});

describe('FrameFingerprinter', () => {
  it('keeps the whole-frame hash as the main pdq and adds the bar-free hash', () => {
    const f = framed(photo, 256, 356, 0, 50, [0, 0, 0]);
    const h = new FrameFingerprinter().hashFrame(f.data, f.width, f.height, 3);
    expect(h.pdq).toBe(pdqFromRGBA(f.data, f.width, f.height, 3, { mode: 'frame' }).hash);
    const content = pdqFromRGBA(photo.data, photo.width, photo.height, 3, { mode: 'frame' }).hash;
    expect(h.alternates.find((a) => a.why === 'borders')?.pdq).toBe(content);
    expect(h!.borders).toEqual({ x: 0, y: 50, width: 256, height: 256 });
  });

  it('the mirror alternate is near the hash of the mirrored frame', () => {
    // Not bit-exact: the tent filter and the decimation grid are not perfectly symmetric (a
    // fraction of a pixel), which matters little on a video-sized frame (here 1600x1004).
    const img = decodeImage(join(IMAGES, 'decoded-png/aaa-orig.decoded.png'));
    const { width, height } = img;
    const mirrored = new Uint8Array(img.data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) mirrored.set(img.data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4), (y * width + width - 1 - x) * 4);
    }
    const h = new FrameFingerprinter().hashFrame(img.data, width, height, 4);
    const mirror = h.alternates.find((a) => a.why === 'mirror')!.pdq;
    const truth = pdqFromRGBA(mirrored, width, height, 4, { mode: 'frame' }).hash;
    expect(hammingHex(mirror, truth)).toBeLessThanOrEqual(16);
    expect(hammingHex(h.pdq, truth)).toBeGreaterThan(MATCH_RULE.distanceMax);
  });

  it('list crops are exactly the hashes of the cropped pixels', () => {
    const h = new FrameFingerprinter({ crops: true, mirror: false }).hashFrame(photo.data, photo.width, photo.height, 3);
    const full = { x: 0, y: 0, width: photo.width, height: photo.height };
    for (const spec of LIST_CROPS) {
      const r = cropRegion(full, spec)!;
      const expected = pdqFromRGBA(cropPixels(photo, r), r.width, r.height, 3, { mode: 'frame' });
      if (expected.quality < MATCH_RULE.qualityMin) continue;
      expect(h.alternates.find((a) => a.why === spec.why)?.pdq, spec.why).toBe(expected.hash);
    }
  });

  it('no alternates for frames too flat to count', () => {
    const flat = new Uint8Array(128 * 128 * 3).fill(90);
    const h = new FrameFingerprinter({ crops: true }).hashFrame(flat, 128, 128, 3);
    expect(h.quality).toBeLessThan(MATCH_RULE.qualityMin);
    expect(h.alternates).toEqual([]);
  });
});

describe('VideoFingerprintBuilder', () => {
  it('reuses the bars two frames agreed on when a dark frame hides them, and marks that frame as flat', () => {
    const b = new VideoFingerprintBuilder({ mirror: false });
    const bright = framed(photo, 256, 356, 0, 50, [0, 0, 0]);
    b.add(0, 0, bright.data, 256, 356, 3);
    b.add(30, 1, bright.data, 256, 356, 3);
    // A nearly black scene inside the same bars: the bars cannot be told apart from it.
    const dark = framed({ data: photo.data.map((v) => v >> 5), width: 256, height: 256 }, 256, 356, 0, 50, [0, 0, 0]);
    expect(detectBorders(dark.data, 256, 356, 3)).toBeNull();
    const h = b.add(60, 2, dark.data, 256, 356, 3);
    expect(h!.borders).toEqual({ x: 0, y: 50, width: 256, height: 256 });
    const fp = b.finish();
    expect(fp.frames.map((f) => f.frame)).toEqual([0, 30, 60]);
    expect(fp.frames[2].quality).toBeLessThanOrEqual(pdqFromRGBA(dark.data, 256, 356, 3, { mode: 'frame' }).quality);
    expect(fp.alternates!.every((a) => a.of < 3)).toBe(true);
  });

  it("tells a frame's own hash and quality (bars taken into account) before it works out the alternates", () => {
    const b = new VideoFingerprintBuilder({ insets: true, bands: true });
    const barred = framed(photo, 256, 356, 0, 50, [0, 0, 0]);
    const order: string[] = [];
    const insets = vi.spyOn(InsetFinder.prototype, 'add').mockImplementation(() => (order.push('insets'), []));
    const heard: { pdq: string; quality: number }[] = [];
    const h = b.add(0, 0, barred.data, 256, 356, 3, true, (pdq, quality) => (order.push('settled'), heard.push({ pdq, quality })));
    insets.mockRestore();
    expect(heard).toEqual([{ pdq: h!.pdq, quality: h!.quality }]);
    expect(h!.borders).toEqual({ x: 0, y: 50, width: 256, height: 256 });
    expect(order).toEqual(['settled', 'insets']);
    // A frame the distinct-frame sampling skips is not heard of.
    const d = new VideoFingerprintBuilder({ mirror: false, distinctBits: LIST_SAMPLING.distinctBits });
    const calls: string[] = [];
    d.add(0, 0, photo.data, 256, 256, 3, true, (pdq) => calls.push(pdq));
    expect(d.add(1, 1 / 30, photo.data, 256, 256, 3, false, (pdq) => calls.push(pdq))).toBeNull();
    expect(calls).toHaveLength(1);
  });
});

/** `img` turned 90° clockwise (RGB). */
function turned90(img: { data: Uint8Array; width: number; height: number }) {
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(img.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), (x * h + (h - 1 - y)) * 3);
  return { data: out, width: h, height: w };
}

/** `img` shifted by (dx, dy) pixels with its edges repeated: a moving picture. */
function shifted(img: { data: Uint8Array; width: number; height: number }, dx: number, dy: number) {
  const { width: w, height: h } = img;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.max(0, x + dx));
      const sy = Math.min(h - 1, Math.max(0, y + dy));
      out.set(img.data.subarray((sy * w + sx) * 3, (sy * w + sx) * 3 + 3), (y * w + x) * 3);
    }
  }
  return { data: out, width: w, height: h };
}

describe('rotations (query side)', () => {
  it('a frame turned by 90° finds the original through its rotation alternates', () => {
    const original = pdqFromRGBA(photo.data, photo.width, photo.height, 3, { mode: 'frame' }).hash;
    const t = turned90(photo);
    const plain = new FrameFingerprinter({ mirror: false, rotations: false }).hashFrame(t.data, t.width, t.height, 3);
    expect(hammingHex(plain.pdq, original)).toBeGreaterThan(MATCH_RULE.distanceMax);
    const h = new FrameFingerprinter({ mirror: false, rotations: true }).hashFrame(t.data, t.width, t.height, 3);
    expect(h.alternates.map((a) => a.why)).toEqual(['rotate90', 'rotate180', 'rotate270']);
    // Not bit-exact: PDQ's decimation samples other pixel centres once the frame is turned.
    expect(Math.min(...h.alternates.map((a) => hammingHex(a.pdq, original)))).toBeLessThanOrEqual(MATCH_RULE.distanceMax);
  });
});

describe('StaticMargins (meme frames)', () => {
  // The photo at 200x200 moving inside a 256x320 white frame whose top and bottom bars carry "text".
  const frame = (step: number) => {
    const content = shifted({ data: cropPixels(photo, { x: 0, y: 0, width: 200, height: 200 }), width: 200, height: 200 }, 3 * step, 2 * step);
    const f = framed(content, 256, 320, 28, 60, [255, 255, 255], 3);
    for (let y = 15; y < 40; y++) for (let x = 40; x < 216; x++) if ((x >> 3) % 2 === 0) f.data.fill(0, (y * 256 + x) * 3, (y * 256 + x) * 3 + 3);
    for (let y = 275; y < 300; y++) for (let x = 60; x < 196; x++) if ((x >> 2) % 3 === 0) f.data.fill(0, (y * 256 + x) * 3, (y * 256 + x) * 3 + 3);
    return f;
  };

  it('the bar detector does not see bars that carry text; the still margins give the moving picture', () => {
    const f0 = frame(0);
    expect(detectBorders(f0.data, 256, 320, 3)).not.toEqual({ x: 28, y: 60, width: 200, height: 200 });
    const m = new StaticMargins();
    expect(m.add(f0.data, 256, 320, 3)).toBeNull(); // one frame: nothing moved yet
    const r = m.add(frame(1).data, 256, 320, 3);
    expect(r).not.toBeNull();
    // Within a few pixels of the picture (its own edge rows may happen not to change).
    expect(Math.abs(r!.y - 60)).toBeLessThanOrEqual(4);
    expect(Math.abs(r!.y + r!.height - 260)).toBeLessThanOrEqual(4);
    expect(Math.abs(r!.x - 28)).toBeLessThanOrEqual(4);
  });

  it('a still video, or one moving to the edges, reports no region', () => {
    const still = new StaticMargins();
    still.add(photo.data, 256, 256, 3);
    expect(still.add(photo.data, 256, 256, 3)).toBeNull();
    const full = new StaticMargins();
    full.add(photo.data, 256, 256, 3);
    expect(full.add(shifted(photo, 5, 5).data, 256, 256, 3)).toBeNull();
  });

  it('the builder adds the moving-region hash once margins are known, and it is near the picture', () => {
    const b = new VideoFingerprintBuilder({ mirror: false, margins: true });
    b.add(0, 0, frame(0).data, 256, 320, 3);
    const f1 = frame(1);
    const h = b.add(30, 1, f1.data, 256, 320, 3)!;
    const moving = h.alternates.find((a) => a.why === 'moving');
    expect(moving).toBeDefined();
    const picture = cropPixels(f1, { x: 28, y: 60, width: 200, height: 200 });
    const truth = pdqFromRGBA(picture, 200, 200, 3, { mode: 'frame' }).hash;
    expect(hammingHex(moving!.pdq, truth)).toBeLessThanOrEqual(MATCH_RULE.distanceMax);
    expect(hammingHex(h.pdq, truth)).toBeGreaterThan(hammingHex(moving!.pdq, truth));
  });
});

describe('distinct-frame sampling (listed videos)', () => {
  it('keeps vPDQ frames always, other frames only when they differ, and crops only on vPDQ frames', () => {
    const b = new VideoFingerprintBuilder({ mirror: false, crops: true, distinctBits: LIST_SAMPLING.distinctBits });
    const moving = [0, 1, 2, 3, 4, 5].map((i) => shifted(photo, 6 * i, 0));
    const kept: number[] = [];
    for (let n = 0; n < 6; n++) if (b.add(n, n / 30, moving[n].data, 256, 256, 3, n === 0)) kept.push(n);
    // A repeated (still) frame costs nothing, unless it is one of vPDQ's frames.
    expect(b.add(6, 6 / 30, moving[5].data, 256, 256, 3, false)).toBeNull();
    expect(b.add(30, 1, moving[5].data, 256, 256, 3, true)).not.toBeNull();
    expect(kept).toEqual([0, 1, 2, 3, 4, 5]);
    const fp = b.finish();
    expect(fp.frames.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4, 5, 30]);
    const withCrops = new Set(fp.alternates!.filter((a) => a.why?.startsWith('crop')).map((a) => a.of));
    expect([...withCrops].sort()).toEqual([0, 6]);
  });

  it('listSampling: distinct frames by default for a list, not for a query or a given --seconds-per-hash', () => {
    expect(listSampling({ forList: true }, 30)).toMatchObject({ secondsPerHash: 0, distinctBits: LIST_SAMPLING.distinctBits });
    expect(listSampling({ forList: true }, 30).keep(60)).toBe(true);
    expect(listSampling({ forList: true }, 30).keep(61)).toBe(false);
    expect(listSampling({ forList: true }, 29.97).keep(29)).toBe(true); // vPDQ truncates the step
    expect(listSampling({ forList: true, secondsPerHash: 1 }, 30)).toMatchObject({ secondsPerHash: 1 });
    expect(listSampling({ forList: true, secondsPerHash: 1 }, 30).distinctBits).toBeUndefined();
    expect(listSampling({}, 30).distinctBits).toBeUndefined();
  });
});

describe('picture-in-picture insets (query side)', () => {
  /** `inner` drawn at (x, y) over a `width`×`height` cut of the backdrop shifted by `shift` px (moving footage). */
  const overlay = (inner: { data: Uint8Array; width: number; height: number }, width: number, height: number, x: number, y: number, shift = 0) => {
    const data = cropPixels(backdrop, { x: shift, y: shift, width, height });
    for (let r = 0; r < inner.height; r++) data.set(inner.data.subarray(r * inner.width * 3, (r + 1) * inner.width * 3), ((y + r) * width + x) * 3);
    return { data, width, height };
  };

  it('finds the rectangle of a picture shown over other footage, exactly, wherever it sits', () => {
    for (const [x, y] of [[60, 50], [12, 20], [150, 90]]) {
      const f = overlay(photo, 420, 360, x, y);
      expect(findInsets(f.data, f.width, f.height, 3)[0], `at ${x},${y}`).toEqual({ x, y, width: 256, height: 256 });
    }
  });

  it('finds none in a photo alone, in the backdrop alone, or when the picture fills under 40 % of a side', () => {
    expect(findInsets(photo.data, photo.width, photo.height, 3)).toEqual([]);
    const b = cropPixels(backdrop, { x: 0, y: 0, width: 420, height: 360 });
    expect(findInsets(b, 420, 360, 3)).toEqual([]);
    const small = cropPixels(photo, { x: 0, y: 0, width: 150, height: 150 });
    const f = overlay({ data: small, width: 150, height: 150 }, 420, 400, 100, 100);
    expect(findInsets(f.data, f.width, f.height, 3)).toEqual([]);
  });

  it('the builder hashes the inset on every frame of moving footage: the picture\'s own hash, which the whole frame is not', () => {
    const b = new VideoFingerprintBuilder({ mirror: false, insets: true });
    const truth = pdqFromRGBA(photo.data, photo.width, photo.height, 3, { mode: 'frame' }).hash;
    for (let i = 0; i < 3; i++) {
      const f = overlay(photo, 420, 360, 80, 52, i * 7);
      const h = b.add(i * 30, i, f.data, f.width, f.height, 3)!;
      expect(hammingHex(h.pdq, truth)).toBeGreaterThan(MATCH_RULE.distanceMax);
      // (On one of these frames the backdrop is flat enough around the picture for the bar detector
      // to take it for bars: the same hash then comes as `borders`.)
      expect(h.alternates.find((a) => a.pdq === truth)?.why, `frame ${i}`).toMatch(/^(inset|borders)$/);
    }
  });
});

describe('middle band (both sides)', () => {
  it('is the hash of rows 16-74 % of the content, unchanged by a caption strip or a corner logo', () => {
    const fp = new FrameFingerprinter({ mirror: false, bands: true });
    const band = bandRegion({ x: 0, y: 0, width: photo.width, height: photo.height })!;
    expect(band.y).toBe(Math.round(photo.height * BAND.top));
    const truth = pdqFromRGBA(cropPixels(photo, band), band.width, band.height, 3, { mode: 'frame' }).hash;
    expect(fp.hashFrame(photo.data, photo.width, photo.height, 3).alternates.find((a) => a.why === 'band')?.pdq).toBe(truth);
    const edited = photo.data.slice();
    const box = (x0: number, y0: number, x1: number, y1: number, v: number) => {
      for (let y = y0; y < y1; y++) edited.fill(v, (y * photo.width + x0) * 3, (y * photo.width + x1) * 3);
    };
    box(20, 205, 236, 235, 0); // a caption strip in the bottom fifth
    box(200, 8, 246, 34, 255); // a logo in the top right corner
    const h = fp.hashFrame(edited, photo.width, photo.height, 3);
    const original = pdqFromRGBA(photo.data, photo.width, photo.height, 3, { mode: 'frame' }).hash;
    expect(hammingHex(h.pdq, original)).toBeGreaterThan(10);
    expect(h.alternates.find((a) => a.why === 'band')?.pdq).toBe(truth);
  });
});
