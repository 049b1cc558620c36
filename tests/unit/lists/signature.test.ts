import { describe, expect, it } from 'vitest';
import {
  decodePrivateKey,
  decodePublicKey,
  decodeSignature,
  ed25519,
  encodePrivateKey,
  encodePublicKey,
  encodeSignature,
  generateKeyPair,
  KeyFormatError,
  nobleBackend,
  publicKeyOf,
  signBytes,
  toBase64,
  verifyBytes,
  verifyDetached,
  webCryptoBackend,
} from '../../../lib/lists/signature';

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (u: Uint8Array) => [...u].map((b) => b.toString(16).padStart(2, '0')).join('');

// RFC 8032 §7.1, TEST 2 (one-byte message 0x72).
const RFC_SEED = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const RFC_PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const RFC_SIGNATURE = '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';
const RFC_MESSAGE = new Uint8Array([0x72]);

const LIST = new TextEncoder().encode('{"format":"provenance-lens-list"}\n{"id":"a"}\n');

describe('Ed25519 backends', () => {
  it('uses WebCrypto in Node 20', async () => {
    expect((await ed25519()).name).toBe('webcrypto');
  });

  it.each([webCryptoBackend, nobleBackend])('$name reproduces the RFC 8032 test vector', async (backend) => {
    expect(toHex(await backend.publicKeyOf(RFC_SEED))).toBe(RFC_PUBLIC);
    expect(toHex(await backend.sign(RFC_MESSAGE, RFC_SEED))).toBe(RFC_SIGNATURE);
    expect(await backend.verify(RFC_MESSAGE, hex(RFC_SIGNATURE), hex(RFC_PUBLIC))).toBe(true);
  });

  it('signatures cross between backends', async () => {
    const pair = await nobleBackend.generate();
    const sig = await nobleBackend.sign(LIST, pair.privateKey);
    expect(await webCryptoBackend.verify(LIST, sig, pair.publicKey)).toBe(true);
    const pair2 = await webCryptoBackend.generate();
    const sig2 = await webCryptoBackend.sign(LIST, pair2.privateKey);
    expect(await nobleBackend.verify(LIST, sig2, pair2.publicKey)).toBe(true);
    expect(toHex(await nobleBackend.publicKeyOf(pair2.privateKey))).toBe(toHex(pair2.publicKey));
  });
});

describe('detached signatures over list bytes', () => {
  it('holds for the exact bytes and fails for a changed byte, a wrong key, a wrong signature', async () => {
    const { publicKey, privateKey } = await generateKeyPair();
    const other = await generateKeyPair();
    const sig = await signBytes(LIST, privateKey);
    expect(await verifyBytes(LIST, sig, publicKey)).toBe(true);
    for (const at of [0, 17, LIST.length - 1]) {
      const tampered = LIST.slice();
      tampered[at] ^= 0x01;
      expect(await verifyBytes(tampered, sig, publicKey)).toBe(false);
    }
    expect(await verifyBytes(LIST, sig, other.publicKey)).toBe(false);
    const badSig = sig.slice();
    badSig[10] ^= 0x80;
    expect(await verifyBytes(LIST, badSig, publicKey)).toBe(false);
    expect(await verifyBytes(LIST.subarray(0, LIST.length - 1), sig, publicKey)).toBe(false);
  });

  it('refuses keys and signatures of the wrong length', async () => {
    const { publicKey, privateKey } = await generateKeyPair();
    const sig = await signBytes(LIST, privateKey);
    await expect(verifyBytes(LIST, sig.subarray(0, 63), publicKey)).rejects.toThrow(/signature must be 64 bytes/);
    await expect(verifyBytes(LIST, sig, publicKey.subarray(1))).rejects.toThrow(/public key must be 32 bytes/);
    await expect(signBytes(LIST, new Uint8Array(31))).rejects.toThrow(/private key must be 32 bytes/);
  });

  it('treats a public key that is not a curve point as not verifying', async () => {
    const { privateKey } = await generateKeyPair();
    const sig = await signBytes(LIST, privateKey);
    const notAPoint = new Uint8Array(32).fill(0xff);
    expect(await verifyBytes(LIST, sig, notAPoint)).toBe(false);
  });
});

describe('key and signature files', () => {
  it('round-trips the documented text forms', async () => {
    const { publicKey, privateKey } = await generateKeyPair();
    const pubText = encodePublicKey(publicKey);
    const keyText = encodePrivateKey(privateKey);
    expect(pubText).toMatch(/^provenance-lens ed25519 public key\n[A-Za-z0-9+/]{43}=\n$/);
    expect(keyText).toMatch(/^provenance-lens ed25519 private key\n[A-Za-z0-9+/]{43}=\n$/);
    expect(decodePublicKey(pubText)).toEqual(publicKey);
    expect(decodePublicKey(`  ${toBase64(publicKey)}  `)).toEqual(publicKey);
    expect(decodePrivateKey(keyText.replace(/\n/g, '\r\n'))).toEqual(privateKey);
    expect(await publicKeyOf(privateKey)).toEqual(publicKey);
    const sig = await signBytes(LIST, privateKey);
    const sigText = encodeSignature({ signature: sig, signedBy: publicKey });
    expect(sigText).toBe(`${toBase64(sig)}\nsigned-by ${toBase64(publicKey)}\n`);
    expect(decodeSignature(sigText)).toEqual({ signature: sig, signedBy: publicKey });
    expect(decodeSignature(toBase64(sig))).toEqual({ signature: sig });
  });

  it.each([
    ['empty', () => decodePublicKey(''), /expected "provenance-lens ed25519 public key" and one base64 line/],
    ['not base64', () => decodePublicKey('provenance-lens ed25519 public key\n!!!!\n'), /not valid base64/],
    ['wrong length', () => decodePublicKey(`provenance-lens ed25519 public key\n${toBase64(new Uint8Array(31))}\n`), /must be 32 bytes, the base64 decodes to 31/],
    ['private given as public', () => decodePublicKey(`provenance-lens ed25519 private key\n${toBase64(new Uint8Array(32))}\n`), /expected a public key/],
    ['public given as private', () => decodePrivateKey(`provenance-lens ed25519 public key\n${toBase64(new Uint8Array(32))}\n`), /public key file; signing needs the private key/],
    ['private without header', () => decodePrivateKey(toBase64(new Uint8Array(32))), /first line must be "provenance-lens ed25519 private key"/],
    ['extra lines', () => decodePublicKey(`provenance-lens ed25519 public key\n${toBase64(new Uint8Array(32))}\nmore\n`), /one base64 line/],
    ['empty signature', () => decodeSignature('\n'), /signature file is empty/],
    ['short signature', () => decodeSignature(toBase64(new Uint8Array(63))), /signature must be 64 bytes/],
    ['bad signed-by', () => decodeSignature(`${toBase64(new Uint8Array(64))}\nsigner someone\n`), /second line must be "signed-by/],
  ])('clear error: %s', (_name, run, message) => {
    expect(run).toThrow(KeyFormatError);
    expect(run).toThrow(message);
  });
});

describe('verifyDetached (what the updater relies on)', () => {
  it('tells a valid signature, a key change and a bad signature apart', async () => {
    const pinned = await generateKeyPair();
    const next = await generateKeyPair();
    const good = encodeSignature({ signature: await signBytes(LIST, pinned.privateKey), signedBy: pinned.publicKey });
    expect(await verifyDetached(LIST, good, pinned.publicKey)).toEqual({ ok: true });

    const rotated = encodeSignature({ signature: await signBytes(LIST, next.privateKey), signedBy: next.publicKey });
    const changed = await verifyDetached(LIST, rotated, pinned.publicKey);
    expect(changed).toMatchObject({ ok: false, reason: 'key-changed', newKey: toBase64(next.publicKey) });
    expect((changed as { message: string }).message).toMatch(/publisher key changed — confirm/);

    // Naming a key it was not made with is not a key change.
    const lying = encodeSignature({ signature: await signBytes(LIST, next.privateKey), signedBy: (await generateKeyPair()).publicKey });
    expect(await verifyDetached(LIST, lying, pinned.publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });

    const tampered = LIST.slice();
    tampered[3] ^= 1;
    expect(await verifyDetached(tampered, good, pinned.publicKey)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await verifyDetached(LIST, 'garbage', pinned.publicKey)).toMatchObject({ ok: false, reason: 'bad-signature', message: expect.stringMatching(/malformed signature file/) });
  });
});
