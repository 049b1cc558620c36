/**
 * Which trust list a trusted signer was found on. The C2PA engine decides trust (its verdict is
 * the authority) but does not say which anchor the chain reached; here the chain from the
 * manifest's signature (lib/c2pa/jumbf.ts) is walked to the anchors of each configured list:
 * a certificate is issued by another when its issuer name is the other's subject name (DER bytes),
 * its authority key id is the other's subject key id (when both are given), and its signature
 * verifies with the other's public key (WebCrypto: ECDSA P-256/384/521, RSA PKCS#1 v1.5, RSA-PSS,
 * Ed25519). Only for an algorithm WebCrypto cannot check does a name and key-id match stand alone.
 */

export interface Cert {
  der: Uint8Array;
  tbs: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  /** OID of the public key's algorithm, and its parameter OID (the curve, for EC keys). */
  keyAlg: string;
  keyParam?: string;
  sigAlg: string;
  sigParams?: Uint8Array;
  signature: Uint8Array;
  ski?: Uint8Array;
  aki?: Uint8Array;
}

interface Tlv {
  tag: number;
  /** Start of the whole element (its tag), start of its content, end of it. */
  at: number;
  start: number;
  end: number;
}

function tlv(b: Uint8Array, at: number, end = b.length): Tlv {
  if (at + 2 > end) throw new RangeError('truncated DER');
  const tag = b[at];
  let len = b[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > end) throw new RangeError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > end) throw new RangeError('truncated DER');
  return { tag, at, start, end: start + len };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.start; at < t.end; ) {
    const c = tlv(b, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

function oid(b: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end === t.start) throw new RangeError('not an OID');
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      if (!parts.length) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const whole = (b: Uint8Array, t: Tlv) => b.subarray(t.at, t.end);
const content = (b: Uint8Array, t: Tlv) => b.subarray(t.start, t.end);

/** The parts of an X.509 certificate a path needs; throws on anything that is not one. */
export function parseCert(der: Uint8Array): Cert {
  const cert = tlv(der, 0);
  const [tbsT, algT, sigT] = children(der, cert);
  if (!tbsT || !algT || !sigT || sigT.tag !== 0x03) throw new RangeError('not a certificate');
  let f = children(der, tbsT);
  if (f[0]?.tag === 0xa0) f = f.slice(1); // version
  const [, , issuerT, , subjectT, spkiT] = f;
  if (!spkiT) throw new RangeError('not a certificate');
  const [keyAlgT] = children(der, spkiT);
  const [keyOidT, keyParamT] = children(der, keyAlgT);
  const [sigOidT, sigParamT] = children(der, algT);
  const out: Cert = {
    der,
    tbs: whole(der, tbsT),
    issuer: whole(der, issuerT),
    subject: whole(der, subjectT),
    spki: whole(der, spkiT),
    keyAlg: oid(der, keyOidT),
    keyParam: keyParamT?.tag === 0x06 ? oid(der, keyParamT) : undefined,
    sigAlg: oid(der, sigOidT),
    sigParams: sigParamT && sigParamT.tag === 0x30 ? whole(der, sigParamT) : undefined,
    signature: der.subarray(sigT.start + 1, sigT.end), // after the unused-bits byte
  };
  const ext = f.find((t) => t.tag === 0xa3);
  if (ext) {
    for (const e of children(der, children(der, ext)[0])) {
      const parts = children(der, e);
      const id = oid(der, parts[0]);
      const value = parts[parts.length - 1];
      if (value.tag !== 0x04) continue;
      if (id === '2.5.29.14') out.ski = content(der, tlv(der, value.start, value.end));
      if (id === '2.5.29.35') {
        const keyId = children(der, tlv(der, value.start, value.end)).find((t) => t.tag === 0x80);
        if (keyId) out.aki = content(der, keyId);
      }
    }
  }
  return out;
}

/** Organization and common name of an X.509 Name (DER): what the popup shows for a signer or its CA. */
export function nameParts(name: Uint8Array): { O?: string; CN?: string } {
  const out: { O?: string; CN?: string } = {};
  try {
    for (const rdn of children(name, tlv(name, 0))) {
      for (const atv of children(name, rdn)) {
        const [type, value] = children(name, atv);
        if (!type || !value) continue;
        const key = { '2.5.4.10': 'O', '2.5.4.3': 'CN' }[oid(name, type)] as 'O' | 'CN' | undefined;
        if (key && out[key] === undefined) out[key] = directoryString(content(name, value), value.tag);
      }
    }
  } catch {
    /* a malformed name: whatever was read before it */
  }
  return out;
}

/** A DirectoryString's text: UTF-8, printable and IA5 as UTF-8, BMP as UTF-16BE, Teletex as Latin-1. */
function directoryString(b: Uint8Array, tag: number): string | undefined {
  if (tag === 0x1e) return new TextDecoder('utf-16be').decode(b);
  if (tag === 0x14) return String.fromCharCode(...b);
  if (tag === 0x0c || tag === 0x13 || tag === 0x16) return new TextDecoder().decode(b);
  return undefined;
}

/** The signer's organization (or common name) and its issuing CA's, from the leaf certificate of a chain. */
export function signerNames(chainDer: Uint8Array[] | undefined): { signer?: string; issuer?: string } {
  if (!chainDer?.length) return {};
  try {
    const leaf = parseCert(chainDer[0]);
    const subject = nameParts(leaf.subject);
    const issuer = nameParts(leaf.issuer);
    return { signer: subject.O ?? subject.CN, issuer: issuer.O ?? issuer.CN };
  } catch {
    return {};
  }
}

const same = (a?: Uint8Array, b?: Uint8Array) => !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);

/** Issuer name matches the other's subject, and the key ids agree where both are given. */
function namedBy(child: Cert, parent: Cert): boolean {
  return same(child.issuer, parent.subject) && (!child.aki || !parent.ski || same(child.aki, parent.ski));
}

const HASH: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
};
const CURVE: Record<string, [string, number]> = {
  '1.2.840.10045.3.1.7': ['P-256', 32],
  '1.3.132.0.34': ['P-384', 48],
  '1.3.132.0.35': ['P-521', 66],
};
const DIGEST_OID: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const EC_KEY = '1.2.840.10045.2.1';
const RSA_KEY = '1.2.840.113549.1.1.1';
const PSS = '1.2.840.113549.1.1.10';
const ED25519 = '1.3.101.112';

type Check = 'verified' | 'failed' | 'unchecked';

/** The same public key under the rsaEncryption algorithm identifier (with its NULL parameters). */
function asRsaEncryption(spki: Uint8Array): Uint8Array<ArrayBuffer> {
  const outer = tlv(spki, 0);
  const bits = children(spki, outer)[1];
  const alg = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);
  return derSeq([alg, whole(spki, bits)]);
}

function derSeq(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = 0x30;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Whether `child`'s signature verifies with `parent`'s key; "unchecked" when WebCrypto cannot tell. */
export async function signatureCheck(child: Cert, parent: Cert): Promise<Check> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return 'unchecked';
  let key: CryptoKey;
  let alg: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
  let sig = child.signature;
  const spki = parent.spki.slice();
  const k = parent.keyAlg;
  try {
    if (child.sigAlg.startsWith('1.2.840.10045.4.3.')) {
      if (k !== EC_KEY) return 'failed';
      const curve = CURVE[parent.keyParam ?? ''];
      if (!curve || !HASH[child.sigAlg]) return 'unchecked';
      key = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: curve[0] }, false, ['verify']);
      alg = { name: 'ECDSA', hash: HASH[child.sigAlg] };
      sig = rawEcdsa(sig, curve[1]);
    } else if (HASH[child.sigAlg]) {
      if (k !== RSA_KEY) return 'failed';
      key = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: HASH[child.sigAlg] }, false, ['verify']);
      alg = { name: 'RSASSA-PKCS1-v1_5' };
    } else if (child.sigAlg === PSS) {
      if (k !== RSA_KEY && k !== PSS) return 'failed';
      const pss = pssParams(child.sigParams);
      if (!pss) return 'unchecked';
      // WebCrypto imports RSA keys only as rsaEncryption: an id-RSASSA-PSS key is the same key.
      key = await subtle.importKey('spki', k === PSS ? asRsaEncryption(parent.spki) : spki, { name: 'RSA-PSS', hash: pss.hash }, false, ['verify']);
      alg = { name: 'RSA-PSS', saltLength: pss.saltLength };
    } else if (child.sigAlg === ED25519) {
      if (k !== ED25519) return 'failed';
      key = await subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
      alg = { name: 'Ed25519' };
    } else return 'unchecked';
  } catch {
    return 'unchecked'; // a key WebCrypto does not import (an id-RSASSA-PSS key, an old browser without Ed25519…)
  }
  try {
    return (await subtle.verify(alg, key, sig.slice(), child.tbs.slice())) ? 'verified' : 'failed';
  } catch {
    return 'failed';
  }
}

/** DER ECDSA-Sig-Value (SEQUENCE of r, s) to WebCrypto's fixed-size r||s. */
function rawEcdsa(der: Uint8Array, n: number): Uint8Array {
  const seq = tlv(der, 0);
  const [r, s] = children(der, seq);
  const out = new Uint8Array(n * 2);
  for (const [i, t] of [r, s].entries()) {
    let v = content(der, t);
    while (v.length > n && v[0] === 0) v = v.subarray(1);
    if (v.length > n) throw new RangeError('bad ECDSA signature');
    out.set(v, i * n + n - v.length);
  }
  return out;
}

/** RSASSA-PSS-params: hash ([0], SHA-1 by default) and salt length ([2], 20 by default). */
function pssParams(p?: Uint8Array): { hash: string; saltLength: number } | undefined {
  let hash = 'SHA-1';
  let saltLength = 20;
  if (p) {
    for (const t of children(p, tlv(p, 0))) {
      const inner = tlv(p, t.start, t.end);
      if (t.tag === 0xa0) hash = DIGEST_OID[oid(p, children(p, inner)[0])] ?? '';
      if (t.tag === 0xa2) saltLength = content(p, inner).reduce((v, x) => v * 256 + x, 0);
    }
  }
  return hash ? { hash, saltLength } : undefined;
}

/** One list as the path builder sees it. */
export interface CertList {
  name: string;
  role: 'anchors' | 'allowed';
  certs: Cert[];
  /** An allowed list given as base64 SHA-256 hashes of certificates, one per line. */
  hashes?: Set<string>;
}

export const MAX_PATH = 8;

/**
 * The lists that vouch for a chain (leaf first): an allowed list holding the leaf itself, and
 * each anchor list holding a certificate the chain reaches — the chain's own certificate, or one
 * that issued it — through the chain's intermediates.
 */
export async function listsReached(chainDer: Uint8Array[], lists: CertList[]): Promise<string[]> {
  const chain: Cert[] = [];
  for (const d of chainDer.slice(0, MAX_PATH)) {
    try {
      chain.push(parseCert(d));
    } catch {
      if (!chain.length) return []; // no readable leaf
    }
  }
  if (!chain.length) return [];
  const checks = new Map<string, Promise<Check>>();
  const check = (c: Cert, p: Cert, key: string) => {
    if (!checks.has(key)) checks.set(key, signatureCheck(c, p));
    return checks.get(key)!;
  };
  const issued = async (c: Cert, p: Cert, key: string) => namedBy(c, p) && (await check(c, p, key)) !== 'failed';
  // Every certificate of the chain that the leaf reaches through the chain itself.
  const reached: Cert[] = [chain[0]];
  for (let i = 0; i < reached.length && reached.length <= MAX_PATH; i++) {
    const cur = reached[i];
    for (const [j, c] of chain.entries()) {
      if (!reached.includes(c) && (await issued(cur, c, `c${chain.indexOf(cur)}-${j}`))) reached.push(c);
    }
  }
  const leafHash = lists.some((l) => l.hashes?.size) ? await sha256b64(chain[0].der) : '';
  const out: string[] = [];
  for (const [li, list] of lists.entries()) {
    let ok = false;
    if (list.role === 'allowed') ok = list.certs.some((a) => same(a.der, chain[0].der)) || !!list.hashes?.has(leafHash);
    else {
      for (const [ri, cur] of reached.entries()) {
        for (const [ai, a] of list.certs.entries()) {
          if (same(a.der, cur.der) || (await issued(cur, a, `a${li}-${ri}-${ai}`))) ok = true;
          if (ok) break;
        }
        if (ok) break;
      }
    }
    if (ok) out.push(list.name);
  }
  return out;
}

async function sha256b64(b: Uint8Array): Promise<string> {
  const d = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', b.slice()));
  return btoa(String.fromCharCode(...d));
}
