/**
 * The check pipeline's first stage, shared by the extension's worker and the CLI:
 * bytes → format sniffing → structure check → C2PA read/validate → SHA-256 → Evidence.
 * Fingerprinting (stage two) and list matching are run by the caller, so the C2PA result
 * can be shown before the slower frame hashing is done.
 */
import { readC2pa, type C2paEngine, type RoutedStore } from './c2pa/read';
import type { TrustSettings } from './c2pa/trust';
import { BoxError, checkStructure, findC2paBox, indexOfBytes } from './media/bmff';
import { isBmff, isVideo, sniffType, type SniffedType } from './media/sniff';
import type { Basis, C2paEvidence, Evidence } from './verdict';
import { empty } from './c2pa/summarize';
import { sha256 as sha256Stream } from '@noble/hashes/sha2.js';
import { readLayout, type Layout } from './media/layout';
import { BlobSource, MemorySource, type ByteSource } from './media/source';
import { concat } from './media/fetch';
import { followRemote, manifestFromLinkHeader, type RemoteContext } from './c2pa/remote';

export interface CheckEnv {
  c2pa: C2paEngine;
  trust?: TrustSettings;
  /** Where the bytes came from and how to follow a remote manifest (absent: references are reported, not followed). */
  remote?: RemoteContext;
  /**
   * Hears the whole file's bytes as soon as they are in hand, before its Content Credentials are
   * validated: the frame stage can start decoding then, alongside the C2PA read (lib/worker/job.ts).
   */
  onWholeBytes?: (bytes: Uint8Array) => void;
}

/** Formats c2pa-wasm can read Content Credentials from. */
const C2PA_READABLE: ReadonlySet<SniffedType> = new Set([
  'video/mp4',
  'video/quicktime',
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/avif',
  'image/gif',
  'video/x-msvideo',
]);

export interface Inspected extends Evidence {
  mediaType: SniffedType;
  /** Worth fingerprinting (a video whose structure holds). */
  fingerprintable: boolean;
}

export async function inspectBytes(source: string, bytes: Uint8Array, env: CheckEnv): Promise<Inspected> {
  const sha256 = await sha256Hex(bytes);
  const mediaType = sniffType(bytes);
  const base = { source, sha256, bytes: bytes.length, mediaType };
  if (mediaType === 'unknown') {
    return { ...base, mediaError: `not a video or image format we know (${describeStart(bytes)})`, fingerprintable: false, fingerprint: 'skipped' };
  }
  if (isBmff(mediaType)) {
    try {
      checkStructure(bytes);
    } catch (err) {
      if (err instanceof BoxError) return { ...base, mediaError: err.message, fingerprintable: false, fingerprint: 'skipped' };
      throw err;
    }
  }
  const read = (b: Uint8Array, routed?: RoutedStore) => readC2pa(env.c2pa, { mime: mediaType, bytes: b }, env.trust, routed);
  let c2pa: C2paEvidence = C2PA_READABLE.has(mediaType)
    ? await read(bytes)
    : { ...empty('absent'), error: 'Content Credentials cannot be read from this format' };
  if (env.remote && C2PA_READABLE.has(mediaType)) c2pa = await followRemote(c2pa, bytes, mediaType, env.remote, read);
  const fingerprintable = isVideo(mediaType);
  return { ...base, c2pa, fingerprintable, fingerprint: fingerprintable ? 'pending' : 'skipped' };
}

/** Files up to this size are read whole: their SHA-256 can match a list exactly, and every second is fingerprinted. */
export const WHOLE_READ_MAX = 2 * 1024 * 1024;

/** How inspectSource read the file, and what the frame stage can use. */
export interface SourceInspection extends Inspected {
  basis: Basis;
  /** Bytes for the frame stage: the whole file (small or signed), or undefined when only its structure was read. */
  whole?: ByteSource;
  layout?: Layout;
}

/**
 * The first stage, reading as little as the verdict needs:
 * - a small file, or one that is not MP4/MOV, is read whole (as inspectBytes);
 * - an MP4/MOV is read by its box layout first: without a C2PA box it has no embedded
 *   Content Credentials, which is known from a few hundred kilobytes and needs no C2PA engine;
 * - with a C2PA box the whole file is read, streamed once, because the manifest's hash binding
 *   covers (nearly) every byte.
 */
export async function inspectSource(source: string, src: ByteSource, env: CheckEnv, wholeBelow = WHOLE_READ_MAX): Promise<SourceInspection> {
  const head = await src.read(0, Math.min(src.size, 64));
  const mediaType = sniffType(head);
  if (!isBmff(mediaType) || src.size <= wholeBelow) {
    const bytes = await readWhole(src);
    env.onWholeBytes?.(bytes);
    const whole = new MemorySource(bytes, src.url);
    return { ...(await inspectBytes(source, bytes, env)), basis: { file: 'whole', bytesRead: src.fetched, size: bytes.length }, whole };
  }
  const partial = (): Basis => ({ file: 'part', bytesRead: src.fetched, size: src.size });
  let layout: Layout;
  try {
    layout = await readLayout(src);
  } catch (err) {
    if (err instanceof BoxError) return { source, bytes: src.size, mediaType, mediaError: err.message, fingerprintable: false, fingerprint: 'skipped', basis: partial() };
    throw err;
  }
  if (!layout.c2pa && mayReferElsewhere(layout, env.remote)) {
    // Credentials kept apart (a Link header, or XMP that may name them) are validated against every byte.
    const bytes = await readWhole(src);
    env.onWholeBytes?.(bytes);
    const r = await inspectBytes(source, bytes, env);
    return { ...r, basis: { file: 'whole', bytesRead: src.fetched, size: bytes.length, wholeBecause: 'because it points to Content Credentials kept apart from it, which are validated against the whole file' }, whole: new MemorySource(bytes, src.url), layout };
  }
  if (!layout.c2pa) {
    return { source, bytes: src.size, mediaType, c2pa: empty('absent'), fingerprintable: true, fingerprint: 'pending', basis: partial(), layout };
  }
  // A manifest: validate it against every byte, streamed once into a Blob and a running SHA-256.
  // The Blob's bytes wait in the browser's blob store, not in this process beside the engine's own
  // copy: on the signed 60 s page the extension peaked at 158-171 MiB this way, against 170-179 MiB
  // with the file in one buffer here read through `fromBytes` (4 runs each, Chromium 156).
  const hash = sha256Stream.create();
  const parts: Uint8Array[] = [];
  await src.readAll((chunk) => {
    hash.update(chunk);
    parts.push(chunk);
  });
  const blob = new Blob(parts as Uint8Array<ArrayBuffer>[]);
  parts.length = 0;
  const sha256 = toHex(hash.digest());
  const c2pa = await readC2pa(env.c2pa, { mime: mediaType, blob }, env.trust);
  return {
    source,
    sha256,
    bytes: src.size,
    mediaType,
    c2pa,
    fingerprintable: true,
    fingerprint: 'pending',
    basis: { file: 'whole', bytesRead: src.fetched, size: src.size, wholeBecause: 'to validate its Content Credentials, whose hash binding covers the whole file' },
    whole: new BlobSource(blob, src.url),
    layout,
  };
}

/** XMP's BMFF uuid (ISO 16684-1): where an MP4 may name a remote manifest (dcterms:provenance). */
const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac';

/**
 * Whether a file without an embedded manifest may point to one kept elsewhere: the response's
 * Link header names one, or the file carries XMP (a top-level XMP uuid box, or an XMP_ box in
 * its movie header), which the engine reads for a `dcterms:provenance` reference.
 */
function mayReferElsewhere(layout: Layout, remote: RemoteContext | undefined): boolean {
  if (!remote) return false;
  if (manifestFromLinkHeader(remote.link, remote.assetUrl)) return true;
  if (layout.boxes.some((b) => b.type === 'uuid' && b.userType === XMP_UUID)) return true;
  return !!layout.moov && (indexOfBytes(layout.moov, new TextEncoder().encode('XMP_')) >= 0 || indexOfBytes(layout.moov, hexBytes(XMP_UUID)) >= 0);
}

async function readWhole(src: ByteSource): Promise<Uint8Array> {
  if (src instanceof MemorySource) return src.bytes;
  const parts: Uint8Array[] = [];
  await src.readAll((c) => parts.push(c));
  return concat(parts);
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16));
}

function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A fragmented MP4: the manifest sits in the init segment, the hashes cover the fragment. */
export async function inspectFragments(source: string, init: Uint8Array, fragment: Uint8Array, env: CheckEnv): Promise<Inspected> {
  const joined = new Uint8Array(init.length + fragment.length);
  joined.set(init);
  joined.set(fragment, init.length);
  const sha256 = await sha256Hex(joined);
  const base = { source, sha256, bytes: joined.length, mediaType: 'video/mp4' as const };
  try {
    const top = checkStructure(init);
    checkStructure(fragment);
    if (!findC2paBox(top)) {
      return { ...base, c2pa: empty('absent'), fingerprintable: true, fingerprint: 'pending' };
    }
  } catch (err) {
    if (err instanceof BoxError) return { ...base, mediaError: err.message, fingerprintable: false, fingerprint: 'skipped' };
    throw err;
  }
  const c2pa = await readC2pa(env.c2pa, { mime: 'video/mp4', init, fragment }, env.trust);
  return { ...base, c2pa, fingerprintable: true, fingerprint: 'pending' };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function describeStart(b: Uint8Array): string {
  if (!b.length) return 'the file is empty';
  const head = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  const text = /^[\x09\x0a\x0d\x20-\x7e]{8}/.test(String.fromCharCode(...b.subarray(0, 8)));
  return text ? `it looks like text: "${new TextDecoder().decode(b.subarray(0, 40)).replace(/\s+/g, ' ').trim()}…"` : `it starts with bytes ${head}`;
}
