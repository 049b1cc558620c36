/**
 * Turns what c2pa-wasm returns (the manifest store), with the signer's and its CA's names read
 * from the signing certificate (lib/c2pa/chain.ts), into C2paEvidence: the facts the Verdict
 * needs, in the library's own terms. Pure: runs on plain JSON, so it is unit-tested without WASM.
 */
import type { C2paAction, C2paEvidence, IdentitySummary, IngredientSummary, ManifestSummary, ValidationCode } from '../verdict';
import { TRUST_ONLY } from '../verdict';
import { isAiSourceType } from './ai';

type Json = Record<string, any>;

const MAX_CHAIN_DEPTH = 8;
const MAX_INGREDIENTS = 64;
const MAX_ACTIONS = 256;

export interface SummarizeOptions {
  /** Were trust anchors configured for this validation? Without them trust is `unknown`. */
  trustLoaded: boolean;
  fragmented?: boolean;
}

export function summarizeStore(store: Json, cert: { signer?: string; issuer?: string } | undefined, opts: SummarizeOptions): C2paEvidence {
  const manifests: Json = obj(store.manifests);
  const activeLabel: string | undefined = str(store.active_manifest);
  const active = activeLabel ? obj(manifests[activeLabel]) : undefined;
  if (!activeLabel || !active) {
    return { ...empty('error'), error: 'the manifest store has no active manifest' };
  }

  const results = obj(obj(store.validation_results).activeManifest);
  const failures = codes(results.failure);
  const success = codes(results.success);
  const informational = codes(results.informational);
  const allCodes = [...success, ...informational, ...failures].map((c) => c.code);
  const libraryState = str(store.validation_state);
  const integrityFailures = failures.filter((f) => !TRUST_ONLY.has(f.code));

  // Never call anything valid that the library, or any integrity failure, does not back.
  let state: C2paEvidence['state'];
  if (libraryState === 'Invalid' || integrityFailures.length) state = 'invalid';
  else if (libraryState === 'Trusted') state = 'trusted';
  else if (
    opts.trustLoaded &&
    success.some((c) => c.code === 'signingCredential.trusted') &&
    !failures.some((c) => c.code === 'signingCredential.untrusted')
  ) {
    // The active signer is on a trust list; the library says only "Valid" because an
    // ingredient's signer is not. The ingredient's status is shown in the chain.
    state = 'trusted';
  } else state = 'valid';

  const sigInfo = obj(active.signature_info);
  const statusByManifest = groupStatus(store);
  const chain = summarizeManifest(manifests, activeLabel, statusByManifest, 0, new Set());
  const ai = findAiDeclaration(chain);

  return {
    state,
    trust: state === 'trusted' ? 'trusted' : opts.trustLoaded ? 'untrusted' : 'unknown',
    generator: ai?.generator ?? chain.generator,
    signer: cert?.signer ?? str(sigInfo.issuer) ?? str(sigInfo.common_name),
    issuer: cert?.issuer,
    signedAt: str(sigInfo.time),
    title: str(active.title),
    aiGenerated: !!ai,
    digitalSourceTypes: chain.digitalSourceTypes,
    actions: chain.actions,
    codes: allCodes,
    failures,
    chain,
    libraryState,
    fragmented: opts.fragmented || undefined,
    ...identitiesField(active, [...success, ...informational, ...failures], failures),
  };
}

/**
 * CAWG identity assertions (`cawg.identity`, repeated as `cawg.identity__1`…): who they name, who
 * vouches for that, and whether it holds, from the codes the engine reported for each assertion.
 */
function identitiesField(active: Json, all: ValidationCode[], failures: ValidationCode[]): { identities?: IdentitySummary[] } {
  const out: IdentitySummary[] = [];
  for (const a of arr(active.assertions).slice(0, MAX_INGREDIENTS)) {
    const label = str(obj(a).label) ?? '';
    if (!/^cawg\.identity(__\d+)?$/.test(label)) continue;
    const data = obj(obj(a).data);
    const sig = obj(data.signature_info);
    const sigType = str(obj(data.signer_payload).sig_type);
    // Identity claims aggregation: the verified identities (social accounts, sites, organisations) with their providers.
    const verified = arr(data.verifiedIdentities ?? obj(data.credentialSubject).verifiedIdentities).map(obj);
    const named = verified.map((v) => str(v.name) ?? str(v.username) ?? str(v.uri)).filter((x): x is string => !!x);
    const providers = [...new Set(verified.map((v) => str(obj(v.provider).name) ?? str(obj(v.provider).id)).filter((x): x is string => !!x))];
    const codes = all.filter((c) => c.url?.endsWith(`/c2pa.assertions/${label}`)).map((c) => c.code);
    const mine = (c: ValidationCode) => !!c.url?.endsWith(`/c2pa.assertions/${label}`);
    const failed = failures.some((c) => mine(c) && !c.code.endsWith('.untrusted'));
    out.push({
      who: named.length ? named.join(', ') : (str(sig.common_name) ?? str(sig.issuer)),
      verifiedBy: providers.length
        ? providers.join(', ')
        : str(sig.issuer)
          ? `an X.509 certificate naming ${str(sig.issuer)}`
          : sigType === 'cawg.x509.cose'
            ? 'an X.509 certificate'
            : undefined,
      sigType,
      state: failed ? 'invalid' : codes.some((c) => c.endsWith('.untrusted')) ? 'untrusted' : 'valid',
      codes,
    });
  }
  return out.length ? { identities: out } : {};
}

export function empty(state: C2paEvidence['state']): C2paEvidence {
  return { state, trust: 'unknown', aiGenerated: false, digitalSourceTypes: [], actions: [], codes: [], failures: [] };
}

/** The manifest (this one, or a parent ingredient's, recursively) that declares AI generation. */
function findAiDeclaration(m: ManifestSummary, depth = 0): { generator?: string } | undefined {
  if (m.aiGenerated) {
    // Prefer the AI action that names its tool ("Adobe Firefly") over the app that saved the file.
    const agent = m.actions.find((a) => a.softwareAgent && a.digitalSourceType && isAiSourceType(a.digitalSourceType))?.softwareAgent;
    return { generator: agent ?? m.generator };
  }
  if (depth > MAX_CHAIN_DEPTH) return undefined;
  for (const ing of m.ingredients) {
    // Only the parent the asset was made from passes its nature on; a placed component does not.
    if (ing.relationship === 'parentOf' && ing.manifest && !ing.failures.some((f) => !TRUST_ONLY.has(f.code))) {
      const found = findAiDeclaration(ing.manifest, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function summarizeManifest(
  manifests: Json,
  label: string,
  status: Map<string, ValidationCode[]>,
  depth: number,
  seen: Set<string>,
): ManifestSummary {
  const m = obj(manifests[label]);
  seen.add(label);
  const actions = actionsOf(m);
  const dsts = [...new Set(actions.map((a) => a.digitalSourceType).filter((d): d is string => !!d))];
  const sig = obj(m.signature_info);
  const ingredients: IngredientSummary[] = [];
  for (const ing of arr(m.ingredients).slice(0, MAX_INGREDIENTS)) {
    const i = obj(ing);
    const childLabel = str(i.active_manifest);
    const child =
      childLabel && manifests[childLabel] && !seen.has(childLabel) && depth < MAX_CHAIN_DEPTH
        ? summarizeManifest(manifests, childLabel, status, depth + 1, seen)
        : undefined;
    ingredients.push({
      title: str(i.title),
      format: str(i.format),
      relationship: str(i.relationship),
      manifest: child,
      failures: [
        ...(childLabel ? (status.get(childLabel) ?? []) : []),
        ...codes(obj(i.validation_results).activeManifest?.failure),
      ].filter((c) => c.code),
    });
  }
  return {
    label,
    title: str(m.title),
    format: str(m.format),
    generator: generatorOf(m),
    signer: str(sig.issuer) ?? str(sig.common_name),
    signedAt: str(sig.time),
    actions,
    digitalSourceTypes: dsts,
    aiGenerated: dsts.some(isAiSourceType),
    ingredients,
  };
}

function actionsOf(m: Json): C2paAction[] {
  const out: C2paAction[] = [];
  for (const a of arr(m.assertions)) {
    const label = str(obj(a).label) ?? '';
    // c2pa.actions (v1) and c2pa.actions.v2; instance suffixes like `__1` appear on repeats.
    if (!/^c2pa\.actions(\.v\d+)?(__\d+)?$/.test(label)) continue;
    for (const act of arr(obj(obj(a).data).actions)) {
      const x = obj(act);
      const params = obj(x.parameters);
      out.push({
        action: str(x.action) ?? 'unknown',
        digitalSourceType: str(x.digitalSourceType) ?? str(params.digitalSourceType),
        softwareAgent: agentName(x.softwareAgent) ?? agentName(params.softwareAgent),
        when: str(x.when),
        description: str(x.description) ?? str(params.description),
      });
      if (out.length >= MAX_ACTIONS) return out;
    }
  }
  return out;
}

function generatorOf(m: Json): string | undefined {
  const info = obj(arr(m.claim_generator_info)[0]);
  const name = str(info.name);
  if (name) return str(info.version) ? `${name} ${info.version}` : name;
  return str(m.claim_generator);
}

function agentName(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  const o = obj(v);
  const name = str(o.name);
  if (!name) return undefined;
  return str(o.version) ? `${name} ${o.version}` : name;
}

/** Failure codes of every manifest, keyed by manifest label (from the store's flat status list). */
function groupStatus(store: Json): Map<string, ValidationCode[]> {
  const out = new Map<string, ValidationCode[]>();
  for (const c of codes(store.validation_status)) {
    if (TRUST_ONLY.has(c.code) && c.code !== 'signingCredential.untrusted') continue;
    const m = /\/c2pa\/([^/]+)/.exec(c.url ?? '');
    if (!m) continue;
    const list = out.get(m[1]) ?? [];
    list.push(c);
    out.set(m[1], list);
  }
  return out;
}

function codes(v: unknown): ValidationCode[] {
  return arr(v)
    .map(obj)
    .filter((c) => typeof c.code === 'string')
    .map((c) => ({ code: c.code as string, explanation: str(c.explanation), url: str(c.url) }));
}

function obj(v: unknown): Json {
  if (v instanceof Map) return Object.fromEntries(v);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length ? v : undefined;
}
