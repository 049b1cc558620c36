/**
 * 256-bit perceptual hashes (PDQ) as 8 unsigned 32-bit words. Word i holds hex characters
 * [8i, 8i+8) of the reference hex string, so parsing and printing are the identity on the
 * reference format, and Hamming distance does not depend on bit order.
 */
export type Hash256 = Uint32Array;

const HEX = /^[0-9a-f]{64}$/;

export function isPdqHex(s: unknown): s is string {
  return typeof s === 'string' && HEX.test(s);
}

export function hexToHash(hex: string): Hash256 {
  const h = hex.toLowerCase();
  if (!HEX.test(h)) throw new Error(`not a 256-bit hex hash: "${hex.slice(0, 80)}"`);
  const out = new Uint32Array(8);
  for (let i = 0; i < 8; i++) out[i] = parseInt(h.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return out;
}

export function hashToHex(h: Hash256): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += (h[i] >>> 0).toString(16).padStart(8, '0');
  return s;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hamming(a: Hash256, b: Hash256): number {
  let d = 0;
  for (let i = 0; i < 8; i++) d += popcount32((a[i] ^ b[i]) >>> 0);
  return d;
}

export function hammingHex(a: string, b: string): number {
  return hamming(hexToHash(a), hexToHash(b));
}
