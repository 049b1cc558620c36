/** Media type from the first bytes, never from the address or the server's word. */
export type SniffedType =
  | 'video/mp4'
  | 'video/quicktime'
  | 'image/heic'
  | 'image/avif'
  | 'image/jpeg'
  | 'image/png'
  | 'image/gif'
  | 'image/webp'
  | 'video/webm'
  | 'video/x-msvideo'
  | 'unknown';

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** ISO BMFF top-level box types that can open a file or a segment. */
const BMFF_OPENERS = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'free', 'skip', 'wide', 'mdat', 'uuid', 'pnot']);

export function sniffType(b: Uint8Array): SniffedType {
  if (b.length < 12) return 'unknown';
  const t = ascii(b, 4, 4);
  if (t === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'heic' || brand === 'heix' || brand === 'mif1' || brand === 'msf1') return 'image/heic';
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    return 'video/mp4';
  }
  if (BMFF_OPENERS.has(t) && /^[\x20-\x7e]{4}$/.test(t)) return t === 'wide' || t === 'pnot' ? 'video/quicktime' : 'video/mp4';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return 'image/png';
  if (ascii(b, 0, 4) === 'GIF8') return 'image/gif';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'video/webm';
  if (ascii(b, 0, 4) === 'RIFF') {
    const kind = ascii(b, 8, 4);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'AVI ') return 'video/x-msvideo';
  }
  return 'unknown';
}

export function isBmff(t: SniffedType): boolean {
  return t === 'video/mp4' || t === 'video/quicktime' || t === 'image/heic' || t === 'image/avif';
}

export function isVideo(t: SniffedType): boolean {
  return t.startsWith('video/');
}
