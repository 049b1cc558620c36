/**
 * The Verdict: the one conclusion about a video, built from both signals (C2PA and
 * known-video lists) and shown unchanged by the badge, the popup, the options page
 * and the CLI. Nothing else derives a headline: views call `decideVerdict` or read
 * `verdict.headline`, and words come from `lib/present.ts`.
 */

import { shownName, signerPhrase } from './names';
import { remoteWords } from './c2pa/remote';

export type Headline =
  | 'ai-declared'
  | 'listed'
  | 'credentials-trusted'
  | 'credentials-valid'
  | 'credentials-invalid'
  | 'no-credentials'
  | 'unavailable'
  | 'error'
  | 'checking'
  /** Not checked on purpose (the data-use setting, Data Saver, not on screen yet): nothing was fetched. */
  | 'not-checked'
  /** The file was judged well, but the picture on screen is not (yet) known to be that file (boundVerdict). */
  | 'unconfirmed'
  /** The picture on screen differs from the file that was checked (boundVerdict). */
  | 'picture-mismatch';

export const HEADLINES: readonly Headline[] = [
  'ai-declared',
  'listed',
  'credentials-trusted',
  'credentials-valid',
  'credentials-invalid',
  'no-credentials',
  'unavailable',
  'error',
  'checking',
  'not-checked',
  'unconfirmed',
  'picture-mismatch',
];

/** Headlines that count towards the toolbar number. */
export const FLAGGED: ReadonlySet<Headline> = new Set(['picture-mismatch', 'ai-declared', 'listed', 'credentials-invalid']);

/** Headlines that vouch for a video: shown only when the picture on screen is known to be the file checked. */
export const POSITIVE: ReadonlySet<Headline> = new Set(['credentials-trusted', 'credentials-valid', 'no-credentials']);

export type C2paState = 'absent' | 'valid' | 'trusted' | 'invalid' | 'error';
/** `unknown`: the trust lists are not loaded yet, so nothing can be said about the signer. */
export type SignerTrust = 'trusted' | 'untrusted' | 'unknown';

export interface C2paAction {
  /** e.g. `c2pa.created` */
  action: string;
  /** Full IPTC URI when present. */
  digitalSourceType?: string;
  softwareAgent?: string;
  when?: string;
  description?: string;
}

export interface ValidationCode {
  code: string;
  explanation?: string;
  /** Which part of the manifest it is about (a JUMBF URI). */
  url?: string;
}

/** One manifest of the provenance chain, readable without the raw store. */
export interface ManifestSummary {
  label: string;
  title?: string;
  format?: string;
  generator?: string;
  signer?: string;
  issuer?: string;
  signedAt?: string;
  actions: C2paAction[];
  digitalSourceTypes: string[];
  aiGenerated: boolean;
  ingredients: IngredientSummary[];
}

export interface IngredientSummary {
  title?: string;
  format?: string;
  relationship?: string;
  /** The ingredient's own manifest, when it carried one (depth-limited). */
  manifest?: ManifestSummary;
  /** Validation failures reported for this ingredient. */
  failures: ValidationCode[];
}

export interface C2paEvidence {
  state: C2paState;
  trust: SignerTrust;
  /** Name of the tool or model that made the claim (claim generator info, or the AI action's agent). */
  generator?: string;
  /** Signing certificate subject: organisation, else common name. */
  signer?: string;
  /** Issuing CA of the signing certificate. */
  issuer?: string;
  /** For a trusted signer: the trust list its certificate chain was found on, in words ("the C2PA trust list"). */
  trustList?: string;
  signedAt?: string;
  title?: string;
  aiGenerated: boolean;
  /** IPTC digital source types declared by the active manifest's actions (full URIs). */
  digitalSourceTypes: string[];
  actions: C2paAction[];
  /** Every validation code of the active manifest (success, informational and failure). */
  codes: string[];
  /** The failure codes, with the library's explanation. */
  failures: ValidationCode[];
  /** The active manifest and its ingredients, for the provenance history. */
  chain?: ManifestSummary;
  /** The library's own `validation_state` (Valid, Trusted, Invalid), kept for audit. */
  libraryState?: string;
  /** Set when state is `error`: why the manifest could not be read. */
  error?: string;
  /** Read from an init segment plus one fragment (fMP4/DASH/HLS). */
  fragmented?: boolean;
  /** Set when the asset points to a manifest store kept elsewhere (C2PA remote manifest). */
  remote?: RemoteManifest;
  /** CAWG identity assertions of the active manifest: who vouches for the content, and whether that holds. */
  identities?: IdentitySummary[];
}

/** A manifest store the asset points to instead of embedding it. */
export interface RemoteManifest {
  url: string;
  host: string;
  /** How the asset pointed to it: an HTTP `Link: <…>; rel="c2pa-manifest"` header, or a reference inside the file (XMP dcterms:provenance). */
  via: 'link-header' | 'in-file';
  /** `fetched`: read and validated against the asset's bytes; `not-fetched`: another host, not allowed by the settings; `failed`: could not be fetched or read. */
  status: 'fetched' | 'not-fetched' | 'failed';
  /** Why it was not fetched or could not be read, in words. */
  note?: string;
}

/** One CAWG identity assertion, in words. */
export interface IdentitySummary {
  /** Who the assertion names (a person, an account, an organisation, or a certificate subject). */
  who?: string;
  /** Who vouches for it: the identity's signature type and, for X.509, the certificate issuer. */
  verifiedBy?: string;
  /** `cawg.x509.cose`, `cawg.identity_claims_aggregation`… */
  sigType?: string;
  /** valid: signature checks out and the credential is trusted; untrusted: checks out, credential not on a trust list; invalid: does not hold. */
  state: 'valid' | 'untrusted' | 'invalid';
  /** Validation codes reported for this assertion. */
  codes: string[];
}

export interface FrameHash {
  /** Seconds from the start. */
  t: number;
  /** 64 hex characters, reference PDQ order. */
  pdq: string;
  quality: number;
  /** Decoded frame number, when known. */
  frame?: number;
}

export interface ListMatch {
  /** Stable id of the list (subscription id or `user`). */
  list: string;
  listName: string;
  entry: string;
  label: string;
  notes?: string;
  source?: string;
  kind: 'exact' | 'perceptual';
  /** Perceptual only: % of the query's usable frames that found a near frame in the entry. */
  queryPct?: number;
  /** Perceptual only: % of the entry's usable frames found in the query. */
  targetPct?: number;
  /** Perceptual only: seconds of the checked video (first–last frame) where the entry runs (a compilation). */
  segments?: { from: number; to: number }[];
}

export type FingerprintState = 'pending' | 'done' | 'unavailable' | 'skipped';

/**
 * What a verdict rests on: how much of the file was read, and where the frames compared with
 * the lists came from. Shown in words wherever the verdict is (present.ts: basisWords).
 */
export interface Basis {
  /** `whole`: every byte was read (SHA-256 known); `part`: the structure and some frames; `none`: nothing could be read. */
  file: 'whole' | 'part' | 'none';
  /** Bytes the extension fetched for this video. */
  bytesRead: number;
  /** The file's size, when known. */
  size?: number;
  /** Why the whole file was read, when it was (e.g. to validate a manifest's hash binding). */
  wholeBecause?: string;
  frames?: FramesBasis;
}

export interface FramesBasis {
  /** `file`: decoded from the file's bytes; `element`: drawn from the playing video, no download. */
  from: 'file' | 'element';
  /** `whole`: every second; `prefix`: the first seconds; `keyframes`: keyframes a second or more apart; `playing`: frames seen while it played. */
  mode: 'whole' | 'prefix' | 'keyframes' | 'playing';
  /** Seconds of video the frames span. */
  seconds: number;
  count: number;
}

export interface Verdict {
  /** What was checked: an address, or a file name. */
  source: string;
  headline: Headline;
  /** One readable sentence. */
  summary: string;
  /** For `unavailable` and `error`: why, in words. */
  reason?: string;
  c2pa?: C2paEvidence;
  sha256?: string;
  bytes?: number;
  matches: ListMatch[];
  frames?: FrameHash[];
  fingerprint: FingerprintState;
  /** Why the fingerprint is unavailable, when it is. */
  fingerprintNote?: string;
  basis?: Basis;
  /** Set on the verdict shown for one element: whether its picture is the file that was checked (boundVerdict). */
  picture?: PictureBinding;
  /** For `unconfirmed` and `picture-mismatch`: the file's own verdict, kept for the details. */
  fileHeadline?: Headline;
  checkedAt: string;
}

/**
 * Whether what one element shows is the file that was checked (issue 10): frames drawn from the
 * element compared with the frames decoded from the checked bytes, and the element on top at its
 * own area. A page controls its server, its DOM and what plays; only this ties the verdict to the picture.
 */
export interface PictureBinding {
  /**
   * `confirmed`: frames of the element match the file's; `mismatch`: they differ; `pending`: not
   * compared yet (nothing drawn, no frames at the same instants); `unreadable`: the element's frames
   * cannot be read here (another site without CORS) or frame checks are off; `covered`: something else
   * is painted on top of the video; `stream`: no file behind it (blob:, srcObject): nothing to bind.
   */
  state: 'confirmed' | 'mismatch' | 'pending' | 'unreadable' | 'covered' | 'stream';
  /** Why, in words (shown in the details and the popup). */
  note?: string;
  /** Frames of the element the background holds (0 after a restart lost them: the content script sends them again). */
  seen?: number;
}

/** Said of a video something else is painted over (the content script's hit tests, lib/content/cover.ts). */
export const COVERED_PICTURE: PictureBinding = { state: 'covered', note: 'something else (another video, a canvas or a picture) is shown on top of this video' };

/** What the check pipeline found; `decideVerdict` turns it into a Verdict. */
export interface Evidence {
  source: string;
  c2pa?: C2paEvidence;
  sha256?: string;
  bytes?: number;
  matches?: ListMatch[];
  frames?: FrameHash[];
  /** Extra hashes standing for some frames (mirrored, border-removed…), used for list matching only. */
  alternates?: { of: number; pdq: string; why?: string }[];
  fingerprint?: FingerprintState;
  fingerprintNote?: string;
  /** The media could not be fetched or resolved. */
  unavailable?: string;
  /** `unavailable` because of a slow or cut link: worth a retry, never cached as the answer. */
  transient?: boolean;
  /** The bytes are not media we can read (malformed, unknown format). */
  mediaError?: string;
  /** Still running; the C2PA part has not arrived. */
  checking?: boolean;
  /** Not checked on purpose, and why (in words). */
  notChecked?: string;
  basis?: Basis;
  checkedAt?: string;
}

export function decideVerdict(e: Evidence): Verdict {
  const matches = e.matches ?? [];
  const base = {
    source: e.source,
    c2pa: e.c2pa,
    sha256: e.sha256,
    bytes: e.bytes,
    matches,
    frames: e.frames,
    fingerprint: e.fingerprint ?? 'skipped',
    fingerprintNote: e.fingerprintNote,
    basis: e.basis,
    checkedAt: e.checkedAt ?? new Date().toISOString(),
  } satisfies Omit<Verdict, 'headline' | 'summary'>;

  if (e.checking) return { ...base, headline: 'checking', summary: 'Checking this video…' };
  if (e.notChecked) return { ...base, headline: 'not-checked', reason: e.notChecked, summary: `Not checked: ${e.notChecked}. Nothing was downloaded.` };
  if (e.unavailable && !matches.length) {
    return { ...base, headline: 'unavailable', reason: e.unavailable, summary: `Could not check this video: ${e.unavailable}` };
  }
  const c = e.c2pa;
  const credible = c && (c.state === 'valid' || c.state === 'trusted');
  if (credible && c.aiGenerated) {
    return { ...base, headline: 'ai-declared', summary: aiSentence(c) };
  }
  if (matches.length) {
    const m = matches[0];
    const inside = m.segments?.length ? `, found at ${m.segments.map((s) => `${Math.floor(s.from)}–${Math.ceil(s.to)} s`).join(', ')} of this video` : '';
    const how = m.kind === 'exact' ? 'an exact copy' : `a perceptual match (${fmtPct(m.queryPct)} of this video's frames, ${fmtPct(m.targetPct)} of the listed one's${inside})`;
    return { ...base, headline: 'listed', summary: `Listed in "${m.listName}" as "${m.label}": ${how}.${c2paAside(c, e.unavailable)}` };
  }
  if (c?.state === 'trusted') {
    return { ...base, headline: 'credentials-trusted', summary: `Valid Content Credentials signed by ${signerPhrase(c)}${made(c)}.${fromWhere(c)}` };
  }
  if (c?.state === 'valid') {
    const trust = c.trust === 'unknown' ? 'trust lists not loaded yet, so it is not known to be trusted' : 'not on any configured trust list';
    return { ...base, headline: 'credentials-valid', summary: `Valid Content Credentials signed by ${signerPhrase(c)} (${trust})${made(c)}.${fromWhere(c)}` };
  }
  if (c?.state === 'invalid') {
    const why = c.failures.filter((f) => !TRUST_ONLY.has(f.code)).map((f) => f.code);
    const claim = c.aiGenerated ? ' It claims AI generation, but the claim cannot be relied on.' : '';
    return { ...base, headline: 'credentials-invalid', summary: `Content Credentials are present but do not hold (${why.join(', ') || 'validation failed'}): the video or its manifest changed after signing, or the signature is bad.${claim}${fromWhere(c)}` };
  }
  if (c?.state === 'absent' && c.remote && c.remote.status !== 'fetched') {
    const reason = remoteWords(c.remote);
    return { ...base, headline: 'unavailable', reason, summary: `Could not check this video's Content Credentials: ${reason}.` };
  }
  if (e.mediaError) {
    return { ...base, headline: 'error', reason: e.mediaError, summary: `This file could not be read as media: ${e.mediaError}` };
  }
  if (c?.state === 'error') {
    return { ...base, headline: 'error', reason: c.error, summary: `The Content Credentials could not be read: ${c.error ?? 'unknown error'}` };
  }
  if (e.unavailable) {
    return { ...base, headline: 'unavailable', reason: e.unavailable, summary: `Could not check this video: ${e.unavailable}` };
  }
  return {
    ...base,
    headline: 'no-credentials',
    summary: `No Content Credentials${listsClause(e)}. Absence of credentials says nothing about whether the video is authentic.`,
  };
}

/**
 * The verdict one element shows: the file's verdict, bound to that element's picture. A verdict that
 * vouches (Signed, Trusted, None) is shown only over a confirmed picture (or, where frames cannot be
 * read at all, with that said in words); a picture that differs from the checked file says so whatever
 * the file's verdict. Warnings (AI, Listed, Invalid) stay shown while the picture is not confirmed.
 */
export function boundVerdict(v: Verdict, p: PictureBinding | undefined): Verdict {
  if (!p || p.state === 'stream' || v.headline === 'checking' || v.headline === 'not-checked' || v.headline === 'unavailable' || v.headline === 'error') {
    return p ? { ...v, picture: p } : v;
  }
  if (p.state === 'mismatch') {
    return {
      ...v,
      picture: p,
      fileHeadline: v.headline,
      headline: 'picture-mismatch',
      summary: `The playing video is not the file that was checked: ${p.note ?? 'its frames differ from the file'}. What the file says (${v.summary.replace(/\.$/, '')}) does not apply to what is shown.`,
    };
  }
  if (p.state === 'confirmed' || !POSITIVE.has(v.headline)) return { ...v, picture: p };
  if (p.state === 'unreadable') return { ...v, picture: p, summary: `${v.summary} The match between this file and the picture shown is unconfirmed: ${p.note ?? "the video's frames cannot be read here"}.` };
  return {
    ...v,
    picture: p,
    fileHeadline: v.headline,
    headline: 'unconfirmed',
    summary: `Not confirmed yet: ${p.note ?? 'the picture shown has not been compared with the checked file'}. The file at this address: ${v.summary}`,
  };
}

/** Whether the video was really compared with the lists: never claim "not listed" when no matching ran. */
export function listsCompared(e: Pick<Evidence, 'fingerprint' | 'frames' | 'sha256'>): boolean {
  return (e.fingerprint === 'done' && !!e.frames?.length) || !!e.sha256;
}

function listsClause(e: Evidence): string {
  if (e.fingerprint === 'done' && e.frames?.length) return ' and not on any of your lists';
  const why = e.fingerprint === 'pending' ? 'its frames are still being compared' : e.fingerprintNote ? e.fingerprintNote : 'no frames were compared';
  return e.sha256 ? `; not an exact copy of anything on your lists (${why})` : `; not compared with your lists yet (${why})`;
}

/** Failure codes that are about trust, not integrity: they never make a manifest invalid on their own. */
export const TRUST_ONLY: ReadonlySet<string> = new Set([
  'signingCredential.untrusted',
  // c2pa-wasm 0.15 reports a CAWG X.509 identity whose certificate is on no trust list as a failure;
  // like the claim signer's, that is about trust, not integrity (it is shown with the identity).
  'cawg.x509.credential.untrusted',
  'signingCredential.ocsp.skipped',
  'signingCredential.ocsp.inaccessible',
  'timeStamp.untrusted',
]);

function aiSentence(c: C2paEvidence): string {
  const by = c.generator ? ` by ${shownName(c.generator)}` : '';
  const trust = c.state === 'trusted' ? '' : c.trust === 'unknown' ? ' (signer trust not known yet)' : ' (not on a trust list)';
  return `Declared AI-generated${by}, signed by ${signerPhrase(c)}${trust}.${fromWhere(c)}`;
}

function made(c: C2paEvidence): string {
  return c.generator ? `; made with ${shownName(c.generator)}` : '';
}

/** Where the credentials came from, when not from inside the file. */
function fromWhere(c: C2paEvidence): string {
  return c.remote?.status === 'fetched' ? ` Credentials fetched from ${c.remote.host} (${c.remote.via === 'link-header' ? "named by the server's Link header" : 'named inside the file'}).` : '';
}

function c2paAside(c?: C2paEvidence, unavailable?: string): string {
  // Frames sampled from the element while the file itself could not be read: nothing is known of its credentials.
  if (!c && unavailable) return ` Its Content Credentials could not be read (${unavailable}).`;
  if (!c || c.state === 'absent') return ' It carries no Content Credentials.';
  if (c.state === 'invalid') return ' Its Content Credentials do not hold.';
  if (c.state === 'valid' || c.state === 'trusted') return ` It has valid Content Credentials signed by ${signerPhrase(c)}.`;
  return '';
}

function fmtPct(n?: number): string {
  return n === undefined ? '?' : `${Math.round(n)}%`;
}

/** The CLI's JSON shape (also what `--json` consumers depend on). */
export function toReport(v: Verdict) {
  return {
    source: v.source,
    verdict: { headline: v.headline, summary: v.summary, ...(v.reason ? { reason: v.reason } : {}) },
    c2pa: v.c2pa ?? null,
    sha256: v.sha256 ?? null,
    bytes: v.bytes ?? null,
    matches: v.matches,
    frames: (v.frames ?? []).map((f) => ({ t: f.t, pdq: f.pdq, quality: f.quality })),
    fingerprint: v.fingerprint,
    checkedAt: v.checkedAt,
  };
}
