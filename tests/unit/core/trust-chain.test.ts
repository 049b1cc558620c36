/**
 * The trust list a trusted signer was found on is named from the chain in the manifest's
 * signature, walked to each list's anchors (names, key ids, signatures): real fixtures with the
 * real lists, and chains made at test time (root → intermediate → leaf) where two or three lists
 * are configured and only one holds the root the chain reaches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readC2pa } from '../../../lib/c2pa/read';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';
import { buildTrustSettings, DEFAULT_TRUST_SOURCES, trustListOf, type TrustSource } from '../../../lib/c2pa/trust';
import { claimSignatureOf, decodeCbor, manifestStoreOf, signingChainOf, x5chainOf } from '../../../lib/c2pa/jumbf';
import { listsReached, nameParts, parseCert, signatureCheck, signerNames } from '../../../lib/c2pa/chain';
import { signerPhrase } from '../../../lib/names';
import { MemorySource } from '../../../lib/media/source';
import { decideVerdict } from '../../../lib/verdict';
import { accessibleName } from '../../../lib/present';
import { makeTestChain, type TestChain } from '../../support/chain';
import { signMp4, testSigner } from '../../support/signing';
import { C2PA_FIXTURES } from '../../paths';

const T = (n: string) => readFileSync(join(C2PA_FIXTURES, 'trust', n), 'utf8');
const F = (n: string) => new Uint8Array(readFileSync(join(C2PA_FIXTURES, n)));
const src = (id: string) => DEFAULT_TRUST_SOURCES.find((s) => s.id === id)!;
const list = (id: string, name: string): TrustSource => ({ id, name, url: `https://lists.example/${id}.pem`, role: 'anchors' });
const pemDer = (pem: string) => [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END/g)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));

describe('the signing chain, read from the file', () => {
  it('JPEG (APP11), MP4 (uuid box), an early x5chain by name, and a fragmented init segment', async () => {
    const counts: Record<string, number | undefined> = {};
    for (const f of ['c2pa-rs__C.jpg', 'c2pa-rs__ocsp.jpg', 'c2pa-rs__video1.mp4', 'c2pa-rs__dashinit.mp4', 'c2pa-rs__CIE-sig-CA.jpg']) {
      counts[f] = (await signingChainOf(new MemorySource(F(f))))?.length;
    }
    expect(counts).toEqual({ 'c2pa-rs__C.jpg': 2, 'c2pa-rs__ocsp.jpg': 2, 'c2pa-rs__video1.mp4': 2, 'c2pa-rs__dashinit.mp4': 4, 'c2pa-rs__CIE-sig-CA.jpg': 2 });
    const leaf = parseCert((await signingChainOf(new MemorySource(F('c2pa-rs__C.jpg'))))![0]);
    expect(new TextDecoder().decode(leaf.subject)).toContain('C2PA Signer');
  });

  it('no chain from a file without credentials or with garbage where the store should be', async () => {
    expect(await signingChainOf(new MemorySource(F('c2pa-rs__no_manifest.jpg')))).toBeUndefined();
    const broken = F('c2pa-rs__C.jpg');
    const store = (await manifestStoreOf(new MemorySource(broken)))!;
    expect(claimSignatureOf(store)).toBeDefined();
    expect(x5chainOf(new Uint8Array([0xd2, 0x84, 0x41]))).toBeUndefined();
    expect(() => decodeCbor(new Uint8Array([0x9f, 0x9f, 0x9f]))).toThrow();
    const sigBox = Buffer.from(broken).lastIndexOf('c2pa.signature');
    const cose = Buffer.from(broken).indexOf('cbor', sigBox) + 4;
    expect(sigBox).toBeGreaterThan(0);
    for (let i = cose; i < cose + 40; i++) broken[i] = 0xff; // the COSE_Sign1 is garbage now
    expect(await signingChainOf(new MemorySource(broken))).toBeUndefined();
  });

  it("signatures are checked with the issuer's key (ECDSA, RSA-PSS with an id-RSASSA-PSS key)", async () => {
    for (const f of ['c2pa-rs__C.jpg', 'c2pa-rs__CIE-sig-CA.jpg']) {
      const [leaf, int] = (await signingChainOf(new MemorySource(F(f))))!.map(parseCert);
      expect(await signatureCheck(leaf, int), f).toBe('verified');
      expect(await signatureCheck(int, leaf), f).toBe('failed');
    }
  });
});

describe('the trust list a trusted signer was found on', () => {
  it('real fixtures with the real lists: the Adobe signer on the CAI interim list, the c2pa-rs test signer on the test roots', async () => {
    const trust = buildTrustSettings(
      [
        { source: src('c2pa-trust-list'), text: T('conformance-public__C2PA-TRUST-LIST.pem') },
        { source: src('cai-itl-anchors'), text: T('verify-site-ITL__anchors.pem') },
        { source: src('cai-itl-allowed'), text: T('verify-site-ITL__allowed.pem') },
      ],
      T('c2pa-rs__sdk-test__test_cert_root_bundle.pem'),
    );
    const adobe = await readC2pa(nodeC2paEngine(), { mime: 'image/jpeg', bytes: F('c2pa-rs__ocsp.jpg') }, trust);
    expect(adobe.state).toBe('trusted');
    expect(adobe.trustList).toBe('the CAI interim trust list (anchors)');
    expect(signerPhrase(adobe)).toBe('Adobe Inc. (trusted via the CAI interim trust list (anchors))');
    // The test signer's chain is leaf → "Intermediate CA" → "Root CA": the root is only in the test bundle.
    for (const [f, mime] of [['c2pa-rs__C.jpg', 'image/jpeg'], ['c2pa-rs__video1.mp4', 'video/mp4']]) {
      const c = await readC2pa(nodeC2paEngine(), { mime, blob: new Blob([F(f)]) }, trust);
      expect(c.state, f).toBe('trusted');
      expect(c.trustList, f).toBe('your own anchors');
    }
  });

  describe('a chain made at test time', () => {
    let chain: TestChain;
    let signed: Uint8Array;
    beforeAll(async () => {
      chain = makeTestChain();
      signed = await signMp4(
        F('c2pa-rs__no_manifest.jpg'),
        { generator: 'PL Test Newsroom Camera', title: 'chain.jpg', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' },
        testSigner({ key: chain.leafKey, chain: chain.chainPem }),
        'image/jpeg',
      );
    }, 60_000);
    const read = (lists: [string, string][]) =>
      readC2pa(nodeC2paEngine(), { mime: 'image/jpeg', bytes: signed }, buildTrustSettings(lists.map(([name, text], i) => ({ source: list(`l${i}`, name), text }))));

    it('two lists, only one holds the root: that one is named, the other not (in either order)', async () => {
      for (const lists of [
        [['Newsroom list', chain.root], ['Other list', chain.otherRoot]],
        [['Other list', chain.otherRoot], ['Newsroom list', chain.root]],
      ] as [string, string][][]) {
        const c = await read(lists);
        expect(c.state).toBe('trusted');
        expect(c.trustList).toBe('the Newsroom list');
        const v = decideVerdict({ source: 'chain.jpg', c2pa: c });
        expect(v.summary).toContain('signed by Provenance Lens Test Newsroom (trusted via the Newsroom list)');
        expect(accessibleName(v)).toContain('(trusted via the Newsroom list)');
        expect(v.summary).not.toContain('Other list');
      }
    });

    it('an impostor root with the same name and key id on another list is not named: only the signature tells them apart', async () => {
      expect(parseCert(pemDer(chain.impostorRoot)[0]).ski).toEqual(parseCert(pemDer(chain.root)[0]).ski);
      const c = await read([
        ['Impostor list', chain.impostorRoot],
        ['Newsroom list', chain.root],
      ]);
      expect(c.trustList).toBe('the Newsroom list');
      // Without the real root the engine does not trust the chain at all.
      expect((await read([['Impostor list', chain.impostorRoot]])).state).toBe('valid');
    });

    it('a list holding the intermediate is named beside the one holding the root', async () => {
      const c = await read([
        ['Newsroom list', chain.root],
        ['Intermediate list', chain.intermediate],
        ['Other list', chain.otherRoot],
      ]);
      expect(c.trustList).toBe('the Newsroom list and the Intermediate list');
    });

    it('when the chain leads to none of the lists, the words say the list is not known', async () => {
      const der = (await signingChainOf(new MemorySource(signed)))!;
      expect(await listsReached(der, [{ name: 'Other list', role: 'anchors', certs: pemDer(chain.otherRoot).map(parseCert) }])).toEqual([]);
      const trust = buildTrustSettings([{ source: list('o', 'Other list'), text: chain.otherRoot }]);
      expect(await trustListOf(trust, der)).toBe('a configured trust list (which one could not be determined; configured: Other list)');
      expect(await trustListOf(trust, undefined)).toMatch(/could not be determined/);
    });
  });
});

describe("the signer's and its CA's names, from the leaf certificate", () => {
  /** DER: one element of `tag` around `body` (short and long lengths). */
  const der = (tag: number, ...body: Uint8Array[]) => {
    const n = body.reduce((a, b) => a + b.length, 0);
    const len = n < 128 ? [n] : [0x82, n >> 8, n & 255];
    return Uint8Array.from([tag, ...len, ...body.flatMap((b) => [...b])]);
  };
  const OID = { O: [0x06, 0x03, 0x55, 0x04, 0x0a], CN: [0x06, 0x03, 0x55, 0x04, 0x03], C: [0x06, 0x03, 0x55, 0x04, 0x06] };
  const attr = (oid: number[], tag: number, value: Uint8Array) => der(0x31, der(0x30, Uint8Array.from(oid), der(tag, value)));
  const name = (...rdns: Uint8Array[]) => der(0x30, ...rdns);
  const utf8 = (s: string) => new TextEncoder().encode(s);

  it('organization first, common name without one; UTF-8, printable, BMP and Teletex strings', () => {
    expect(nameParts(name(attr(OID.C, 0x13, utf8('DE')), attr(OID.O, 0x0c, utf8('Zeitung für Bilder')), attr(OID.CN, 0x13, utf8('Signer 1'))))).toEqual({ O: 'Zeitung für Bilder', CN: 'Signer 1' });
    const bmp = Uint8Array.from([0x00, 0x4e, 0x00, 0x48, 0x00, 0x4b]); // "NHK" in UTF-16BE
    expect(nameParts(name(attr(OID.O, 0x1e, bmp)))).toEqual({ O: 'NHK' });
    expect(nameParts(name(attr(OID.CN, 0x14, Uint8Array.from([0x43, 0x61, 0x66, 0xe9]))))).toEqual({ CN: 'Café' });
    // The first organization is the one named; a type it cannot read as text is left out.
    expect(nameParts(name(attr(OID.O, 0x0c, utf8('First')), attr(OID.O, 0x0c, utf8('Second')), attr(OID.CN, 0x04, utf8('raw'))))).toEqual({ O: 'First' });
  });

  it('a malformed name keeps what was read before the damage; bad certificates give no names', () => {
    // The second RDN claims 9 bytes inside a set of 5.
    expect(nameParts(name(attr(OID.O, 0x0c, utf8('Kept')), Uint8Array.from([0x31, 0x05, 0x30, 0x09, 0, 0, 0])))).toEqual({ O: 'Kept' });
    const good = name(attr(OID.O, 0x0c, utf8('Lost')));
    expect(nameParts(good.subarray(0, good.length - 3))).toEqual({}); // the name itself is cut short
    expect(nameParts(Uint8Array.from([0x30, 0x85]))).toEqual({}); // a 5-byte length: refused
    expect(signerNames(undefined)).toEqual({});
    expect(signerNames([utf8('not a certificate')])).toEqual({});
  });

  it("the real fixtures: the same names the engine's certificate info gave", async () => {
    expect(signerNames(await signingChainOf(new MemorySource(F('c2pa-rs__video1.mp4'))))).toEqual({ signer: 'C2PA Test Signing Cert', issuer: 'C2PA Test Intermediate Root CA' });
    expect(signerNames(await signingChainOf(new MemorySource(F('c2pa-rs__legacy.mp4'))))).toEqual({ signer: 'mauricefisher@nc.rr.com', issuer: 'GlobalSign nv-sa' });
    expect(signerNames(await signingChainOf(new MemorySource(F('c2pa-rs__ocsp.jpg'))))).toEqual({ signer: 'Adobe Inc.', issuer: 'Adobe Systems Incorporated' });
  });
});
