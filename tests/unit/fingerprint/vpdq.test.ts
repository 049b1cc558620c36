import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PDQ_FIXTURES } from '../../paths';
import { formatVpdq, formatVpdqLine, frameStep, frameTimestamp, isSampledFrame, parseVpdq, VpdqParseError } from '../../../lib/fingerprint/vpdq';

const HASHES = join(PDQ_FIXTURES, 'vpdq-hashes');
const referenceFiles = ['local-ffmpeg5.1', 'upstream', 'reencoded'].flatMap((dir) => readdirSync(join(HASHES, dir)).map((f) => join(HASHES, dir, f)));

describe('vPDQ sampling rule', () => {
  it('hashes one frame per second by default: step = int(seconds × fps), at least 1', () => {
    expect(frameStep(30)).toBe(30);
    expect(frameStep(25)).toBe(25);
    expect(frameStep(24)).toBe(24);
    expect(frameStep(30000 / 1001)).toBe(29); // the reference truncates
    expect(frameStep(60, 0.5)).toBe(30);
    expect(frameStep(30, 0)).toBe(1); // every frame
    expect(frameStep(0.5)).toBe(1);
    expect(() => frameStep(0)).toThrow(/frame rate/);
    expect(() => frameStep(30, -1)).toThrow(/seconds per hash/);
  });

  it('matches the frame numbers of the reference 1-hash-per-second files', () => {
    for (const f of referenceFiles.filter((f) => f.endsWith('.r1.s0.txt'))) {
      const frames = parseVpdq(readFileSync(f, 'utf8'));
      const step = frameStep(30); // every sample video is 30 fps
      expect(frames.every((x) => isSampledFrame(x.frame!, step)), f).toBe(true);
      expect(frames.map((x) => x.frame), f).toEqual(frames.map((_, i) => i * step));
      for (const x of frames) expect(x.t.toFixed(3)).toBe(frameTimestamp(x.frame!, 30).toFixed(3));
    }
  });
});

describe('vPDQ hash file format', () => {
  it('parses and re-writes every reference file byte for byte', () => {
    expect(referenceFiles.length).toBeGreaterThan(40);
    for (const f of referenceFiles) {
      const text = readFileSync(f, 'utf8');
      const frames = parseVpdq(text, f);
      expect(frames.length, f).toBeGreaterThan(0);
      expect(formatVpdq(frames), f).toBe(text);
    }
  });

  it('writes frameNumber,quality,pdqHex,timestamp with 3 decimals', () => {
    const pdq = 'ab'.repeat(32);
    expect(formatVpdqLine({ frame: 30, quality: 100, pdq, t: 1 })).toBe(`30,100,${pdq},1.000`);
    expect(formatVpdqLine({ frame: 1, quality: 7, pdq, t: 1 / 30 })).toBe(`1,7,${pdq},0.033`);
    expect(formatVpdq([{ quality: 5, pdq, t: 0 }])).toBe(`0,5,${pdq},0.000\n`); // no frame number: its index
    expect(() => formatVpdqLine({ quality: 5, pdq, t: 0 })).toThrow(/frame number/);
    expect(() => formatVpdqLine({ frame: 0, quality: 101, pdq, t: 0 })).toThrow(/quality/);
    expect(() => formatVpdqLine({ frame: 0, quality: 1, pdq: 'xyz', t: 0 })).toThrow(/PDQ/);
  });

  it('tolerates CRLF, blank lines, spaces, comments, upper-case hex and extra fields', () => {
    const pdq = 'AB'.repeat(32);
    const text = `# made by hand\r\n\r\n 0 , 100 , ${pdq} , 0.000 \r\n30,99,${pdq},1.000,extra\n\n`;
    expect(parseVpdq(text)).toEqual([
      { frame: 0, quality: 100, pdq: pdq.toLowerCase(), t: 0 },
      { frame: 30, quality: 99, pdq: pdq.toLowerCase(), t: 1 },
    ]);
  });

  it('rejects bad lines with the line number and the reason', () => {
    const good = `0,100,${'0'.repeat(64)},0.000`;
    const cases: [string, RegExp][] = [
      ['0,100,abc', /line 2: expected 4 comma-separated fields/],
      [`x,100,${'0'.repeat(64)},0.000`, /line 2: frame number "x"/],
      [`1,101,${'0'.repeat(64)},0.033`, /line 2: quality "101"/],
      [`1,-3,${'0'.repeat(64)},0.033`, /line 2: quality "-3"/],
      [`1,50,${'g'.repeat(64)},0.033`, /line 2: .* is not a 64-character hex PDQ hash/],
      [`1,50,${'0'.repeat(63)},0.033`, /line 2: .* is not a 64-character hex PDQ hash/],
      [`1,50,${'0'.repeat(64)},soon`, /line 2: timestamp "soon"/],
    ];
    for (const [bad, message] of cases) {
      let error: unknown;
      try {
        parseVpdq(`${good}\n${bad}\n`, 'test.txt');
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(VpdqParseError);
      expect((error as VpdqParseError).line).toBe(2);
      expect((error as Error).message).toMatch(/^test\.txt, line 2:/);
      expect((error as Error).message).toMatch(message);
    }
  });
});
