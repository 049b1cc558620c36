/** C2PA reading on the real fixtures, through c2pa-wasm in Node, and the summariser's rules on plain JSON. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';
import { readC2pa, fromReadError, IN_ENGINE_READ_MAX, type C2paEngine } from '../../../lib/c2pa/read';
import { summarizeStore } from '../../../lib/c2pa/summarize';
import { buildTrustSettings, countPemCertificates, validateTrustResource, DEFAULT_TRUST_SOURCES } from '../../../lib/c2pa/trust';
import { C2PA_FIXTURES } from '../../paths';
import { identityWords } from '../../../lib/present';
import { badSignatureVideo } from '../../support/signing';

const F = (n: string) => new Uint8Array(readFileSync(join(C2PA_FIXTURES, n)));
const T = (n: string) => readFileSync(join(C2PA_FIXTURES, 'trust', n), 'utf8');
const engine = nodeC2paEngine();
const read = (name: string, mime: string, trust?: Parameters<typeof readC2pa>[2]) => readC2pa(engine, { mime, bytes: F(name) }, trust);

describe('reading the fixtures', () => {
  it('bytes in memory are read from a copy in the engine up to IN_ENGINE_READ_MAX, through a Blob beyond (the same verdict either way)', async () => {
    const calls: string[] = [];
    const spy: C2paEngine = {
      ...engine,
      fromBlob: (f, b, c) => (calls.push('blob'), engine.fromBlob(f, b, c)),
      fromBytes: (f, b, c) => (calls.push('bytes'), engine.fromBytes!(f, b, c)),
    };
    const bytes = F('c2pa-rs__video1.mp4');
    const copied = await readC2pa(spy, { mime: 'video/mp4', bytes });
    const { fromBytes: _, ...blobOnly } = spy;
    const viaBlob = await readC2pa(blobOnly, { mime: 'video/mp4', bytes });
    expect(calls).toEqual(['bytes', 'blob']);
    expect(copied).toEqual(viaBlob);
    expect(copied.state).toBe('valid');
    // A large input is not copied into the engine's memory (which never shrinks).
    calls.length = 0;
    await readC2pa(spy, { mime: 'video/mp4', bytes: new Uint8Array(IN_ENGINE_READ_MAX + 1) });
    expect(calls).toEqual(['blob']);
  });

  it('video1.mp4: valid, BMFF hash matches, signer and issuer from the certificate', async () => {
    const c = await read('c2pa-rs__video1.mp4', 'video/mp4');
    expect(c.state).toBe('valid');
    expect(c.trust).toBe('unknown');
    expect(c.signer).toBe('C2PA Test Signing Cert');
    expect(c.issuer).toBe('C2PA Test Intermediate Root CA');
    expect(c.generator).toBe('TestApp c2patool/0.6.2 c2pa-rs/0.28.2');
    expect(c.codes).toContain('assertion.bmffHash.match');
    expect(c.aiGenerated).toBe(false);
    expect(c.chain?.ingredients[0].manifest?.signer).toBe('Media Publisher Company');
  });
  it('legacy.mp4: valid since c2pa-wasm 0.15 (0.11 reported claimSignature.mismatch on this legacy v1 claim)', async () => {
    // c2pa-rs now validates this 2023 claim (RSA signature, legacy DigiCert time-stamp) and reports
    // claimSignature.validated and timeStamp.trusted; the shared SOURCES.md records 0.11's answer.
    const c = await read('c2pa-rs__legacy.mp4', 'video/mp4');
    expect(c.state).toBe('valid');
    expect(c.codes).toContain('claimSignature.validated');
    expect(c.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
    expect(c.issuer).toBe('GlobalSign nv-sa');
  });
  it('a signed video whose claim was altered after signing: invalid signature', async () => {
    const c = await readC2pa(engine, { mime: 'video/mp4', bytes: new Uint8Array(readFileSync(await badSignatureVideo())) });
    expect(c.state).toBe('invalid');
    expect(c.failures.map((f) => f.code)).toContain('claimSignature.mismatch');
  });
  it('no manifest: absent (mp4, mov, jpeg)', async () => {
    expect((await read('c2pa-rs__video1_no_manifest.mp4', 'video/mp4')).state).toBe('absent');
    expect((await read('c2pa-rs__c.mov', 'video/quicktime')).state).toBe('absent');
    expect((await read('c2pa-rs__no_manifest.jpg', 'image/jpeg')).state).toBe('absent');
  });
  it('tampered and badly signed JPEGs are invalid', async () => {
    expect((await read('c2pa-rs__XCA.jpg', 'image/jpeg')).failures.map((f) => f.code)).toContain('assertion.dataHash.mismatch');
    expect((await read('c2pa-rs__E-sig-CA.jpg', 'image/jpeg')).state).toBe('invalid');
    expect((await read('public-testfiles__adobe-20220124-XCA.jpg', 'image/jpeg')).state).toBe('invalid');
  });
  it('AI declarations: composite with generative AI, algorithmic, and a camera capture that is not AI', async () => {
    const ocsp = await read('c2pa-rs__ocsp.jpg', 'image/jpeg');
    expect(ocsp.aiGenerated).toBe(true);
    expect(ocsp.generator).toBe('Adobe Firefly');
    expect(ocsp.signer).toBe('Adobe Inc.');
    expect(ocsp.digitalSourceTypes.map((d) => d.split('/').pop())).toEqual(['compositeWithTrainedAlgorithmicMedia']);
    const c = await read('c2pa-rs__C.jpg', 'image/jpeg');
    expect(c.aiGenerated).toBe(true);
    const cawg = await read('c2pa-rs__C_with_CAWG_data.jpg', 'image/jpeg');
    expect(cawg.state).toBe('valid');
    expect(cawg.aiGenerated).toBe(false);
    expect(cawg.digitalSourceTypes[0]).toMatch(/digitalCapture$/);
  });
  it('the CAWG fixture: its identity assertion is read (who, vouched for by whom, valid or not)', async () => {
    const cawg = await read('c2pa-rs__C_with_CAWG_data.jpg', 'image/jpeg');
    expect(cawg.identities).toEqual([
      {
        who: 'C2PA Signer',
        verifiedBy: 'an X.509 certificate naming C2PA Test Signing Cert',
        sigType: 'cawg.x509.cose',
        // Signature checks out; the identity's certificate is on no trust list (c2pa-wasm 0.15: cawg.x509.credential.untrusted).
        state: 'untrusted',
        codes: expect.arrayContaining(['cawg.identity.well-formed', 'cawg.x509.signature.validated', 'cawg.x509.credential.untrusted']),
      },
    ]);
    expect(identityWords(cawg.identities![0])).toBe(
      '“C2PA Signer”, vouched for by an X.509 certificate naming C2PA Test Signing Cert (signature valid, but its certificate is not on a trust list)',
    );
    expect((await read('c2pa-rs__video1.mp4', 'video/mp4')).identities).toBeUndefined();
  });
  it('an identity assertion that does not hold reads invalid', () => {
    const store = {
      active_manifest: 'm',
      validation_state: 'Valid',
      manifests: { m: { assertions: [{ label: 'cawg.identity', data: { signer_payload: { sig_type: 'cawg.x509.cose' }, signature_info: { common_name: 'Someone' } } }] } },
      validation_results: { activeManifest: { success: [], informational: [], failure: [{ code: 'cawg.identity.signature.mismatch', url: 'self#jumbf=/c2pa/m/c2pa.assertions/cawg.identity' }] } },
    };
    expect(summarizeStore(store, undefined, { trustLoaded: false }).identities?.[0].state).toBe('invalid');
  });
  it('an ingredient with a bad signature shows in the chain, not on the active manifest', async () => {
    const c = await read('c2pa-rs__CIE-sig-CA.jpg', 'image/jpeg');
    expect(c.state).toBe('valid');
    const bad = c.chain!.ingredients.flatMap((i) => i.failures.map((f) => f.code));
    expect(bad.length).toBeGreaterThan(0);
  });
  it('fragmented MP4: init + fragment is valid; the init alone is a hash mismatch', async () => {
    const frag = await readC2pa(engine, { mime: 'video/mp4', init: F('c2pa-rs__dashinit.mp4'), fragment: F('c2pa-js__dash1.m4s') });
    expect(frag.state).toBe('valid');
    expect(frag.fragmented).toBe(true);
    const init = await read('c2pa-rs__dashinit.mp4', 'video/mp4');
    expect(init.state).toBe('invalid');
    expect(init.failures.map((f) => f.code)).toContain('assertion.bmffHash.mismatch');
  });
});

describe('trust', () => {
  it('the c2pa-rs test roots as anchors make C.jpg and video1 (active signer) trusted', async () => {
    const trust = buildTrustSettings([], T('c2pa-rs__sdk-test__test_cert_root_bundle.pem'));
    expect(trust?.sources).toEqual(['your own anchors']);
    const c = await read('c2pa-rs__C.jpg', 'image/jpeg', trust);
    expect(c.state).toBe('trusted');
    expect(c.libraryState).toBe('Trusted');
    const v = await read('c2pa-rs__video1.mp4', 'video/mp4', trust);
    // The library says "Valid" because the ingredient's signer is untrusted; the active signer is trusted.
    expect(v.libraryState).toBe('Valid');
    expect(v.state).toBe('trusted');
  });
  it('the CAI interim trust list (anchors + allowed + EKU config) trusts the Adobe signer; the C2PA list alone does not', async () => {
    const src = (id: string) => DEFAULT_TRUST_SOURCES.find((s) => s.id === id)!;
    const itl = buildTrustSettings([
      { source: src('c2pa-trust-list'), text: T('conformance-public__C2PA-TRUST-LIST.pem') },
      { source: src('cai-itl-anchors'), text: T('verify-site-ITL__anchors.pem') },
      { source: src('cai-itl-allowed'), text: T('verify-site-ITL__allowed.pem') },
      { source: src('cai-itl-config'), text: T('verify-site-ITL__store.cfg') },
    ]);
    expect((await read('c2pa-rs__ocsp.jpg', 'image/jpeg', itl)).state).toBe('trusted');
    const official = buildTrustSettings([{ source: src('c2pa-trust-list'), text: T('conformance-public__C2PA-TRUST-LIST.pem') }]);
    const o = await read('c2pa-rs__ocsp.jpg', 'image/jpeg', official);
    expect(o.state).toBe('valid');
    expect(o.trust).toBe('untrusted');
  });
  it('counts and validates trust resources', () => {
    expect(countPemCertificates(T('conformance-public__C2PA-TRUST-LIST.pem'))).toBe(30);
    expect(countPemCertificates(T('conformance-public__C2PA-TSA-TRUST-LIST.pem'))).toBe(22);
    expect(validateTrustResource('anchors', '<html>not found</html>')).toMatch(/no PEM certificate/);
    expect(validateTrustResource('config', T('verify-site-ITL__store.cfg'))).toBeUndefined();
    expect(validateTrustResource('config', 'hello world')).toMatch(/not an EKU OID/);
    expect(buildTrustSettings([], 'not a pem')).toBeUndefined();
  });
});

describe('summariser rules on plain JSON', () => {
  const store = (state: string, failure: { code: string }[]) => ({
    active_manifest: 'm',
    manifests: { m: { claim_generator: 'x', assertions: [], signature_info: { issuer: 'Org' } } },
    validation_state: state,
    validation_results: { activeManifest: { success: [], informational: [], failure } },
  });
  it('an integrity failure is invalid even if a state says Valid', () => {
    expect(summarizeStore(store('Valid', [{ code: 'assertion.dataHash.mismatch' }]), undefined, { trustLoaded: false }).state).toBe('invalid');
  });
  it('untrusted alone stays valid', () => {
    expect(summarizeStore(store('Valid', [{ code: 'signingCredential.untrusted' }]), undefined, { trustLoaded: true }).state).toBe('valid');
  });
  it('a store without an active manifest is an error', () => {
    expect(summarizeStore({ manifests: {} }, undefined, { trustLoaded: false }).state).toBe('error');
  });
  it('reader errors: not found = absent, anything else = error with words', () => {
    expect(fromReadError('C2pa(JumbfNotFound)').state).toBe('absent');
    const e = fromReadError('C2pa(JumbfParseError(InvalidBoxHeader))');
    expect(e.state).toBe('error');
    expect(e.error).toMatch(/malformed/);
  });
  it('v1 actions with the source type in parameters, and software agents as objects', () => {
    const s = {
      active_manifest: 'm',
      manifests: {
        m: {
          claim_generator_info: [{ name: 'Gen', version: '2' }],
          assertions: [
            { label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created', parameters: { digitalSourceType: 'trainedAlgorithmicMedia' } }] } },
            { label: 'c2pa.actions.v2__1', data: { actions: [{ action: 'c2pa.edited', softwareAgent: { name: 'Model X', version: '9' } }] } },
          ],
        },
      },
      validation_state: 'Valid',
      validation_results: { activeManifest: { success: [], failure: [] } },
    };
    const c = summarizeStore(s, undefined, { trustLoaded: false });
    expect(c.aiGenerated).toBe(true);
    expect(c.actions.map((a) => a.action)).toEqual(['c2pa.created', 'c2pa.edited']);
    expect(c.actions[1].softwareAgent).toBe('Model X 9');
    expect(c.generator).toBe('Gen 2');
  });
});
