/**
 * Trust configuration, set up the way the Content Credentials Verify site does it:
 * anchors = official C2PA trust list + C2PA TSA trust list + the CAI interim trust list,
 * with the ITL's allowed end-entity list and EKU config, plus any anchors the user adds.
 * The addresses are settings (tests point them at a local server).
 */
import { listsReached, parseCert, type Cert, type CertList } from './chain';

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
  /** Each source's certificates under its name, to say which list a trusted signer was found on. */
  lists?: { name: string; pem: string; role: TrustRole }[];
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
    lists: [
      ...stored.filter((s) => s.source.role !== 'config').map((s) => ({ name: s.source.name, pem: s.text, role: s.source.role })),
      ...(userHas ? [{ name: 'your own anchors', pem: userAnchors, role: 'anchors' as const }] : []),
    ],
  };
}

/**
 * Which list a trusted signer was found on, as words to follow "trusted via": the list(s) whose
 * anchor the signer's certificate chain reaches, or an allowed list holding the signer's own
 * certificate (lib/c2pa/chain.ts walks the chain taken from the manifest's signature). The engine's
 * verdict stays the authority on trust; this only names the list. When the chain could not be read
 * or leads to none of the lists, the words say the list is not known and name the candidates.
 */
export async function trustListOf(trust: TrustSettings | undefined, chain: Uint8Array[] | undefined): Promise<string | undefined> {
  const lists = trust?.lists ?? [];
  if (!lists.length) return undefined;
  const found = chain?.length ? await listsReached(chain, certLists(lists)) : [];
  if (found.length) return found.map((n) => (n.startsWith('your ') ? n : `the ${n}`)).join(' and ');
  const anchors = lists.filter((l) => l.role === 'anchors');
  return `a configured trust list (which one could not be determined; configured: ${anchors.map((l) => l.name).join(', ')})`;
}

const parsedLists = new WeakMap<object, CertList[]>();

/** The stored lists as certificates (parsed once per settings object). */
function certLists(lists: NonNullable<TrustSettings['lists']>): CertList[] {
  let out = parsedLists.get(lists);
  if (out) return out;
  out = lists
    .filter((l) => l.role !== 'config')
    .map((l) => {
      const certs: Cert[] = [];
      for (const m of l.pem.matchAll(PEM_CERT)) {
        try {
          certs.push(parseCert(base64Bytes(m[1])));
        } catch {
          /* a malformed entry names nothing */
        }
      }
      const hashes = l.role === 'allowed' && !l.pem.includes('-----BEGIN') ? new Set(l.pem.split(/\s+/).filter(Boolean)) : undefined;
      return { name: l.name, role: l.role as 'anchors' | 'allowed', certs, hashes };
    });
  parsedLists.set(lists, out);
  return out;
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * c2pa-rs context JSON for a reader. Always sent, even without trust lists: the engine must
 * never open a connection by itself (remote manifests go through lib/c2pa/remote.ts; no OCSP).
 * `routedRemote`: the engine may follow the file's reference, but only to a store the extension
 * already fetched and serves it (lib/c2pa/engine-fetch.ts).
 */
export function readerContext(trust: TrustSettings | undefined, routedRemote = false): string {
  return JSON.stringify({
    ...(trust
      ? {
          trust: {
            trust_anchors: trust.anchors,
            ...(trust.allowed ? { allowed_list: trust.allowed } : {}),
            ...(trust.config ? { trust_config: trust.config } : {}),
          },
        }
      : {}),
    verify: { ...(trust ? { verify_trust: true } : {}), remote_manifest_fetch: routedRemote, ocsp_fetch: false },
  });
}
