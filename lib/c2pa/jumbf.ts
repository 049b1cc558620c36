/**
 * The signing certificate chain of a manifest, read from the file itself: the C2PA engine
 * validates the chain but does not return it, and without it the trust list a signer was found
 * on cannot be named (lib/c2pa/chain.ts). The manifest store is a JUMBF superbox kept in a BMFF
 * `uuid` box, in JPEG APP11 segments, or (PNG, WebP, a remote store…) as one run of bytes; the
 * active manifest's `c2pa.signature` box holds a COSE_Sign1 whose `x5chain` header (label 33,
 * protected or unprotected; "x5chain" by name in early files) carries the signer's certificate and its intermediates, leaf first.
 * Everything here reads hostile bytes: every length is checked, depth and counts are capped, and
 * anything unexpected gives "no chain" (the caller then says the list could not be determined).
 */
import { indexOfBytes } from '../media/bmff';
import { readLayout } from '../media/layout';
import type { ByteSource } from '../media/source';

/** JUMBF description box UUID of a C2PA manifest store ('c2pa' + the ISO 19566-5 suffix). */
const STORE_UUID = hex('6332706100110010800000aa00389b71');
/** Largest manifest store looked at, and largest file scanned whole for one (formats other than JPEG and BMFF). */
const MAX_STORE = 32 * 1024 * 1024;
const MAX_SCAN = 64 * 1024 * 1024;

const u32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function hex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** The C2PA manifest store (a JUMBF superbox) embedded in an asset, or undefined. */
export async function manifestStoreOf(r: ByteSource): Promise<Uint8Array | undefined> {
  const head = await r.read(0, 16);
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return storeIn(await jpegJumbf(r));
  if (head.length >= 8 && ascii(head, 4, 4) === 'ftyp') {
    const box = (await readLayout(r)).c2pa; // the top-level box layout, read through its headers
    return box && box.size <= MAX_STORE + 1024 ? storeIn(await r.read(box.start, box.start + box.size)) : undefined;
  }
  return r.size <= MAX_SCAN ? storeIn(await r.read(0, r.size)) : undefined;
}

/** The first C2PA store superbox found in `b` (located by its description box's UUID). */
export function storeIn(b: Uint8Array | undefined): Uint8Array | undefined {
  if (!b) return undefined;
  let from = 0;
  while (from < b.length) {
    const i = indexOfBytes(from ? b.subarray(from) : b, STORE_UUID);
    if (i < 0) return undefined;
    const at = from + i - 16; // superbox header (8) + description box header (8)
    if (at >= 0 && ascii(b, at + 4, 4) === 'jumb' && ascii(b, at + 12, 4) === 'jumd') {
      const len = u32(b, at);
      if (len >= 32 && len <= MAX_STORE && at + len <= b.length) return b.subarray(at, at + len);
    }
    from += i + 1;
  }
  return undefined;
}

/**
 * The JUMBF of a JPEG's APP11 segments (ISO 19566-5): each carries "JP", a box instance number,
 * a sequence number and a piece of the superbox; pieces after the first repeat its 8-byte header,
 * which is dropped. Segments are read up to the image data (SOS).
 */
async function jpegJumbf(r: ByteSource): Promise<Uint8Array | undefined> {
  const pieces = new Map<number, { seq: number; data: Uint8Array }[]>();
  let at = 2;
  for (let n = 0; n < 10_000 && at + 4 <= r.size; n++) {
    const h = await r.read(at, at + 4);
    if (h[0] !== 0xff) return undefined;
    const marker = h[1];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const len = (h[2] << 8) | h[3];
    if (len < 2) return undefined;
    if (marker === 0xeb && len > 2 + 8) {
      const seg = await r.read(at + 4, at + 2 + len);
      if (seg[0] === 0x4a && seg[1] === 0x50) {
        const instance = (seg[2] << 8) | seg[3];
        const list = pieces.get(instance) ?? [];
        list.push({ seq: u32(seg, 4), data: seg.subarray(8) });
        pieces.set(instance, list);
      }
    }
    at += 2 + len;
  }
  for (const list of pieces.values()) {
    list.sort((a, b) => a.seq - b.seq);
    const first = list[0].data;
    const rest = list.slice(1).map((p) => p.data.subarray(u32(p.data, 0) === 1 ? 16 : 8));
    const total = first.length + rest.reduce((s, p) => s + p.length, 0);
    if (total > MAX_STORE) continue;
    const out = new Uint8Array(total);
    out.set(first);
    let o = first.length;
    for (const p of rest) {
      out.set(p, o);
      o += p.length;
    }
    if (storeIn(out)) return out;
  }
  return undefined;
}

interface Jumbf {
  label?: string;
  boxes: { type: string; data: Uint8Array }[];
  children: Jumbf[];
}

/** A JUMBF superbox: its description's label, its content boxes and its child superboxes. */
function parseSuperbox(b: Uint8Array, depth = 0): Jumbf | undefined {
  if (depth > 8 || b.length < 16 || ascii(b, 4, 4) !== 'jumb') return undefined;
  const out: Jumbf = { boxes: [], children: [] };
  let at = 8;
  let first = true;
  while (at + 8 <= b.length) {
    const size = u32(b, at);
    const type = ascii(b, at + 4, 4);
    if (size < 8 || at + size > b.length) return undefined;
    const body = b.subarray(at + 8, at + size);
    if (first) {
      if (type !== 'jumd' || body.length < 17) return undefined;
      const toggles = body[16];
      if (toggles & 0x02) {
        const end = body.indexOf(0, 17);
        out.label = new TextDecoder().decode(body.subarray(17, end < 0 ? body.length : end));
      }
      first = false;
    } else if (type === 'jumb') {
      const child = parseSuperbox(b.subarray(at, at + size), depth + 1);
      if (child) out.children.push(child);
    } else out.boxes.push({ type, data: body });
    at += size;
  }
  return first ? undefined : out;
}

/**
 * The COSE_Sign1 bytes of a store's active manifest (the one labelled `activeLabel`, else the
 * last, which the specification makes the active one).
 */
export function claimSignatureOf(store: Uint8Array, activeLabel?: string): Uint8Array | undefined {
  const root = parseSuperbox(store);
  if (!root) return undefined;
  const manifests = root.children;
  const label = activeLabel?.replace(/^.*\//, '');
  const active = (label && manifests.find((m) => m.label === label)) || manifests[manifests.length - 1];
  const sig = active?.children.find((c) => c.label === 'c2pa.signature');
  return sig?.boxes.find((b) => b.type === 'cbor')?.data;
}

/** The x5chain of a COSE_Sign1 (DER certificates, leaf first), protected header first. */
export function x5chainOf(cose: Uint8Array): Uint8Array[] | undefined {
  let v: unknown;
  try {
    v = decodeCbor(cose);
  } catch {
    return undefined;
  }
  if (v instanceof CborTag) v = v.value;
  if (!Array.isArray(v) || v.length !== 4 || !(v[0] instanceof Uint8Array)) return undefined;
  const chainIn = (m: unknown) => {
    if (!(m instanceof Map)) return undefined;
    const c = m.get(33) ?? m.get('x5chain'); // early signers put it under its name, unprotected
    if (c instanceof Uint8Array) return [c];
    if (Array.isArray(c) && c.length && c.every((x) => x instanceof Uint8Array)) return c as Uint8Array[];
    return undefined;
  };
  let prot: unknown;
  try {
    prot = v[0].length ? decodeCbor(v[0]) : new Map();
  } catch {
    prot = undefined;
  }
  return chainIn(prot) ?? chainIn(v[1]);
}

/** The signer's certificate chain from an asset or a manifest store (leaf first), or undefined. */
export async function signingChainOf(r: ByteSource | Uint8Array, activeLabel?: string): Promise<Uint8Array[] | undefined> {
  try {
    const store = r instanceof Uint8Array ? storeIn(r) : await manifestStoreOf(r);
    const cose = store && claimSignatureOf(store, activeLabel);
    return cose ? x5chainOf(cose) : undefined;
  } catch {
    return undefined; // a malformed file: the list is then said to be undetermined
  }
}

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

const BREAK = Symbol('break');

/**
 * A small CBOR decoder (RFC 8949) for COSE headers: integers, byte and text strings (definite and
 * indefinite), arrays, maps (as Map), tags, simple values and floats. Nesting is capped.
 */
export function decodeCbor(b: Uint8Array): unknown {
  let at = 0;
  const need = (n: number) => {
    if (n < 0 || at + n > b.length) throw new RangeError('truncated CBOR');
  };
  const arg = (info: number): number => {
    if (info < 24) return info;
    const n = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : -1;
    if (n < 0) throw new RangeError('bad CBOR length');
    need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[at + i];
    at += n;
    return v;
  };
  const item = (depth: number): unknown => {
    if (depth > 32) throw new RangeError('CBOR nested too deep');
    need(1);
    const ib = b[at++];
    const major = ib >> 5;
    const info = ib & 31;
    if (ib === 0xff) return BREAK;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info >= 25 && info <= 27) {
        const n = info === 25 ? 2 : info === 26 ? 4 : 8;
        need(n);
        at += n;
        return 0; // floats are not needed here
      }
      if (info === 24) {
        need(1);
        at++;
      }
      return null;
    }
    if (info === 31) {
      if (major === 2 || major === 3) {
        const parts: Uint8Array[] = [];
        for (;;) {
          const p = item(depth + 1);
          if (p === BREAK) break;
          if (p instanceof Uint8Array) parts.push(p);
          else if (typeof p === 'string') parts.push(new TextEncoder().encode(p));
          else throw new RangeError('bad CBOR chunk');
        }
        const joined = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
        let o = 0;
        for (const p of parts) joined.set(p, (o += p.length) - p.length);
        return major === 2 ? joined : new TextDecoder().decode(joined);
      }
      if (major === 4) {
        const out: unknown[] = [];
        for (let v = item(depth + 1); v !== BREAK; v = item(depth + 1)) out.push(v);
        return out;
      }
      if (major === 5) {
        const out = new Map<unknown, unknown>();
        for (let k = item(depth + 1); k !== BREAK; k = item(depth + 1)) out.set(k, item(depth + 1));
        return out;
      }
      throw new RangeError('bad CBOR indefinite length');
    }
    const n = arg(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        need(n);
        return b.subarray(at, (at += n));
      case 3:
        need(n);
        return new TextDecoder().decode(b.subarray(at, (at += n)));
      case 4: {
        need(n); // every item takes at least a byte
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        need(n * 2);
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) out.set(item(depth + 1), item(depth + 1));
        return out;
      }
      default:
        return new CborTag(n, item(depth + 1));
    }
  };
  return item(0);
}
