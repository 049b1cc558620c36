/**
 * The check pipeline's first stage, shared by the extension's worker and the CLI:
 * bytes → format sniffing → structure check → C2PA read/validate → SHA-256 → Evidence.
 * Fingerprinting (stage two) and list matching are run by the caller, so the C2PA result
 * can be shown before the slower frame hashing is done.
 */
import { readC2pa, type C2paEngine } from './c2pa/read';
import type { TrustSettings } from './c2pa/trust';
import { BoxError, checkStructure, findC2paBox } from './media/bmff';
import { isBmff, isVideo, sniffType, type SniffedType } from './media/sniff';
import type { C2paEvidence, Evidence } from './verdict';
import { empty } from './c2pa/summarize';
import { followRemote, type RemoteContext } from './c2pa/remote';

export interface CheckEnv {
  c2pa: C2paEngine;
  trust?: TrustSettings;
  /** Where the bytes came from and how to follow a remote manifest (absent: references are reported, not followed). */
  remote?: RemoteContext;
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
  const read = (b: Uint8Array) => readC2pa(env.c2pa, { mime: mediaType, bytes: b }, env.trust);
  let c2pa: C2paEvidence = C2PA_READABLE.has(mediaType)
    ? await read(bytes)
    : { ...empty('absent'), error: 'Content Credentials cannot be read from this format' };
  if (env.remote && C2PA_READABLE.has(mediaType)) c2pa = await followRemote(c2pa, bytes, mediaType, env.remote, read);
  const fingerprintable = isVideo(mediaType);
  return { ...base, c2pa, fingerprintable, fingerprint: fingerprintable ? 'pending' : 'skipped' };
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
