import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListFormatError, parseList, parseListHeader, serializeList, entryFingerprint, type HashList } from '../../../lib/lists/format';
import { exportHashes, importHashes, parsePdqLines, parseSha256Lines } from '../../../lib/lists/convert';
import { parseVpdq } from '../../../lib/fingerprint/vpdq';
import { PDQ_1, PDQ_2, SHA_A, SHA_B, VPDQ_DIR } from './helpers';

const HEADER =
  '{"format":"provenance-lens-list","version":1,"name":"Leaks","publisher":"Example Lab","sequence":3,"created":"2026-02-01T10:00:00.000Z",' +
  '"hashing":{"algorithm":"pdq","secondsPerHash":1,"qualityMin":50,"alternates":"crop","downsample":0}}';
const ENTRY_1 =
  `{"id":"clip-1","label":"Leaked clip 1","source":"https://example.org/1","notes":"first","added":"2026-01-30",` +
  `"sha256":["${SHA_A}"],"vpdq":[["${PDQ_1}",100,0],["${PDQ_2}",49,1.5]],"alternates":[[0,"${PDQ_2}"]],"meta":{"generator":"Sora","prompt":"a cat"}}`;
const ENTRY_2 = `{"id":"clip-2","label":"Clip 2","source":"","notes":"","added":"2026-01-31T08:00:00Z","sha256":["${SHA_B}"],"vpdq":[]}`;
/** Hand-written canonical file: the serializer must reproduce these bytes exactly. */
const CANONICAL = `${HEADER}\n${ENTRY_1}\n${ENTRY_2}\n`;

function withLine(n: number, line: string): string {
  const lines = [HEADER, ENTRY_1, ENTRY_2];
  lines[n - 1] = line;
  return lines.join('\n') + '\n';
}

function entry(patch: Record<string, unknown>, drop: string[] = []): string {
  const e: Record<string, unknown> = { ...JSON.parse(ENTRY_2), ...patch };
  for (const k of drop) delete e[k];
  return JSON.stringify(e);
}

function header(patch: Record<string, unknown>, drop: string[] = []): string {
  const h: Record<string, unknown> = { ...JSON.parse(HEADER), ...patch };
  for (const k of drop) delete h[k];
  return JSON.stringify(h);
}

function parseError(input: string | Uint8Array, limits = {}): ListFormatError {
  try {
    parseList(input, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(ListFormatError);
    return err as ListFormatError;
  }
  throw new Error('expected a ListFormatError');
}

describe('list format: round trip', () => {
  it('parses a hand-written file into the documented shape', () => {
    const list = parseList(CANONICAL);
    expect(list.header).toEqual({
      format: 'provenance-lens-list',
      version: 1,
      name: 'Leaks',
      publisher: 'Example Lab',
      sequence: 3,
      created: '2026-02-01T10:00:00.000Z',
      hashing: { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 50, alternates: 'crop', downsample: 0 },
    });
    expect(list.entries).toHaveLength(2);
    expect(list.entries[0]).toEqual({
      id: 'clip-1',
      label: 'Leaked clip 1',
      source: 'https://example.org/1',
      notes: 'first',
      added: '2026-01-30',
      sha256: [SHA_A],
      vpdq: [
        [PDQ_1, 100, 0],
        [PDQ_2, 49, 1.5],
      ],
      alternates: [[0, PDQ_2]],
      meta: { generator: 'Sora', prompt: 'a cat' },
    });
    expect(list.entries[1].alternates).toBeUndefined();
  });

  it('serializes to the canonical bytes, and is stable', () => {
    const list = parseList(CANONICAL);
    expect(serializeList(list)).toBe(CANONICAL);
    expect(serializeList(parseList(serializeList(list)))).toBe(CANONICAL);
  });

  it('canonicalizes key order, optional fields and line endings', () => {
    const shuffled = JSON.stringify({ vpdq: [], sha256: [SHA_B], added: '2026-01-31T08:00:00Z', notes: '', source: '', label: 'Clip 2', id: 'clip-2', alternates: [], meta: {} });
    const crlf = `${header({ hashing: { downsample: 0, alternates: 'crop', qualityMin: 50, secondsPerHash: 1, algorithm: 'pdq' } })}\r\n${ENTRY_1}\r\n${shuffled}`;
    expect(serializeList(parseList(crlf))).toBe(CANONICAL);
  });

  it('accepts bytes and reads the header alone', () => {
    const bytes = new TextEncoder().encode(CANONICAL);
    expect(parseList(bytes).entries.map((e) => e.id)).toEqual(['clip-1', 'clip-2']);
    expect(parseListHeader(bytes).sequence).toBe(3);
  });

  it('gives the entry as a fingerprint (frames and alternates)', () => {
    const fp = entryFingerprint(parseList(CANONICAL).entries[0]);
    expect(fp.frames).toEqual([
      { t: 0, pdq: PDQ_1, quality: 100 },
      { t: 1.5, pdq: PDQ_2, quality: 49 },
    ]);
    expect(fp.alternates).toEqual([{ of: 0, pdq: PDQ_2 }]);
  });
});

describe('list format: every parse error names its line', () => {
  const cases: [string, () => ListFormatError, RegExp, number | undefined][] = [
    ['empty file', () => parseError(''), /empty/, undefined],
    ['not JSON', () => parseError(withLine(2, '{"id": ')), /not valid JSON/, 2],
    ['header not an object', () => parseError('[1,2]\n'), /header object/, 1],
    ['wrong format', () => parseError(withLine(1, header({ format: 'other' }))), /not a Provenance Lens list/, 1],
    ['unknown version', () => parseError(withLine(1, header({ version: 2 }))), /unsupported list version 2/, 1],
    ['unknown header field', () => parseError(withLine(1, header({ extra: 1 }))), /header: unknown field "extra"/, 1],
    ['missing name', () => parseError(withLine(1, header({}, ['name']))), /"name" must be a string/, 1],
    ['empty name', () => parseError(withLine(1, header({ name: '' }))), /"name" must not be empty/, 1],
    ['negative sequence', () => parseError(withLine(1, header({ sequence: -1 }))), /"sequence" must be a non-negative integer/, 1],
    ['fractional sequence', () => parseError(withLine(1, header({ sequence: 1.5 }))), /"sequence"/, 1],
    ['bad created', () => parseError(withLine(1, header({ created: 'yesterday' }))), /"created" must be an ISO 8601 date/, 1],
    ['other algorithm', () => parseError(withLine(1, header({ hashing: { algorithm: 'tmk', secondsPerHash: 1, qualityMin: 50 } }))), /unsupported algorithm "tmk"/, 1],
    ['quality out of range', () => parseError(withLine(1, header({ hashing: { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 101 } }))), /qualityMin/, 1],
    ['object setting', () => parseError(withLine(1, header({ hashing: { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 50, x: {} } }))), /setting "x"/, 1],
    ['entry not an object', () => parseError(withLine(3, '"x"')), /entry must be a JSON object/, 3],
    ['missing id', () => parseError(withLine(3, entry({}, ['id']))), /"id" must be a string/, 3],
    ['control char in id', () => parseError(withLine(3, entry({ id: 'a\nb' }))), /control characters/, 3],
    ['unknown entry field', () => parseError(withLine(3, entry({ colour: 'red' }))), /entry "clip-2": unknown field "colour"/, 3],
    ['empty label', () => parseError(withLine(3, entry({ label: '' }))), /"label" must not be empty/, 3],
    ['notes not a string', () => parseError(withLine(3, entry({ notes: 5 }))), /"notes" must be a string/, 3],
    ['bad added date', () => parseError(withLine(3, entry({ added: '31/01/2026' }))), /"added" must be an ISO 8601 date/, 3],
    ['duplicate id', () => parseError(withLine(3, entry({ id: 'clip-1' }))), /duplicate entry id "clip-1"/, 3],
    ['sha256 not an array', () => parseError(withLine(3, entry({ sha256: SHA_A }))), /"sha256" must be an array/, 3],
    ['short sha256', () => parseError(withLine(3, entry({ sha256: ['abc'] }))), /sha256\[0\] is not 64 lowercase hex/, 3],
    ['uppercase sha256', () => parseError(withLine(3, entry({ sha256: [SHA_B.toUpperCase()] }))), /sha256\[0\]/, 3],
    ['repeated sha256', () => parseError(withLine(3, entry({ sha256: [SHA_B, SHA_B] }))), /sha256\[1\] is listed twice/, 3],
    ['vpdq frame arity', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1, 100]] }))), /vpdq\[0\] must be \[hex, quality, seconds\]/, 3],
    ['vpdq bad hex', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1.slice(1), 100, 0]] }))), /vpdq\[0\]\[0\] is not a 64-character/, 3],
    ['vpdq bad quality', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1, 100.5, 0]] }))), /vpdq\[0\]\[1\] \(quality\)/, 3],
    ['vpdq negative seconds', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1, 100, -1]] }))), /vpdq\[0\]\[2\] \(seconds\)/, 3],
    ['alternate of a missing frame', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1, 100, 0]], alternates: [[1, PDQ_2]] }))), /alternates\[0\]\[0\] must be the index of one of the 1 vpdq frames/, 3],
    ['alternate bad hex', () => parseError(withLine(3, entry({ vpdq: [[PDQ_1, 100, 0]], alternates: [[0, 'zz']] }))), /alternates\[0\]\[1\]/, 3],
    ['no hashes at all', () => parseError(withLine(3, entry({ sha256: [] }))), /neither sha256 nor vpdq/, 3],
    ['meta with a number', () => parseError(withLine(3, entry({ meta: { year: 2026 } }))), /meta "year" must be a string/, 3],
    ['blank line inside', () => parseError(`${HEADER}\n\n${ENTRY_1}\n`), /empty line/, 2],
    ['two trailing newlines', () => parseError(`${CANONICAL}\n`), /empty line/, 4],
    ['invalid UTF-8', () => parseError(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/, undefined],
  ];
  it.each(cases)('%s', (_name, run, message, line) => {
    const err = run();
    expect(err.message).toMatch(message);
    expect(err.line).toBe(line);
    if (line !== undefined) expect(err.message.startsWith(`line ${line}: `)).toBe(true);
  });
});

describe('list format: limits bound a hostile list', () => {
  it('refuses a file over the byte limit before reading it', () => {
    expect(parseError(CANONICAL, { maxBytes: 100 }).message).toMatch(/over the 100-byte limit/);
  });

  it('refuses an over-long line before parsing it as JSON', () => {
    const long = entry({ notes: 'x'.repeat(5000) });
    // Unterminated JSON after the limit: only a length check can produce this message.
    const err = parseError(`${HEADER}\n${long.slice(0, 3000)}`, { maxLineChars: 2000 });
    expect(err.message).toMatch(/longer than 2000 characters/);
    expect(err.line).toBe(2);
  });

  it('refuses too many entries, frames and hashes', () => {
    expect(parseError(CANONICAL, { maxEntries: 1 }).message).toMatch(/more than 1 entries/);
    expect(parseError(CANONICAL, { maxFramesPerEntry: 1 }).message).toMatch(/more than 1 vpdq frames/);
    expect(parseError(CANONICAL, { maxHashesTotal: 2 }).message).toMatch(/more than 2 perceptual hashes/);
  });

  it('refuses over-long text fields', () => {
    expect(parseError(withLine(3, entry({ id: 'i'.repeat(300) }))).message).toMatch(/"id" is longer than 256/);
  });
});

describe('hash file imports and exports', () => {
  it('reads `pdq <hex>` lines, skipping comments and blanks', () => {
    expect(parsePdqLines(`# two frames\npdq ${PDQ_1.toUpperCase()}\n\npdq ${PDQ_2}\n`)).toEqual([PDQ_1, PDQ_2]);
    expect(() => parsePdqLines(`pdq ${PDQ_1}\npdq 1234\n`)).toThrow(/line 2: expected "pdq <64 hex characters>"/);
    expect(() => parsePdqLines('# nothing\n')).toThrow(/no pdq hashes/);
  });

  it('reads plain and sha256sum-style SHA-256 lines', () => {
    expect(parseSha256Lines(`${SHA_A}\n${SHA_B.toUpperCase()}  clip.mp4\n`)).toEqual([SHA_A, SHA_B]);
    expect(() => parseSha256Lines(`${SHA_A}\nnot-a-digest\n`)).toThrow(/line 2: expected a SHA-256 hex digest/);
  });

  it('imports pdq and sha256 as one entry or one per line', () => {
    expect(importHashes(`pdq ${PDQ_1}\npdq ${PDQ_2}\n`, 'pdq')).toEqual([
      {
        sha256: [],
        vpdq: [
          [PDQ_1, 100, 0],
          [PDQ_2, 100, 1],
        ],
      },
    ]);
    expect(importHashes(`${SHA_A}\n${SHA_B}\n${SHA_A}\n`, 'sha256', { eachLine: true })).toEqual([
      { sha256: [SHA_A], vpdq: [] },
      { sha256: [SHA_B], vpdq: [] },
    ]);
  });

  it('imports a real reference vPDQ file and exports it back line for line (hashes, quality, time)', () => {
    const text = readFileSync(join(VPDQ_DIR, 'local-ffmpeg5.1/chair-19-sd-bar.r1.s0.txt'), 'utf8');
    const [hashes] = importHashes(text, 'vpdq');
    const original = parseVpdq(text);
    expect(hashes.vpdq).toHaveLength(original.length);
    expect(hashes.vpdq[3]).toEqual([original[3].pdq, original[3].quality, original[3].t]);
    const entry = { id: 'chair', label: 'chair', source: '', notes: '', added: '2026-01-01', ...hashes };
    const back = parseVpdq(exportHashes([entry], 'vpdq'));
    expect(back.map((f) => [f.pdq, f.quality, f.t])).toEqual(original.map((f) => [f.pdq, f.quality, f.t]));
  });

  it('exports pdq and sha256 lines, and refuses an ambiguous vpdq export', () => {
    const list: HashList = parseList(CANONICAL);
    expect(exportHashes(list.entries, 'pdq')).toBe(`pdq ${PDQ_1}\npdq ${PDQ_2}\n`);
    expect(exportHashes(list.entries, 'sha256')).toBe(`${SHA_A}\n${SHA_B}\n`);
    expect(() => exportHashes(list.entries, 'vpdq')).toThrow(/--entry/);
  });
});
