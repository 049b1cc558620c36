/**
 * The hostile media corpus, generated deterministically from the fixtures at test time
 * (never committed): truncations, bit flips in every top-level box and across the C2PA
 * manifest, absurd box sizes, deep nesting, oversized manifests, garbage named like video.
 * Each variant says which bytes it changed and whether the hash binding or the signature
 * covers them, so a test can tell "must not read as valid" from "may legitimately stay valid".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topLevelBoxes, C2PA_UUID, type Box } from '../../lib/media/bmff';
import { aiDeclaredVideo, badSignatureVideo } from './signing';
import { mulberry32 } from './random';
import { WasmReader } from '@contentauth/c2pa-wasm';
import { nodeC2paEngine } from '../../lib/c2pa/node-engine';
import { C2PA_FIXTURES, GENERATED } from '../paths';

export type Coverage =
  /** Changed bytes the BMFF hash or the claim signature covers: never valid. */
  | 'covered'
  /** Changed bytes nothing covers (ftyp, chunk-offset tables, COSE padding…): may stay valid. */
  | 'uncovered'
  /** The structure itself is broken (truncated, impossible sizes, garbage): never valid. */
  | 'structure';

export interface Variant {
  name: string;
  file: string;
  kind: string;
  coverage: Coverage;
  /** What was changed, in words. */
  what: string;
}

export const CORPUS_DIR = join(GENERATED, 'hostile');


interface Source {
  id: string;
  bytes: Buffer;
  boxes: Box[];
  manifest?: Box;
  /** Byte ranges nothing covers (the manifest's own hash exclusions, and the COSE pad). */
  uncovered: [number, number][];
}

function childBoxes(b: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  for (let at = start; at + 8 <= end; ) {
    let size = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number(b.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) size = end - at;
    if (size < headerSize || at + size > end) break;
    out.push({ type, start: at, size, headerSize });
    at += size;
  }
  return out;
}

interface Exclusion {
  xpath: string;
  data?: { offset: number; value: number[] }[];
  subset?: { offset: number; length: number }[];
  flags?: number[];
}

/** The BMFF hash exclusions the manifest itself declares (c2pa.hash.bmff[.v2]). */
function declaredExclusions(bytes: Buffer): Promise<Exclusion[]> {
  const engine = nodeC2paEngine();
  return WasmReader.fromBlob('video/mp4', engine.blob(new Uint8Array(bytes)) as Blob).then((r) => {
    const store = r.manifestStore() as { active_manifest: string; manifests: Record<string, { assertions: { label: string; data: { exclusions?: Exclusion[] } }[] }> };
    r.free();
    const hash = store.manifests[store.active_manifest].assertions.find((a) => a.label.startsWith('c2pa.hash.bmff'));
    return hash?.data.exclusions ?? [];
  });
}

/** Byte ranges nothing covers: what the hash excludes (resolved on the real boxes) and the COSE padding. */
function uncoveredRanges(b: Buffer, exclusions: Exclusion[], manifest?: Box): [number, number][] {
  const out: [number, number][] = [];
  const resolve = (parts: string[], start: number, end: number): Box[] => {
    const here = childBoxes(b, start, end).filter((x) => x.type === parts[0]);
    return parts.length === 1 ? here : here.flatMap((x) => resolve(parts.slice(1), x.start + x.headerSize, x.start + x.size));
  };
  for (const ex of exclusions) {
    for (const box of resolve(ex.xpath.split('/').filter(Boolean), 0, b.length)) {
      if (ex.data?.some((d) => !Buffer.from(d.value).equals(b.subarray(box.start + d.offset, box.start + d.offset + d.value.length)))) continue;
      if (ex.flags && !Buffer.from(ex.flags).equals(b.subarray(box.start + box.headerSize + 1, box.start + box.headerSize + 4))) continue;
      if (!ex.subset?.length) out.push([box.start, box.start + box.size]);
      for (const sub of ex.subset ?? []) out.push([box.start + sub.offset, sub.length ? box.start + sub.offset + sub.length : box.start + box.size]);
    }
  }
  if (manifest) {
    // The manifest box is excluded from the hash, but the claim signature and the assertion
    // hashes cover it — except each COSE signature's unprotected header: the time-stamp token
    // (which validates itself; damage there shows as informational timeStamp.* codes) and the pad.
    out.splice(0, out.length, ...out.filter(([a]) => a !== manifest.start));
    out.push(...coseUnprotectedRanges(b, manifest));
  }
  return out;
}

/** The byte ranges of every COSE_Sign1 unprotected header inside the manifest store, and of the signature boxes' labels. */
function coseUnprotectedRanges(b: Buffer, manifest: Box): [number, number][] {
  const out: [number, number][] = [];
  const label = Buffer.from('c2pa.signature\0', 'latin1');
  const end = manifest.start + manifest.size;
  for (let i = b.indexOf(label, manifest.start); i >= 0 && i < end; i = b.indexOf(label, i + label.length)) {
    // The signature box's own JUMBF label: nothing signs the signature box, and since c2pa-wasm 0.15
    // the engine finds it by its type UUID, so a changed label no longer matters (0.11 refused it).
    out.push([i, i + label.length - 1]);
    const cbor = b.indexOf(Buffer.from('cbor', 'latin1'), i);
    if (cbor < 0 || cbor - i > 64) continue;
    const start = cbor + 4;
    const stop = cbor - 4 + b.readUInt32BE(cbor - 4);
    if (b[start] !== 0xd2 || b[start + 1] !== 0x84) continue; // tag 18, array of 4
    const h = b[start + 2];
    const [len, skip] = h === 0x58 ? [b[start + 3], 2] : h === 0x59 ? [b.readUInt16BE(start + 3), 3] : [h - 0x40, 1];
    const unprotectedStart = start + 2 + skip + len;
    // The signature byte string closes the structure, right after the nil payload (0xf6).
    const sigTotal = b[stop - 66] === 0x58 && b[stop - 65] === 0x40 ? 66 : b[stop - 259] === 0x59 && b.readUInt16BE(stop - 258) === 256 ? 259 : b[stop - 515] === 0x59 && b.readUInt16BE(stop - 514) === 512 ? 515 : 0;
    if (!sigTotal || b[stop - sigTotal - 1] !== 0xf6) continue;
    out.push([unprotectedStart, stop - sigTotal - 1]);
  }
  return out;
}

async function source(id: string, bytes: Buffer): Promise<Source> {
  const boxes = topLevelBoxes(new Uint8Array(bytes));
  const manifest = boxes.find((b) => b.type === 'uuid' && b.userType === C2PA_UUID);
  const exclusions = manifest ? await declaredExclusions(bytes) : [];
  return { id, bytes, boxes, manifest, uncovered: uncoveredRanges(bytes, exclusions, manifest) };
}

const inRanges = (at: number, r: [number, number][]) => r.some(([a, b]) => at >= a && at < b);

export async function generateCorpus(): Promise<Variant[]> {
  const indexFile = join(CORPUS_DIR, 'index.json');
  if (existsSync(indexFile)) return JSON.parse(readFileSync(indexFile, 'utf8')) as Variant[];
  mkdirSync(CORPUS_DIR, { recursive: true });
  const sources = [
    await source('video1', readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'))),
    await source('ai', readFileSync(await aiDeclaredVideo())),
  ];
  // A signature that does not hold, made at test time (c2pa-wasm 0.15 reads c2pa-rs's legacy.mp4 as valid).
  const badSig = await source('bad-signature', readFileSync(await badSignatureVideo()));
  const variants: Variant[] = [];
  const add = (name: string, bytes: Buffer | Uint8Array, kind: string, coverage: Coverage, what: string, ext = '.mp4') => {
    const file = join(CORPUS_DIR, `${name}${ext}`);
    writeFileSync(file, bytes);
    variants.push({ name, file, kind, coverage, what });
  };
  const rand = mulberry32(0x5eed);

  for (const s of sources) {
    // Truncations: at many offsets, and at every box boundary and one byte either side.
    const cuts = new Set<number>();
    for (let i = 1; i <= 40; i++) cuts.add(Math.floor((s.bytes.length * i) / 41));
    for (const b of s.boxes) for (const d of [-1, 0, 1, 8]) if (b.start + d > 0) cuts.add(b.start + d);
    for (const at of cuts) add(`${s.id}-truncated-${at}`, s.bytes.subarray(0, at), 'truncation', 'structure', `cut to ${at} bytes`);

    // Bit flips in each top-level box (12 per box) and across the manifest (80).
    const flip = (at: number, bit: number, kind: string) => {
      const b = Buffer.from(s.bytes);
      b[at] ^= 1 << bit;
      const coverage: Coverage = inRanges(at, s.uncovered) ? 'uncovered' : 'covered';
      add(`${s.id}-${kind}-${at}-b${bit}`, b, kind, coverage, `bit ${bit} of byte ${at} flipped`);
    };
    for (const box of s.boxes) {
      for (let i = 0; i < 12; i++) flip(box.start + Math.floor(rand() * box.size), Math.floor(rand() * 8), `flip-${box.type === 'uuid' ? 'c2pa' : box.type}`);
    }
    if (s.manifest) for (let i = 0; i < 80; i++) flip(s.manifest.start + Math.floor(rand() * s.manifest.size), Math.floor(rand() * 8), 'flip-manifest');

    // Absurd box sizes on every top-level box.
    for (const box of s.boxes) {
      for (const [label, size] of [
        ['zero', 0],
        ['one', 1],
        ['seven', 7],
        ['max32', 0xffffffff],
        ['past-end', s.bytes.length - box.start + 1],
      ] as const) {
        if (s.bytes.readUInt32BE(box.start) === size) continue; // already so: not a change
        const b = Buffer.from(s.bytes);
        b.writeUInt32BE(size, box.start);
        add(`${s.id}-size-${box.type === 'uuid' ? 'c2pa' : box.type}-${label}`, b, 'box-size', 'structure', `${box.type} size set to ${size}`);
      }
      // A 64-bit size of 2^62.
      const b = Buffer.from(s.bytes);
      b.writeUInt32BE(1, box.start);
      const big = Buffer.concat([b.subarray(0, box.start + 8), Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0]), b.subarray(box.start + 8)]);
      add(`${s.id}-size-${box.type === 'uuid' ? 'c2pa' : box.type}-huge64`, big, 'box-size', 'structure', `${box.type} 64-bit size 2^62`);
    }
  }

  // Deeply nested boxes, inside moov and inside the C2PA store (JUMBF superboxes).
  const v = sources[0];
  for (const depth of [16, 40, 1000, 20000]) {
    const nest = (type: string) => {
      const out = Buffer.alloc(8 * depth);
      for (let i = 0; i < depth; i++) {
        out.writeUInt32BE(8 * (depth - i), i * 8);
        out.write(type, i * 8 + 4, 'latin1');
      }
      return out;
    };
    add(`nested-moov-${depth}`, Buffer.concat([v.bytes, nest('moov')]), 'nesting', 'structure', `${depth} nested moov boxes appended`);
    const m = v.manifest!;
    const payload = Buffer.concat([v.bytes.subarray(m.start + m.headerSize, m.start + m.size), nest('jumb')]);
    const box = Buffer.alloc(8 + 16);
    box.writeUInt32BE(8 + 16 + payload.length);
    box.write('uuid', 4, 'latin1');
    Buffer.from(C2PA_UUID, 'hex').copy(box, 8);
    add(`nested-jumbf-${depth}`, Buffer.concat([v.bytes.subarray(0, m.start), box, payload, v.bytes.subarray(m.start + m.size)]), 'nesting', 'structure', `${depth} nested jumb boxes in the manifest`);
  }

  // Oversized manifests: the C2PA box grown with junk (1, 16 and 48 MB).
  for (const mb of [1, 16, 48]) {
    const m = v.manifest!;
    const junk = Buffer.alloc(mb * 1024 * 1024, 0x41);
    const head = Buffer.from(v.bytes.subarray(m.start, m.start + m.size));
    head.writeUInt32BE(m.size + junk.length);
    add(`oversized-manifest-${mb}mb`, Buffer.concat([v.bytes.subarray(0, m.start), head, junk, v.bytes.subarray(m.start + m.size)]), 'oversized', 'structure', `manifest box grown by ${mb} MB`);
  }

  // A signature that does not hold, and that invalid file flipped.
  add('bad-signature-original', badSig.bytes, 'invalid-original', 'covered', 'bad-signature.mp4 as is (claim altered after signing)');
  for (let i = 0; i < 10; i++) {
    const b = Buffer.from(badSig.bytes);
    const at = Math.floor(rand() * b.length);
    b[at] ^= 0x10;
    add(`bad-signature-flip-${at}`, b, 'flip-invalid', 'covered', `byte ${at} of an already invalid file`);
  }

  // Garbage with video extensions.
  const garbage: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), '.mp4'],
    ['one-byte', Buffer.from([0]), '.mp4'],
    ['seven-bytes', Buffer.from('ftypmp4'), '.mp4'],
    ['html', Buffer.from('<!doctype html><html><body>Not a video</body></html>'), '.mp4'],
    ['json', Buffer.from('{"error":"not found"}'), '.mov'],
    ['zeros-1mb', Buffer.alloc(1024 * 1024), '.mp4'],
    ['ftyp-only', Buffer.from('00000014667479706d703432000000006d703432', 'hex'), '.mp4'],

    ['zip', Buffer.from('504b0304140000000000', 'hex'), '.mp4'],
    ['webm-header', Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d', 'hex'), '.webm'],
  ];
  for (let i = 0; i < 20; i++) {
    const size = [16, 100, 4096, 65536, 300000][i % 5];
    garbage.push([`random-${i}-${size}`, Buffer.from(Array.from({ length: size }, () => Math.floor(rand() * 256))), i % 2 ? '.mp4' : '.mov']);
  }
  for (const [name, bytes, ext] of garbage) add(`garbage-${name}`, bytes, 'garbage', 'structure', `${name} named ${ext}`, ext);
  // A real signed JPEG named .mp4: the bytes decide, not the name (unchanged, so it stays valid).
  add('mislabeled-jpeg-as-mp4', readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__C.jpg')), 'mislabeled', 'uncovered', 'C.jpg named .mp4');

  writeFileSync(indexFile, JSON.stringify(variants, null, 1));
  return variants;
}

/** Malformed HLS playlists (for parsePlaylist / resolveHls). */
export function hostilePlaylists(): { name: string; text: string }[] {
  const ok = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:3\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:3.0,\nseg1.m4s\n#EXT-X-ENDLIST\n';
  const out = [
    { name: 'empty', text: '' },
    { name: 'no-header', text: ok.replace('#EXTM3U\n', '') },
    { name: 'binary', text: '\u0000\u0001\u0002\uffff' },
    { name: 'html', text: '<html><body>404</body></html>' },
    { name: 'map-without-uri', text: ok.replace('URI="init.mp4"', 'BYTERANGE="100@0"') },
    { name: 'negative-duration', text: ok.replace('#EXTINF:3.0,', '#EXTINF:-3,') },
    { name: 'nan-duration', text: ok.replace('#EXTINF:3.0,', '#EXTINF:abc,') },
    { name: 'segment-without-extinf', text: '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg1.m4s\n' },
    { name: 'bad-byterange', text: ok.replace('#EXTINF:3.0,', '#EXT-X-BYTERANGE:abc\n#EXTINF:3.0,') },
    { name: 'bad-uri', text: ok.replace('seg1.m4s', 'http://[::1') },
    { name: 'no-segments', text: '#EXTM3U\n#EXT-X-ENDLIST\n' },
    { name: 'too-many-segments', text: '#EXTM3U\n#EXT-X-MAP:URI="i.mp4"\n' + '#EXTINF:1,\ns.m4s\n'.repeat(3000) },
    { name: 'too-many-lines', text: '#EXTM3U\n' + '#EXT-X-FOO\n'.repeat(250_000) },
    { name: 'stream-inf-without-uri', text: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n' },
    { name: 'bom-and-crlf-ok', text: '\uFEFF' + ok.replace(/\n/g, '\r\n') },
    { name: 'huge-line', text: '#EXTM3U\n#EXTINF:1,' + 'x'.repeat(2_000_000) + '\n' },
  ];
  for (let i = 0; i < 14; i++) out.push({ name: `cut-${i}`, text: ok.slice(0, Math.floor((ok.length * i) / 14)) });
  return out;
}
