/**
 * ISO BMFF (MP4/MOV/fMP4) box walking: enough structure checking to refuse impossible
 * files quickly, before the C2PA reader allocates or recurses on what a box header claims,
 * and to find the C2PA manifest box.
 */

export interface Box {
  type: string;
  start: number;
  size: number;
  headerSize: number;
  /** uuid boxes: the 16-byte user type as hex. */
  userType?: string;
}

export class BoxError extends Error {
  override name = 'BoxError';
}

/** The C2PA manifest store's uuid box user type. */
export const C2PA_UUID = 'd8fec3d61b0e483c92975828877ec481';

/** Boxes whose payload is only child boxes (so their structure is checked too). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'mvex', 'moof', 'traf', 'mfra', 'udta', 'tref', 'sinf', 'schi', 'gmhd']);

export const MAX_DEPTH = 32;
const MAX_BOXES = 200_000;

export function readBoxHeader(b: Uint8Array, at: number, end: number): Box {
  if (end - at < 8) throw new BoxError(`a box header at offset ${at} is cut off (${end - at} bytes left)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let size = dv.getUint32(at);
  const type = String.fromCharCode(b[at + 4], b[at + 5], b[at + 6], b[at + 7]);
  let headerSize = 8;
  if (size === 1) {
    if (end - at < 16) throw new BoxError(`box '${printable(type)}' at offset ${at} has a cut-off 64-bit size`);
    const hi = dv.getUint32(at + 8);
    const lo = dv.getUint32(at + 12);
    size = hi * 2 ** 32 + lo;
    headerSize = 16;
  } else if (size === 0) {
    size = end - at; // extends to the end of its parent
  }
  if (size < headerSize) throw new BoxError(`box '${printable(type)}' at offset ${at} declares an impossible size of ${size} bytes`);
  if (at + size > end) {
    throw new BoxError(
      `box '${printable(type)}' at offset ${at} declares ${fmtBytes(size)} but only ${fmtBytes(end - at)} remain: the file is truncated or corrupt`,
    );
  }
  let userType: string | undefined;
  if (type === 'uuid') {
    if (size < headerSize + 16) throw new BoxError(`uuid box at offset ${at} is too small for its user type`);
    userType = hex(b.subarray(at + headerSize, at + headerSize + 16));
    headerSize += 16;
  }
  return { type, start: at, size, headerSize, userType };
}

/** Top-level boxes; throws BoxError on any impossible header. */
export function topLevelBoxes(b: Uint8Array): Box[] {
  const out: Box[] = [];
  for (let at = 0; at < b.length; ) {
    const box = readBoxHeader(b, at, b.length);
    out.push(box);
    if (out.length > MAX_BOXES) throw new BoxError(`more than ${MAX_BOXES} top-level boxes`);
    at += box.size;
  }
  return out;
}

/**
 * Checks the whole container tree (sizes nest, depth bounded, counts bounded).
 * Returns the top-level boxes.
 */
export function checkStructure(b: Uint8Array): Box[] {
  const top = topLevelBoxes(b);
  if (!top.length) throw new BoxError('the file is empty');
  let count = 0;
  const walk = (start: number, end: number, depth: number, parent: string) => {
    if (depth > MAX_DEPTH) throw new BoxError(`boxes are nested more than ${MAX_DEPTH} deep inside '${printable(parent)}'`);
    for (let at = start; at < end; ) {
      const box = readBoxHeader(b, at, end);
      if (++count > MAX_BOXES) throw new BoxError(`more than ${MAX_BOXES} boxes`);
      if (CONTAINERS.has(box.type)) walk(box.start + box.headerSize, box.start + box.size, depth + 1, box.type);
      at += box.size;
    }
  };
  for (const box of top) if (CONTAINERS.has(box.type)) walk(box.start + box.headerSize, box.start + box.size, 1, box.type);
  return top;
}

export function findC2paBox(top: Box[]): Box | undefined {
  return top.find((x) => x.type === 'uuid' && x.userType === C2PA_UUID);
}

/** Where `needle` first occurs in `hay` from `from` on, or -1 (byte strings: box types, UUIDs, names inside certificates). */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function printable(t: string): string {
  return /^[\x20-\x7e]{4}$/.test(t) ? t : Array.from(t, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}
