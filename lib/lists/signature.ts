/**
 * Detached Ed25519 signatures over the exact bytes of a list file.
 *
 * Text forms (all base64 is standard, padded; surrounding whitespace is ignored):
 *   public key file (<prefix>.pub):   "provenance-lens ed25519 public key\n<base64 of the 32-byte key>\n"
 *   private key file (<prefix>.key):  "provenance-lens ed25519 private key\n<base64 of the 32-byte seed>\n"
 *   signature file (<list>.sig):      "<base64 of the 64-byte signature>\n" optionally followed by
 *                                     "signed-by <base64 public key>\n"
 * A bare base64 public key (no header line) is also accepted, for pasting into a form.
 * `signed-by` is a hint, not a trust anchor: it lets a subscriber tell "the publisher's key
 * changed" (held for the user to confirm) from "this is not signed by anyone we know".
 *
 * WebCrypto's Ed25519 is used where the runtime has it (Node 20, Chrome, Firefox ≥ 129),
 * else @noble/ed25519 (which itself only needs crypto.subtle SHA-512).
 */
import * as noble from '@noble/ed25519';

export const PUBLIC_KEY_HEADER = 'provenance-lens ed25519 public key';
export const PRIVATE_KEY_HEADER = 'provenance-lens ed25519 private key';
export const SIGNED_BY = 'signed-by';

export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
}

export interface KeyPair {
  publicKey: Uint8Array;
  /** The 32-byte seed (RFC 8032 private key). */
  privateKey: Uint8Array;
}

export interface DetachedSignature {
  signature: Uint8Array;
  /** The key the signer claims to have used. */
  signedBy?: Uint8Array;
}

export interface Ed25519Backend {
  readonly name: string;
  generate(): Promise<KeyPair>;
  publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array>;
  sign(message: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array>;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
}

// ───────────────────────────── backends ─────────────────────────────

/** PKCS#8 wrapping of a raw Ed25519 seed: WebCrypto does not import raw private keys. */
const PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const ED25519 = { name: 'Ed25519' } as const;

function buf(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

export const webCryptoBackend: Ed25519Backend = {
  name: 'webcrypto',
  async generate() {
    const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return { publicKey, privateKey: pkcs8.slice(pkcs8.length - 32) };
  },
  async publicKeyOf(privateKey) {
    // WebCrypto cannot derive a public key from a private one without exporting as JWK.
    const key = await importPrivate(privateKey, true);
    const jwk = await crypto.subtle.exportKey('jwk', key);
    return fromBase64Url(jwk.x ?? '');
  },
  async sign(message, privateKey) {
    const key = await importPrivate(privateKey, false);
    return new Uint8Array(await crypto.subtle.sign(ED25519, key, buf(message)));
  },
  async verify(message, signature, publicKey) {
    const key = await crypto.subtle.importKey('raw', buf(publicKey), ED25519, false, ['verify']);
    return crypto.subtle.verify(ED25519, key, buf(signature), buf(message));
  },
};

async function importPrivate(seed: Uint8Array, extractable: boolean): Promise<CryptoKey> {
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  return crypto.subtle.importKey('pkcs8', pkcs8, ED25519, extractable, ['sign']);
}

export const nobleBackend: Ed25519Backend = {
  name: 'noble',
  async generate() {
    const { secretKey, publicKey } = await noble.keygenAsync();
    return { publicKey, privateKey: secretKey };
  },
  publicKeyOf: (privateKey) => noble.getPublicKeyAsync(privateKey),
  sign: (message, privateKey) => noble.signAsync(message, privateKey),
  async verify(message, signature, publicKey) {
    try {
      return await noble.verifyAsync(signature, message, publicKey);
    } catch {
      return false; // malformed point or signature encoding: not a valid signature
    }
  },
};

let chosen: Promise<Ed25519Backend> | undefined;

/** WebCrypto when it really works here (probed once), else noble. */
export function ed25519(): Promise<Ed25519Backend> {
  chosen ??= (async () => {
    try {
      const pair = await webCryptoBackend.generate();
      const msg = new Uint8Array([1, 2, 3]);
      const sig = await webCryptoBackend.sign(msg, pair.privateKey);
      if (await webCryptoBackend.verify(msg, sig, pair.publicKey)) return webCryptoBackend;
    } catch {
      /* no Ed25519 in this runtime's WebCrypto */
    }
    return nobleBackend;
  })();
  return chosen;
}

// ───────────────────────────── operations ─────────────────────────────

export async function generateKeyPair(): Promise<KeyPair> {
  return (await ed25519()).generate();
}

export async function publicKeyOf(privateKey: Uint8Array): Promise<Uint8Array> {
  checkLength(privateKey, 32, 'private key');
  return (await ed25519()).publicKeyOf(privateKey);
}

export async function signBytes(message: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array> {
  checkLength(privateKey, 32, 'private key');
  return (await ed25519()).sign(message, privateKey);
}

/** False for any signature that does not hold, including malformed ones of the right length. */
export async function verifyBytes(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  checkLength(signature, 64, 'signature');
  checkLength(publicKey, 32, 'public key');
  try {
    return await (await ed25519()).verify(message, signature, publicKey);
  } catch {
    return false; // e.g. WebCrypto refusing a public key that is not a curve point
  }
}

function checkLength(u: Uint8Array, n: number, what: string): void {
  if (!(u instanceof Uint8Array) || u.length !== n) throw new KeyFormatError(`${what} must be ${n} bytes, got ${u?.length ?? 'none'}`);
}

// ───────────────────────────── text forms ─────────────────────────────

export function encodePublicKey(publicKey: Uint8Array): string {
  checkLength(publicKey, 32, 'public key');
  return `${PUBLIC_KEY_HEADER}\n${toBase64(publicKey)}\n`;
}

export function encodePrivateKey(privateKey: Uint8Array): string {
  checkLength(privateKey, 32, 'private key');
  return `${PRIVATE_KEY_HEADER}\n${toBase64(privateKey)}\n`;
}

/** Accepts the key file text or a bare base64 key. */
export function decodePublicKey(text: string): Uint8Array {
  return decodeKey(text, PUBLIC_KEY_HEADER, 'public key', PRIVATE_KEY_HEADER, 'private key');
}

export function decodePrivateKey(text: string): Uint8Array {
  const lines = meaningfulLines(text);
  if (lines[0] !== PRIVATE_KEY_HEADER) {
    if (lines[0] === PUBLIC_KEY_HEADER) throw new KeyFormatError('this is a public key file; signing needs the private key (.key)');
    throw new KeyFormatError(`not a private key file: the first line must be "${PRIVATE_KEY_HEADER}"`);
  }
  return decodeKey(text, PRIVATE_KEY_HEADER, 'private key', PUBLIC_KEY_HEADER, 'public key');
}

function decodeKey(text: string, header: string, what: string, otherHeader: string, otherWhat: string): Uint8Array {
  if (typeof text !== 'string' || text.length > 4096) throw new KeyFormatError(`not a ${what}: too long`);
  let lines = meaningfulLines(text);
  if (lines[0]?.startsWith(otherHeader)) throw new KeyFormatError(`expected a ${what}, got a ${otherWhat} file`);
  // A key file pasted into a one-line field arrives as "<header><base64>" or "<header> <base64>".
  if (lines.length === 1 && lines[0].startsWith(header) && lines[0] !== header) lines = [header, lines[0].slice(header.length).trim()];
  const body = lines[0] === header ? lines.slice(1) : lines;
  if (body.length !== 1) throw new KeyFormatError(`not a ${what}: expected "${header}" and one base64 line`);
  const key = fromBase64(body[0], what);
  if (key.length !== 32) throw new KeyFormatError(`${what} must be 32 bytes, the base64 decodes to ${key.length}`);
  return key;
}

export function encodeSignature(sig: DetachedSignature): string {
  checkLength(sig.signature, 64, 'signature');
  let out = `${toBase64(sig.signature)}\n`;
  if (sig.signedBy) {
    checkLength(sig.signedBy, 32, 'public key');
    out += `${SIGNED_BY} ${toBase64(sig.signedBy)}\n`;
  }
  return out;
}

export function decodeSignature(text: string): DetachedSignature {
  if (typeof text !== 'string' || text.length > 4096) throw new KeyFormatError('not a signature file: too long');
  const lines = meaningfulLines(text);
  if (!lines.length) throw new KeyFormatError('signature file is empty');
  if (lines.length > 2) throw new KeyFormatError('signature file has unexpected extra lines');
  const signature = fromBase64(lines[0], 'signature');
  if (signature.length !== 64) throw new KeyFormatError(`signature must be 64 bytes, the base64 decodes to ${signature.length}`);
  if (lines.length === 1) return { signature };
  const m = /^signed-by\s+(\S+)$/.exec(lines[1]);
  if (!m) throw new KeyFormatError(`signature file: second line must be "${SIGNED_BY} <base64 public key>"`);
  const signedBy = fromBase64(m[1], 'signed-by key');
  if (signedBy.length !== 32) throw new KeyFormatError(`signed-by key must be 32 bytes, the base64 decodes to ${signedBy.length}`);
  return { signature, signedBy };
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'bad-signature'; message: string }
  /** Validly signed, but by another key than the pinned one. */
  | { ok: false; reason: 'key-changed'; message: string; newKey: string };

/**
 * Check a list file against its .sig text and the pinned public key (base64).
 * Only a signature that verifies under the key it names counts as a key change.
 */
export async function verifyDetached(bytes: Uint8Array, sigText: string, pinnedKey: Uint8Array): Promise<VerifyResult> {
  let sig: DetachedSignature;
  try {
    sig = decodeSignature(sigText);
  } catch (err) {
    return { ok: false, reason: 'bad-signature', message: `malformed signature file: ${(err as Error).message}` };
  }
  if (await verifyBytes(bytes, sig.signature, pinnedKey)) return { ok: true };
  if (sig.signedBy && !equalBytes(sig.signedBy, pinnedKey) && (await verifyBytes(bytes, sig.signature, sig.signedBy))) {
    const newKey = toBase64(sig.signedBy);
    return { ok: false, reason: 'key-changed', newKey, message: `publisher key changed — confirm (the list is now signed by ${newKey}, not by the pinned ${toBase64(pinnedKey)})` };
  }
  return { ok: false, reason: 'bad-signature', message: 'signature does not verify with the publisher key: the list was altered or not signed by this publisher' };
}

// ───────────────────────────── base64 ─────────────────────────────

function meaningfulLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

export function toBase64(u: Uint8Array): string {
  let s = '';
  for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
  return btoa(s);
}

export function fromBase64(s: string, what = 'value'): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new KeyFormatError(`${what} is not valid base64`);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function fromBase64Url(s: string): Uint8Array {
  const b = s.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(b + '='.repeat((4 - (b.length % 4)) % 4), 'key');
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
