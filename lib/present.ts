/**
 * How each headline looks and reads: the one table the badge, the popup, the toolbar
 * and the CLI share. Words describe, they never re-decide (the Verdict already did).
 */
import { describeSourceType, describeAction } from './c2pa/ai';
import { fmtBytes } from './media/bmff';
import { listsCompared, type Basis, type C2paAction, type Headline, type IdentitySummary, type Verdict } from './verdict';
import { quotedName, shownName, signerPhrase } from './names';
import { remoteWords } from './c2pa/remote';

export interface HeadlineLook {
  /** The badge's short word. */
  word: string;
  /** Longer words for lists and headings. */
  title: string;
  /** One glyph that differs per headline (colour is never the only cue). */
  icon: string;
  /** Badge background; all have ≥ 4.5:1 contrast with white text. */
  color: string;
}

export const LOOK: Record<Headline, HeadlineLook> = {
  'ai-declared': { word: 'AI', title: 'AI-generated (declared)', icon: '✦', color: '#6b21a8' },
  listed: { word: 'Listed', title: 'On your known-video lists', icon: '⚑', color: '#b45309' },
  'credentials-trusted': { word: 'Trusted', title: 'Content Credentials, trusted signer', icon: '✔', color: '#15803d' },
  'credentials-valid': { word: 'Signed', title: 'Content Credentials, signer not on a trust list', icon: '✓', color: '#1d4ed8' },
  'credentials-invalid': { word: 'Invalid', title: 'Content Credentials do not hold', icon: '✖', color: '#b91c1c' },
  'no-credentials': { word: 'None', title: 'No Content Credentials', icon: '○', color: '#4b5563' },
  unavailable: { word: 'N/A', title: 'Could not be checked', icon: '⊘', color: '#57534e' },
  error: { word: 'Error', title: 'Could not be read', icon: '!', color: '#9f1239' },
  checking: { word: 'Checking', title: 'Checking…', icon: '…', color: '#374151' },
  'not-checked': { word: 'Check', title: 'Not checked (click to check)', icon: '◌', color: '#334155' },
  unconfirmed: { word: 'Unconfirmed', title: 'Not confirmed: the picture is not known to be the file checked', icon: '?', color: '#475569' },
  'picture-mismatch': { word: 'Mismatch', title: 'The playing video is not the file that was checked', icon: '≠', color: '#9a3412' },
};

/** The accessible name: the headline in words, with its key evidence. */
export function accessibleName(v: Verdict): string {
  const c = v.c2pa;
  switch (v.headline) {
    case 'ai-declared':
      return `AI-generated: declared by ${c?.generator ? shownName(c.generator) : 'an unnamed generator'}, signed by ${c ? signerPhrase(c) : 'an unnamed signer'}`;
    case 'listed': {
      const m = v.matches[0];
      return `Listed: "${m?.label}" in ${m?.listName}, ${m?.kind === 'exact' ? 'exact copy' : `perceptual match ${Math.round(m?.queryPct ?? 0)}% of frames`}`;
    }
    case 'credentials-trusted':
      return `Content Credentials valid and trusted: signed by ${c ? signerPhrase(c) : 'an unnamed signer'}${c?.issuer ? `, certificate from ${shownName(c.issuer)}` : ''}`;
    case 'credentials-valid':
      return `Content Credentials valid: signed by ${c ? signerPhrase(c) : 'an unnamed signer'}, ${c?.trust === 'unknown' ? 'trust not known yet' : 'not on a trust list'}`;
    case 'credentials-invalid':
      return `Content Credentials invalid: ${c?.failures.filter((f) => f.code !== 'signingCredential.untrusted').map((f) => f.code).join(', ') || 'validation failed'}`;
    case 'no-credentials':
      return listsCompared(v) ? 'No Content Credentials found, and not on your lists' : 'No Content Credentials found; not compared with your lists yet';
    case 'unavailable':
      return `Could not check this video: ${v.reason ?? 'unknown reason'}`;
    case 'error':
      return `Error reading this video: ${v.reason ?? 'unknown error'}`;
    case 'checking':
      return 'Checking where this video came from…';
    case 'not-checked':
      return `Not checked yet: ${v.reason ?? 'waiting'}. Press to check this video`;
    case 'unconfirmed':
      return `Not confirmed: ${v.picture?.note ?? 'the picture has not been compared with the checked file'}. The file itself reads ${LOOK[v.fileHeadline ?? 'no-credentials'].title}`;
    case 'picture-mismatch':
      return `The playing video is not the file that was checked: ${v.picture?.note ?? 'its frames differ'}`;
  }
}

/** What the toolbar icon says for a tab: its most important verdict first, never only a count. */
export const TOOLBAR_ORDER: readonly Headline[] = ['picture-mismatch', 'ai-declared', 'credentials-invalid', 'listed'];
const TOOLBAR_WORD: Partial<Record<Headline, string>> = { 'picture-mismatch': 'DIFF', 'ai-declared': 'AI', 'credentials-invalid': 'BAD', listed: 'LIST' };

export function toolbarSummary(headlines: Headline[]): { text: string; color: string; title: string } {
  const counts = new Map<Headline, number>();
  for (const h of headlines) counts.set(h, (counts.get(h) ?? 0) + 1);
  const top = TOOLBAR_ORDER.find((h) => counts.has(h));
  const parts = [...counts].sort(([a], [b]) => HEADLINE_RANK(a) - HEADLINE_RANK(b)).map(([h, n]) => `${n} ${LOOK[h].title}`);
  const title = headlines.length
    ? `Provenance Lens: ${headlines.length} video${headlines.length === 1 ? '' : 's'} on this page${top ? ` — ${LOOK[top].title}` : ''}\n${parts.join('\n')}`
    : 'Provenance Lens';
  return { text: top ? TOOLBAR_WORD[top]! : '', color: top ? LOOK[top].color : '#374151', title };
}

function HEADLINE_RANK(h: Headline): number {
  const i = TOOLBAR_ORDER.indexOf(h);
  return i < 0 ? TOOLBAR_ORDER.length : i;
}

export function actionWords(a: C2paAction): string {
  const parts = [describeAction(a.action)];
  if (a.softwareAgent) parts.push(`with ${shownName(a.softwareAgent)}`);
  if (a.digitalSourceType) parts.push(`(${describeSourceType(a.digitalSourceType).words})`);
  return parts.join(' ');
}

/**
 * What the verdict rests on, in words: how much of the file was read and where the frames came
 * from. Undefined when the whole file was read and fully fingerprinted (nothing to qualify).
 */
export function basisWords(b: Basis | undefined): string | undefined {
  if (!b) return undefined;
  const parts: string[] = [];
  if (b.file === 'whole') {
    if (b.wholeBecause) parts.push(`The whole file was read (${fmtBytes(b.size ?? b.bytesRead)}) ${b.wholeBecause}.`);
  } else if (b.file === 'part') {
    parts.push(`Checked from ${fmtBytes(b.bytesRead)}${b.size ? ` of ${fmtBytes(b.size)}` : ''}: the file's structure${b.frames?.from === 'file' ? ' and some of its frames' : ''}, not every byte.`);
  }
  const f = b.frames;
  if (f) {
    const secs = `${Math.max(1, Math.round(f.seconds))} s`;
    const what =
      f.mode === 'playing'
        ? `${f.count} frames seen while it played (${secs})`
        : f.mode === 'prefix'
          ? `${f.count} frames from its first ${secs}`
          : f.mode === 'keyframes'
            ? `${f.count} keyframes from its first ${secs}`
            : null;
    if (what) parts.push(`Compared with your lists: ${what}.`);
  }
  return parts.length ? parts.join(' ') : undefined;
}

/** A short multi-line report for people (the CLI without --json). */
export function textReport(v: Verdict): string {
  const look = LOOK[v.headline];
  const lines = [`${look.icon} ${look.title}  [${v.headline}]`, `  ${v.summary}`, `  source: ${v.source}`];
  if (v.sha256) lines.push(`  sha256: ${v.sha256}`);
  const c = v.c2pa;
  if (c && c.state !== 'absent') {
    lines.push(`  C2PA: ${c.state}${c.libraryState ? ` (library: ${c.libraryState})` : ''}; trust: ${c.trust}`);
    lines.push(`    signer: ${signerPhrase(c)}${c.issuer ? `, certificate issued by ${shownName(c.issuer)}` : ''}`);
    if (c.generator) lines.push(`    generator: ${shownName(c.generator)}`);
    for (const id of c.identities ?? []) lines.push(`    identity: ${identityWords(id)}`);
    if (c.signedAt) lines.push(`    signed: ${c.signedAt}`);
    for (const a of c.actions) lines.push(`    action: ${actionWords(a)}`);
    for (const f of c.failures) lines.push(`    problem: ${f.code}${f.explanation ? ` — ${f.explanation}` : ''}`);
    if (c.error) lines.push(`    error: ${c.error}`);
  }
  if (c?.remote) lines.push(`  credentials: ${remoteWords(c.remote)} (${c.remote.url})`);
  for (const m of v.matches) {
    lines.push(`  listed in "${m.listName}": ${m.label} (${m.kind}${m.kind === 'perceptual' ? `, ${Math.round(m.queryPct ?? 0)}% / ${Math.round(m.targetPct ?? 0)}%` : ''})`);
  }
  const basis = basisWords(v.basis);
  if (basis) lines.push(`  basis: ${basis}`);
  if (v.frames?.length) lines.push(`  fingerprint: ${v.frames.length} frames`);
  else if (v.fingerprintNote) lines.push(`  fingerprint: ${v.fingerprintNote}`);
  return lines.join('\n') + '\n';
}

/** A CAWG identity assertion in words: who, vouched for by whom, and whether it holds. */
export function identityWords(id: IdentitySummary): string {
  const who = id.who ? quotedName(id.who) : 'an unnamed creator';
  const by = id.verifiedBy ? `, vouched for by ${shownName(id.verifiedBy)}` : '';
  const state =
    id.state === 'valid' ? 'valid' : id.state === 'untrusted' ? 'signature valid, but its certificate is not on a trust list' : 'does not hold';
  return `${who}${by} (${state})`;
}

/**
 * Why the popup's videos have no badges on the page, if they have none: the user turned badges off,
 * or the page asks extensions not to draw on it (its CR-allow-UI-injection meta). Undefined when
 * they have badges.
 */
export function missingBadgesWords(videos: { pageAllowsBadges: boolean }[], badgesSetting: boolean): string | undefined {
  if (!videos.length) return undefined;
  if (!badgesSetting) return 'Badges are off (Options): the verdicts are listed here only.';
  if (videos.every((v) => !v.pageAllowsBadges)) return 'This page asks extensions not to draw on it, so its videos get no badges: their verdicts are listed here.';
  if (videos.some((v) => !v.pageAllowsBadges)) return 'Part of this page (a frame) asks extensions not to draw on it: its videos get no badges, only entries here.';
  return undefined;
}
