/**
 * Other hash formats, in and out of lists:
 *   vpdq    the reference / ThreatExchange vPDQ output: `frameNumber,quality,pdqHex,timestamp`
 *           per line (read and written by lib/fingerprint/vpdq.ts); one file = one video.
 *   pdq     `pdq <hex>` per line (ThreatExchange signal style).
 *   sha256  one hex digest per line; `sha256sum` output (`<hex>  <file>`) is accepted too.
 * Blank lines and lines starting with `#` are ignored in pdq and sha256 files. Imports
 * normalise hex to lowercase; errors name the line.
 */
import type { VideoFingerprint } from '../fingerprint/types';
import { parseVpdq, formatVpdq } from '../fingerprint/vpdq';
import { fingerprintToEntryHashes, ListFormatError, type ListEntry } from './format';

export type HashFileFormat = 'vpdq' | 'pdq' | 'sha256';
export const HASH_FILE_FORMATS: readonly HashFileFormat[] = ['vpdq', 'pdq', 'sha256'];

/** Imported files are small compared with lists; this bounds a hostile one. */
export const MAX_IMPORT_LINES = 1_000_000;

function* meaningfulLines(text: string): Generator<[number, string]> {
  let n = 0;
  for (const raw of text.split('\n')) {
    n++;
    if (n > MAX_IMPORT_LINES) throw new ListFormatError(`more than ${MAX_IMPORT_LINES} lines`, n);
    const line = raw.trim();
    if (line && !line.startsWith('#')) yield [n, line];
  }
}

export function parsePdqLines(text: string): string[] {
  const out: string[] = [];
  for (const [n, line] of meaningfulLines(text)) {
    const m = /^pdq\s+([0-9a-fA-F]{64})$/.exec(line);
    if (!m) throw new ListFormatError(`expected "pdq <64 hex characters>", got "${line.slice(0, 80)}"`, n);
    out.push(m[1].toLowerCase());
  }
  if (!out.length) throw new ListFormatError('no pdq hashes found');
  return out;
}

export function parseSha256Lines(text: string): string[] {
  const out: string[] = [];
  for (const [n, line] of meaningfulLines(text)) {
    const m = /^([0-9a-fA-F]{64})(?:\s+\*?.+)?$/.exec(line);
    if (!m) throw new ListFormatError(`expected a SHA-256 hex digest, got "${line.slice(0, 80)}"`, n);
    out.push(m[1].toLowerCase());
  }
  if (!out.length) throw new ListFormatError('no SHA-256 digests found');
  return out;
}

export function parseVpdqText(text: string): VideoFingerprint {
  const frames = parseVpdq(text);
  if (!frames.length) throw new ListFormatError('no vPDQ frames found');
  return { frames };
}

/** What an import yields for one entry (the caller adds id, label and the rest). */
export type EntryHashes = Pick<ListEntry, 'sha256' | 'vpdq' | 'alternates'>;

/**
 * Hashes from a file. `eachLine` (pdq and sha256 only) makes one entry per line instead of
 * one entry for the whole file. pdq lines become frames at `secondsPerHash` steps with
 * quality 100 (the format carries none).
 */
export function importHashes(text: string, format: HashFileFormat, opts: { eachLine?: boolean; secondsPerHash?: number } = {}): EntryHashes[] {
  const step = opts.secondsPerHash ?? 1;
  switch (format) {
    case 'vpdq': {
      if (opts.eachLine) throw new ListFormatError('a vPDQ file is one video: one entry per line makes no sense');
      return [{ sha256: [], ...fingerprintToEntryHashes(parseVpdqText(text)) }];
    }
    case 'pdq': {
      const hashes = parsePdqLines(text);
      if (opts.eachLine) return hashes.map((h) => ({ sha256: [], vpdq: [[h, 100, 0]] }));
      return [{ sha256: [], vpdq: hashes.map((h, i) => [h, 100, i * step]) }];
    }
    case 'sha256': {
      const digests = [...new Set(parseSha256Lines(text))];
      if (opts.eachLine) return digests.map((d) => ({ sha256: [d], vpdq: [] }));
      return [{ sha256: digests, vpdq: [] }];
    }
  }
}

/**
 * Export entries' hashes. vpdq writes one video, so it needs exactly one entry; frame
 * numbers are frame ordinals, since lists keep seconds, not decoded frame numbers.
 */
export function exportHashes(entries: readonly ListEntry[], format: HashFileFormat): string {
  switch (format) {
    case 'vpdq': {
      if (entries.length !== 1) throw new Error(`vPDQ export writes one video; choose one of the ${entries.length} entries with --entry`);
      const frames = entries[0].vpdq.map(([pdq, quality, t], i) => ({ pdq, quality, t, frame: i }));
      if (!frames.length) throw new Error(`entry "${entries[0].id}" has no vPDQ frames`);
      return formatVpdq(frames);
    }
    case 'pdq': {
      const lines = entries.flatMap((e) => e.vpdq.map(([h]) => `pdq ${h}`));
      if (!lines.length) throw new Error('no pdq hashes to export');
      return lines.join('\n') + '\n';
    }
    case 'sha256': {
      const lines = [...new Set(entries.flatMap((e) => e.sha256))];
      if (!lines.length) throw new Error('no SHA-256 digests to export');
      return lines.join('\n') + '\n';
    }
  }
}
