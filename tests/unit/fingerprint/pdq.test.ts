import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PdqHasher, pdqDihedralFromRGBA, pdqFromRGBA, DIHEDRAL_NAMES } from '../../../lib/fingerprint/pdq';
import { hammingHex, isPdqHex } from '../../../lib/fingerprint/hash256';
import { IMAGES, decodeImage, expectedDihedral, expectedPdq } from './helpers/fixtures';

/**
 * JPEGs whose reference hash depends on the JPEG decoder more than 2 bits (jpeg-js vs libjpeg
 * via ImageMagick). Both are low-energy images with many DCT coefficients within 0.2 of the
 * median; their losslessly decoded PNGs (images/decoded-png) hash exactly, so the PDQ code is
 * not the cause. Measured: q0122 10 bits, q0746 4 bits.
 */
const JPEG_DECODER_SENSITIVE: Record<string, number> = {
  'labelme-subset/q0122.jpg': 12,
  'labelme-subset/q0746.jpg': 4,
};

describe('PDQ against the reference C++ pdq-photo-hasher', () => {
  const expected = expectedPdq();

  it('reproduces every decoded PNG exactly (hash and quality)', () => {
    const pngs = expected.filter((e) => e.file.startsWith('decoded-png/'));
    expect(pngs.length).toBe(5);
    for (const e of pngs) {
      const img = decodeImage(join(IMAGES, e.file));
      const got = pdqFromRGBA(img.data, img.width, img.height, 4);
      expect({ file: e.file, hash: got.hash, quality: got.quality }).toEqual({ file: e.file, hash: e.hash, quality: e.quality });
    }
  });

  it('is within 2 bits on the JPEGs and other PNGs (decoded with jpeg-js / pngjs), same quality', () => {
    const others = expected.filter((e) => !e.file.startsWith('decoded-png/'));
    expect(others.length).toBeGreaterThan(20);
    const report: string[] = [];
    for (const e of others) {
      const img = decodeImage(join(IMAGES, e.file));
      const got = pdqFromRGBA(img.data, img.width, img.height, 4);
      const d = hammingHex(got.hash, e.hash);
      report.push(`${e.file}: ${d} bits, quality ${got.quality}/${e.quality}`);
      expect(got.quality, e.file).toBe(e.quality);
      // Below quality 50 PDQ itself calls the hash unreliable: nothing to compare.
      if (e.quality < 50) continue;
      expect(d, e.file).toBeLessThanOrEqual(JPEG_DECODER_SENSITIVE[e.file] ?? 2);
    }
    console.log(`PDQ vs reference (non-exact inputs):\n  ${report.join('\n  ')}`);
  });

  it('gives the 8 dihedral hashes of the reference, in its order', () => {
    for (const e of expectedDihedral()) {
      const img = decodeImage(join(IMAGES, e.file));
      const got = pdqDihedralFromRGBA(img.data, img.width, img.height, 4);
      expect(got.quality, e.file).toBe(e.quality);
      const exact = e.file.startsWith('decoded-png/') || e.file.endsWith('.png');
      DIHEDRAL_NAMES.forEach((name, i) => {
        const d = hammingHex(got.hashes[name], e.hashes[i]);
        if (exact) expect(d, `${e.file} ${name}`).toBe(0);
        else if (e.quality >= 50) expect(d, `${e.file} ${name}`).toBeLessThanOrEqual(JPEG_DECODER_SENSITIVE[e.file] ?? 2);
      });
    }
  });

  it('the rotated/flipped JPEGs hash close to the original\'s matching dihedral hash', () => {
    // Relation between files: dih/bridge-2-rotate-90.jpg is the original turned, so its plain
    // hash must be near the original's rotate90 hash (and likewise for the others).
    const original = decodeImage(join(IMAGES, 'dih/bridge-1-original.jpg'));
    const dihedral = pdqDihedralFromRGBA(original.data, original.width, original.height, 4).hashes;
    const files = ['bridge-1-original', 'bridge-2-rotate-90', 'bridge-3-rotate-180', 'bridge-4-rotate-270', 'bridge-5-flipx', 'bridge-6-flipy', 'bridge-7-flip-plus-1', 'bridge-8-flip-minus-1'];
    files.forEach((f, i) => {
      const img = decodeImage(join(IMAGES, `dih/${f}.jpg`));
      expect(hammingHex(pdqFromRGBA(img.data, img.width, img.height, 4).hash, dihedral[DIHEDRAL_NAMES[i]]), f).toBeLessThanOrEqual(31); // a PDQ match
    });
  });
});

describe('PDQ API', () => {
  it('accepts RGB (3 channels) and RGBA with the same result', () => {
    const img = decodeImage(join(IMAGES, 'decoded-png/q2821.decoded.png'));
    const rgb = new Uint8Array(img.width * img.height * 3);
    for (let p = 0; p < img.width * img.height; p++) rgb.set(img.data.subarray(p * 4, p * 4 + 3), p * 3);
    expect(pdqFromRGBA(rgb, img.width, img.height, 3)).toEqual(pdqFromRGBA(img.data, img.width, img.height, 4));
    expect(pdqFromRGBA(new Uint8ClampedArray(img.data), img.width, img.height)).toEqual(pdqFromRGBA(img.data, img.width, img.height));
  });

  it("'frame' mode hashes large images at full size (vPDQ), 'image' mode resizes like the photo hasher", () => {
    const img = decodeImage(join(IMAGES, 'decoded-png/aaa-orig.decoded.png')); // 1600x1004
    const image = pdqFromRGBA(img.data, img.width, img.height, 4);
    const frame = pdqFromRGBA(img.data, img.width, img.height, 4, { mode: 'frame' });
    expect(image.hash).not.toBe(frame.hash);
    expect(hammingHex(image.hash, frame.hash)).toBeLessThan(32); // same picture
    const small = decodeImage(join(IMAGES, 'decoded-png/q0122.decoded.png')); // 256x256: no resize either way
    expect(pdqFromRGBA(small.data, 256, 256, 4, { mode: 'frame' })).toEqual(pdqFromRGBA(small.data, 256, 256, 4));
  });

  it('hashes a region the same as the cropped pixels', () => {
    const img = decodeImage(join(IMAGES, 'decoded-png/q2821.decoded.png'));
    const region = { x: 20, y: 10, width: 200, height: 150 };
    const crop = new Uint8Array(region.width * region.height * 4);
    for (let y = 0; y < region.height; y++) {
      const from = ((region.y + y) * img.width + region.x) * 4;
      crop.set(img.data.subarray(from, from + region.width * 4), y * region.width * 4);
    }
    const h = new PdqHasher();
    const q = h.dctFromPixels(img.data, img.width, img.height, 4, { mode: 'frame' }, region);
    expect({ hash: h.transformedHash('original'), quality: q }).toEqual(pdqFromRGBA(crop, region.width, region.height, 4, { mode: 'frame' }));
  });

  it('gives the all-zero hash and quality 0 below 5 pixels, like the reference', () => {
    expect(pdqFromRGBA(new Uint8Array(4 * 4 * 4), 4, 4)).toEqual({ hash: '0'.repeat(64), quality: 0 });
  });

  it('a flat image has quality 0', () => {
    const flat = new Uint8Array(64 * 64 * 3).fill(128);
    const r = pdqFromRGBA(flat, 64, 64, 3);
    expect(r.quality).toBe(0);
    expect(isPdqHex(r.hash)).toBe(true);
  });

  it('rejects buffers that do not match the size', () => {
    expect(() => pdqFromRGBA(new Uint8Array(10), 64, 64, 4)).toThrow(/too small/);
    expect(() => pdqFromRGBA(new Uint8Array(64 * 64 * 4), 64.5, 64, 4)).toThrow(/size/);
    expect(() => new PdqHasher().dctFromPixels(new Uint8Array(64 * 64 * 4), 64, 64, 4, {}, { x: 10, y: 0, width: 60, height: 64 })).toThrow(/outside/);
  });

  it('hashes a 1280x720 frame in a few milliseconds', () => {
    const w = 1280;
    const h = 720;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 255;
    const hasher = new PdqHasher();
    for (let i = 0; i < 5; i++) hasher.hashPixels(data, w, h, 3, { mode: 'frame' });
    const t0 = performance.now();
    const n = 20;
    for (let i = 0; i < n; i++) hasher.hashPixels(data, w, h, 3, { mode: 'frame' });
    const ms = (performance.now() - t0) / n;
    console.log(`PDQ 1280x720: ${ms.toFixed(1)} ms/frame`);
    expect(ms).toBeLessThan(60); // generous: shared CI machines; the bench reports the real figure
  });
});
