/** The `list` CLI commands and the Node helper `check --list` relies on, on real fixture files. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/commands/list';
import { matchAgainstListFiles } from '../../../lib/lists/node';
import { parseList } from '../../../lib/lists/format';
import { parseVpdq } from '../../../lib/fingerprint/vpdq';
import { PDQ_FIXTURES } from '../../paths';
import { flipBits, mulberry32, VPDQ_DIR } from './helpers';

let dir: string;
const VIDEO = join(PDQ_FIXTURES, 'videos/reencoded/pattern-hd-no-bar.clip2to6s-crf28.mp4');
const VIDEO_SHA = 'aa96d1eed081f0aec8bbe87c59fd0067bf4347fd2c74794b29cf9f3700ec10a7'; // from fixtures/pdq/SOURCES.md
const VPDQ_FILE = join(VPDQ_DIR, 'local-ffmpeg5.1/pattern-hd-no-bar.r1.s0.txt');
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pl-list-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run a list command, capturing what it prints. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('list keygen / import / sign / verify', () => {
  it('makes keys with a private file only the owner can read, and never overwrites them', async () => {
    const r = await cli('keygen', '--out', join(dir, 'pub'));
    expect(r.code).toBe(0);
    expect((await stat(join(dir, 'pub.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'pub.pub'), 'utf8')).toMatch(/^provenance-lens ed25519 public key\n/);
    await expect(cli('keygen', '--out', join(dir, 'pub'))).rejects.toThrow(/refusing to overwrite/);
  });

  it('imports a reference vPDQ file, signs it, and verifies good, tampered and wrong-key cases', async () => {
    const list = join(dir, 'pattern.jsonl');
    expect((await cli('import', VPDQ_FILE, '--format', 'vpdq', '--name', 'Patterns', '--label', 'Test pattern', '--out', list)).code).toBe(0);
    const parsed = parseList(await readFile(list));
    expect(parsed.header).toMatchObject({ name: 'Patterns', sequence: 1 });
    expect(parsed.entries[0]).toMatchObject({ id: 'pattern-hd-no-bar.r1.s0', label: 'Test pattern' });
    expect(parsed.entries[0].vpdq.map((f) => f[0])).toEqual(parseVpdq(await readFile(VPDQ_FILE, 'utf8')).map((f) => f.pdq));

    expect((await cli('sign', list, '--key', join(dir, 'pub.key'))).code).toBe(0);
    expect((await readFile(`${list}.sig`, 'utf8')).split('\n')[1]).toMatch(/^signed-by /);
    const ok = await cli('verify', list, '--pubkey', join(dir, 'pub.pub'));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: signature holds for "Patterns"/);

    await cli('keygen', '--out', join(dir, 'other'));
    const wrong = await cli('verify', list, '--pubkey', join(dir, 'other.pub'));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/FAILED: signed by another key/);

    const bytes = await readFile(list);
    bytes[bytes.length - 5] ^= 1;
    await writeFile(list, bytes);
    const tampered = await cli('verify', list, '--pubkey', join(dir, 'pub.pub'));
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/FAILED: signature does not verify/);
    await expect(cli('sign', list, '--key', join(dir, 'pub.pub'))).rejects.toThrow(/signing needs the private key/);
  });

  it('refuses unknown subcommands, formats and options as usage errors', async () => {
    await expect(cli('frobnicate')).rejects.toThrow(/unknown list command/);
    await expect(cli('import', VPDQ_FILE, '--format', 'tmk', '--name', 'x', '--out', join(dir, 'x.jsonl'))).rejects.toThrow(/--format must be one of/);
    await expect(cli('export', 'x.jsonl', '--format', 'pdq')).rejects.toThrow(/--out is required/);
  });
});

describe('list export / diff', () => {
  it('exports pdq and sha256 lines and a single entry as vPDQ', async () => {
    const shaFile = join(dir, 'digests.txt');
    await writeFile(shaFile, `${VIDEO_SHA}  clip.mp4\n${'b'.repeat(64)}\n`);
    const list = join(dir, 'digests.jsonl');
    expect((await cli('import', shaFile, '--format', 'sha256', '--each-line', '--name', 'Digests', '--out', list)).code).toBe(0);
    expect(parseList(await readFile(list)).entries.map((e) => [e.id, e.sha256])).toEqual([
      ['digests-1', [VIDEO_SHA]],
      ['digests-2', ['b'.repeat(64)]],
    ]);
    await cli('export', list, '--format', 'sha256', '--out', join(dir, 'back.txt'));
    expect(await readFile(join(dir, 'back.txt'), 'utf8')).toBe(`${VIDEO_SHA}\n${'b'.repeat(64)}\n`);

    const pattern = join(dir, 'p2.jsonl');
    await cli('import', VPDQ_FILE, '--format', 'vpdq', '--name', 'P', '--id', 'pat', '--out', pattern);
    await cli('export', pattern, '--format', 'vpdq', '--entry', 'pat', '--out', join(dir, 'p.vpdq'));
    const back = parseVpdq(await readFile(join(dir, 'p.vpdq'), 'utf8'));
    const original = parseVpdq(await readFile(VPDQ_FILE, 'utf8'));
    expect(back.map((f) => [f.pdq, f.quality, f.t])).toEqual(original.map((f) => [f.pdq, f.quality, f.t]));
    await expect(cli('export', pattern, '--format', 'vpdq', '--entry', 'nope', '--out', join(dir, 'n.txt'))).rejects.toThrow(/no entry "nope"/);
  });

  it('shows added, removed and changed entries and the sequence change', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    await writeFile(a, `${'1'.repeat(64)}\n${'2'.repeat(64)}\n`);
    await writeFile(b, `${'1'.repeat(64)}\n${'3'.repeat(64)}\n${'4'.repeat(64)}\n`);
    const oldList = join(dir, 'old.jsonl');
    const newList = join(dir, 'new.jsonl');
    await cli('import', a, '--format', 'sha256', '--each-line', '--id', 'd', '--label', 'D', '--name', 'D', '--out', oldList);
    await cli('import', b, '--format', 'sha256', '--each-line', '--id', 'd', '--label', 'D', '--name', 'D', '--sequence', '7', '--out', newList);
    // Same entry timestamps, as when a publisher rebuilds a list in place.
    await writeFile(newList, (await readFile(newList, 'utf8')).replace(/"added":"[^"]+"/g, '"added":"2026-01-01"'));
    await writeFile(oldList, (await readFile(oldList, 'utf8')).replace(/"added":"[^"]+"/g, '"added":"2026-01-01"'));
    const r = await cli('diff', oldList, newList);
    expect(r.code).toBe(0);
    expect(r.out).toContain('sequence: 1 → 7\n');
    expect(r.out).toMatch(/added \(1\):\n  \+ d-3 /);
    expect(r.out).toMatch(/removed \(0\)\n/);
    expect(r.out).toMatch(/changed \(1\):\n  ~ d-2  \(sha256\)/);
    expect((await cli('diff', newList, oldList)).out).toMatch(/NOT increased/);
  });

  it('continues the sequence of the list it replaces and keeps its entries\' added dates', async () => {
    const out = join(dir, 'seq.jsonl');
    await cli('import', VPDQ_FILE, '--format', 'vpdq', '--name', 'S', '--out', out);
    const first = parseList(await readFile(out));
    await new Promise((r) => setTimeout(r, 5));
    const r = await cli('import', VPDQ_FILE, '--format', 'vpdq', '--name', 'S', '--out', out);
    expect(r.err).toMatch(/sequence 2 \(.*had 1\)/);
    const second = parseList(await readFile(out));
    expect(second.header.sequence).toBe(2);
    expect(second.entries[0].added).toBe(first.entries[0].added);
  });
});

describe('matchAgainstListFiles (for check --list)', () => {
  it('reports exact hits first, then perceptual ones with both percentages', async () => {
    const digests = join(dir, 'digests.jsonl');
    const pattern = join(dir, 'p2.jsonl');
    const frames = parseVpdq(await readFile(VPDQ_FILE, 'utf8'));
    const rand = mulberry32(4);
    const noisy = frames.map((f) => ({ ...f, pdq: flipBits(f.pdq, 12, rand) }));
    const matches = await matchAgainstListFiles({ frames: noisy }, VIDEO_SHA, [digests, pattern]);
    expect(matches).toEqual([
      { list: digests, listName: 'Digests', entry: 'digests-1', label: 'digests', kind: 'exact' },
      { list: pattern, listName: 'P', entry: 'pat', label: 'pattern-hd-no-bar.r1.s0', kind: 'perceptual', queryPct: 100, targetPct: 100 },
    ]);
    expect(await matchAgainstListFiles({ frames: [] }, 'c'.repeat(64), [digests])).toEqual([]);
    await expect(matchAgainstListFiles({ frames: [] }, VIDEO_SHA, [join(dir, 'a.txt')])).rejects.toThrow(/a\.txt: line 1: the first line must be the list header object/);
  });
});

describe.skipIf(!hasFfmpeg)('list build (ffmpeg)', () => {
  it('fingerprints videos found in folders, with sha256, frames and crop alternates', async () => {
    const out = join(dir, 'built.jsonl');
    const folder = join(dir, 'videos');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await symlink(VIDEO, join(folder, 'sub', 'pattern-hd-no-bar.clip2to6s-crf28.mp4'));
    await writeFile(join(folder, 'README.txt'), 'not a video');
    const r = await cli('build', folder, '--name', 'Built', '--publisher', 'Lab', '--notes', 'from a test', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\[1\/1\] .*clip2to6s-crf28\.mp4: \d+ frames/);
    const list = parseList(await readFile(out));
    expect(list.header).toMatchObject({ name: 'Built', publisher: 'Lab', sequence: 1, hashing: { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 50 } });
    const [e] = list.entries;
    expect(e).toMatchObject({ id: 'pattern-hd-no-bar.clip2to6s-crf28', label: 'pattern-hd-no-bar.clip2to6s-crf28', notes: 'from a test', sha256: [VIDEO_SHA] });
    expect(e.vpdq.length).toBeGreaterThanOrEqual(4);
    expect(e.alternates?.length ?? 0).toBeGreaterThan(0);
    // The same video, checked against the list it is on, matches itself exactly.
    const again = await matchAgainstListFiles({ frames: e.vpdq.map(([pdq, quality, t]) => ({ pdq, quality, t })) }, VIDEO_SHA, [out]);
    expect(again[0]).toMatchObject({ entry: e.id, kind: 'exact' });
    await expect(cli('build', join(dir, 'nothing-here'), '--name', 'x', '--out', join(dir, 'y.jsonl'))).rejects.toThrow(/ENOENT|no such/);
  });
});
