/**
 * Names read from certificates and manifests are claims made by whoever made the file. Before
 * any view shows one: bidirectional controls (which can reorder what is displayed, e.g. make
 * "moc.sretuer" read as "reuters.com") and other invisible characters are removed, and names that
 * mix Latin with Cyrillic or Greek letters (look-alikes such as Cyrillic "е" in "Reutеrs") are flagged.
 * How a signer is named depends on trust: an untrusted certificate only "names itself"; a trusted
 * one is an identity, with the trust list it was found on. Badge, popup, lookup page and CLI all
 * take their words from here (through lib/verdict.ts and lib/present.ts).
 */
import type { C2paEvidence } from './verdict';

// Bidi embeddings/overrides/isolates and marks, zero-width characters, other C0/C1 controls.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const MAX_NAME = 120;

/** A name as it may be shown: no bidi or invisible control characters, spaces collapsed, length capped. */
export function safeName(raw: string): string {
  const s = raw.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 1)}…` : s;
}

/** True when a name mixes Latin letters with Cyrillic or Greek ones (the usual look-alike trick). */
export function mixedScript(name: string): boolean {
  const latin = /\p{Script=Latin}/u.test(name);
  return latin && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(name);
}

const MIXED_WARNING = ' (warning: the name mixes Latin with Cyrillic or Greek letters that look alike)';

/** A shown name with its warning, if any. */
export function shownName(raw: string): string {
  const s = safeName(raw);
  return mixedScript(s) ? s + MIXED_WARNING : s;
}

/** A claimed name in quotes (a claim, not an identity), with its warning outside them. */
export function quotedName(raw: string): string {
  const s = safeName(raw);
  return `“${s}”${mixedScript(s) ? MIXED_WARNING : ''}`;
}

/**
 * The signer in words. Trusted: the name as an identity, with the trust list it was found on.
 * Otherwise: the certificate's own claim, quoted, never presented as an identity.
 */
export function signerPhrase(c: Pick<C2paEvidence, 'signer' | 'state' | 'trustList'>): string {
  const name = c.signer ? safeName(c.signer) : '';
  const warn = mixedScript(name) ? MIXED_WARNING : '';
  if (c.state === 'trusted') {
    const on = `trusted via ${c.trustList ?? 'a configured trust list'}`;
    return name ? `${name}${warn} (${on})` : `a trusted signer without a name (${on})`;
  }
  return c.signer ? `a certificate that names itself ${quotedName(c.signer)}` : 'a certificate that names no one';
}
