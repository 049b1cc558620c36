/**
 * Trust configuration, set up the way the Content Credentials Verify site does it:
 * anchors = official C2PA trust list + C2PA TSA trust list + the CAI interim trust list,
 * with the ITL's allowed end-entity list and EKU config, plus any anchors the user adds.
 * The addresses are settings (tests point them at a local server).
 */

export type TrustRole = 'anchors' | 'allowed' | 'config';

export interface TrustSource {
  id: string;
  name: string;
  url: string;
  role: TrustRole;
}

export const DEFAULT_TRUST_SOURCES: readonly TrustSource[] = [
  {
    id: 'c2pa-trust-list',
    name: 'C2PA trust list',
    url: 'https://raw.githubusercontent.com/c2pa-org/conformance-public/refs/heads/main/trust-list/C2PA-TRUST-LIST.pem',
    role: 'anchors',
  },
  {
    id: 'c2pa-tsa-trust-list',
    name: 'C2PA time-stamping authority trust list',
    url: 'https://raw.githubusercontent.com/c2pa-org/conformance-public/refs/heads/main/trust-list/C2PA-TSA-TRUST-LIST.pem',
    role: 'anchors',
  },
  { id: 'cai-itl-anchors', name: 'CAI interim trust list (anchors)', url: 'https://contentcredentials.org/trust/anchors.pem', role: 'anchors' },
  { id: 'cai-itl-allowed', name: 'CAI interim trust list (allowed certificates)', url: 'https://contentcredentials.org/trust/allowed.pem', role: 'allowed' },
  { id: 'cai-itl-config', name: 'CAI interim trust list (EKU configuration)', url: 'https://contentcredentials.org/trust/store.cfg', role: 'config' },
];

/** What one validation is given; built from the stored lists (see `buildTrustSettings`). */
export interface TrustSettings {
  anchors: string;
  allowed?: string;
  config?: string;
  /** Names of the sources that went in, for the popup ("trusted per …"). */
  sources: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----/g;

/** Number of well-formed certificates in a PEM text (base64 bodies that decode to a DER SEQUENCE). */
export function countPemCertificates(pem: string): number {
  let n = 0;
  for (const m of pem.matchAll(PEM_CERT)) {
    const b64 = m[1].replace(/\s+/g, '');
    if (b64.length < 100 || b64.length % 4 !== 0) continue;
    // DER certificates start with a SEQUENCE tag (0x30) whose base64 begins with "M".
    if (b64[0] === 'M') n++;
  }
  return n;
}

/** Validation for a downloaded trust resource: refuses anything that is not what its role needs. */
export function validateTrustResource(role: TrustRole, text: string): string | undefined {
  if (role === 'config') {
    // store.cfg: one EKU OID per line, comments with //.
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('//') && !l.startsWith('#'));
    if (!lines.length) return 'the EKU configuration is empty';
    const bad = lines.find((l) => !/^\d+(\.\d+)+$/.test(l));
    return bad ? `not an EKU OID line: "${bad.slice(0, 60)}"` : undefined;
  }
  if (role === 'allowed' && /^[A-Za-z0-9+/=]{40,}\s*$/m.test(text) && !text.includes('-----BEGIN')) {
    return undefined; // allowed.sha256.txt form: base64 certificate hashes, one per line
  }
  return countPemCertificates(text) > 0 ? undefined : 'no PEM certificate found';
}

export interface StoredTrustText {
  source: TrustSource;
  text: string;
}

/**
 * Combines the stored trust resources and the user's own anchors into settings. Returns
 * undefined while no anchors are loaded: the verdict then says trust is unknown rather than
 * calling every signer untrusted.
 */
export function buildTrustSettings(stored: StoredTrustText[], userAnchors = ''): TrustSettings | undefined {
  const anchors = stored.filter((s) => s.source.role === 'anchors');
  const userHas = countPemCertificates(userAnchors) > 0;
  if (!anchors.length && !userHas) return undefined;
  const allowed = stored.filter((s) => s.source.role === 'allowed').map((s) => s.text);
  const config = stored.find((s) => s.source.role === 'config')?.text;
  return {
    anchors: [...anchors.map((s) => s.text), userHas ? userAnchors : ''].filter(Boolean).join('\n'),
    allowed: allowed.length ? allowed.join('\n') : undefined,
    config,
    sources: [...anchors.map((s) => s.source.name), ...(userHas ? ['your own anchors'] : [])],
  };
}

/** c2pa-rs context JSON for a reader. */
export function readerContext(trust: TrustSettings | undefined): string | undefined {
  if (!trust) return undefined;
  return JSON.stringify({
    trust: {
      trust_anchors: trust.anchors,
      ...(trust.allowed ? { allowed_list: trust.allowed } : {}),
      ...(trust.config ? { trust_config: trust.config } : {}),
    },
    verify: { verify_trust: true },
  });
}
