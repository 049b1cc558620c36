/** Names are claims: controls stripped, look-alike scripts flagged, untrusted signers never shown as identities. */
import { describe, expect, it } from 'vitest';
import { mixedScript, safeName, signerPhrase } from '../../../lib/names';
import { trustListOf, buildTrustSettings, DEFAULT_TRUST_SOURCES } from '../../../lib/c2pa/trust';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { C2PA_FIXTURES } from '../../paths';
import { readC2pa } from '../../../lib/c2pa/read';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';

describe('names', () => {
  it('strips bidi controls and invisible characters', () => {
    expect(safeName('Reuters\u202e moc.sretuer\u202c')).toBe('Reuters moc.sretuer');
    expect(safeName('A\u2066B\u2069\u200bC\u0000')).toBe('ABC');
  });
  it('flags Latin mixed with Cyrillic or Greek look-alikes, not single-script names', () => {
    expect(mixedScript('Reut\u0435rs')).toBe(true); // Cyrillic е
    expect(mixedScript('\u0391pple')).toBe(true); // Greek Α
    expect(mixedScript('Reuters News Agency')).toBe(false);
    expect(mixedScript('Первый канал')).toBe(false);
  });
  it('an untrusted signer is a certificate naming itself; a trusted one is an identity with its list', () => {
    expect(signerPhrase({ state: 'valid', signer: 'Reuters News Agency' })).toBe('a certificate that names itself “Reuters News Agency”');
    expect(signerPhrase({ state: 'valid', signer: 'Reut\u0435rs' })).toMatch(/^a certificate that names itself “Reut.rs” \(warning: the name mixes Latin/);
    expect(signerPhrase({ state: 'trusted', signer: 'Adobe Inc.', trustList: 'the C2PA trust list' })).toBe('Adobe Inc. (trusted via the C2PA trust list)');
  });
  it('names the trust list a trusted signer was found on', async () => {
    const T = (n: string) => readFileSync(join(C2PA_FIXTURES, 'trust', n), 'utf8');
    const src = (id: string) => DEFAULT_TRUST_SOURCES.find((s) => s.id === id)!;
    const trust = buildTrustSettings([
      { source: src('c2pa-trust-list'), text: T('conformance-public__C2PA-TRUST-LIST.pem') },
      { source: src('cai-itl-anchors'), text: T('verify-site-ITL__anchors.pem') },
      { source: src('cai-itl-allowed'), text: T('verify-site-ITL__allowed.pem') },
    ]);
    const c = await readC2pa(nodeC2paEngine(), { mime: 'image/jpeg', bytes: new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__ocsp.jpg'))) }, trust);
    expect(c.state).toBe('trusted');
    expect(c.trustList).toBe('the CAI interim trust list (anchors)');
    expect(signerPhrase(c)).toBe('Adobe Inc. (trusted via the CAI interim trust list (anchors))');
    // No chain to walk (see trust-chain.test.ts): the list is said to be unknown, the candidates named.
    expect(await trustListOf(trust, undefined)).toBe('a configured trust list (which one could not be determined; configured: C2PA trust list, CAI interim trust list (anchors))');
  });
});
