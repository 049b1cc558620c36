import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED, PDQ_FIXTURES, ROOT } from '../../paths';
import { parseVpdq } from '../../../lib/fingerprint/vpdq';
import { hammingHex } from '../../../lib/fingerprint/hash256';
import { expectedPdq, IMAGES } from './helpers/fixtures';

/** Runs the real CLI as `npm run cli` does (cli/run.mjs: its prebuilt bundle). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'cli/run.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli pdq', () => {
  it('prints hash,quality,file like the reference, continues past bad files, exits 1', () => {
    const expected = expectedPdq().filter((e) => e.file.startsWith('decoded-png/'));
    const files = expected.map((e) => join(IMAGES, e.file));
    const r = cli('pdq', files[0], join(IMAGES, 'missing.png'), join(ROOT, 'package.json'), ...files.slice(1));
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('hash,quality,file');
    expect(lines.slice(1)).toEqual(expected.map((e, i) => `${e.hash},${e.quality},${files[i]}`));
    expect(r.stderr).toMatch(/missing\.png: no such file/);
    expect(r.stderr).toMatch(/package\.json: not a readable image/);
  });

  it('exits 0 when all images are fine; --no-header; --dihedral', () => {
    const file = join(IMAGES, 'decoded-png/wee.decoded.png');
    const r = cli('pdq', '--no-header', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${expectedPdq().find((e) => e.file === 'decoded-png/wee.decoded.png')!.hash},100,${file}\n`);
    const d = cli('pdq', '--dihedral', '--no-header', file);
    const ref = readFileSync(join(PDQ_FIXTURES, 'pdq-expected-cpp-dihedral.txt'), 'utf8').split('\n').find((l) => l.endsWith('decoded-png/wee.decoded.png'))!;
    expect(d.stdout.trim().split(',').slice(0, 9)).toEqual(ref.split(',').slice(0, 9));
  });

  it('usage error without files', () => {
    const r = cli('pdq');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at least one image/);
  });
});

describe('cli fingerprint', () => {
  const video = join(PDQ_FIXTURES, 'videos/doorknob-hd-no-bar.mp4');

  it('writes the vpdq-hash-video lines (same frames, within a few bits of the reference)', () => {
    const r = cli('fingerprint', video);
    expect(r.code).toBe(0);
    const ours = parseVpdq(r.stdout);
    const ref = parseVpdq(readFileSync(join(PDQ_FIXTURES, 'vpdq-hashes/local-ffmpeg5.1/doorknob-hd-no-bar.r1.s0.txt'), 'utf8'));
    expect(ours.map((f) => [f.frame, f.quality, f.t])).toEqual(ref.map((f) => [f.frame, f.quality, f.t]));
    ours.forEach((f, i) => f.quality >= 50 && expect(hammingHex(f.pdq, ref[i].pdq)).toBeLessThanOrEqual(4));
    expect(r.stdout).toMatch(/^0,100,[0-9a-f]{64},0\.000\n30,68,/);
  });

  it('--out, --seconds-per-hash, --json, --for-list', () => {
    const dir = join(GENERATED, 'cli-test');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'doorknob.txt');
    rmSync(out, { force: true });
    const r = cli('fingerprint', video, '--out', out, '--seconds-per-hash', '0.5');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    expect(parseVpdq(readFileSync(out, 'utf8')).map((f) => f.frame)).toEqual([0, 15, 30, 45, 60, 75, 90, 105]);

    const json = JSON.parse(cli('fingerprint', video, '--json').stdout);
    expect(json.video).toMatchObject({ width: 1280, height: 720, fps: 30 });
    expect(json.frames).toHaveLength(4);
    expect(json.alternates.map((a: { why: string }) => a.why)).toContain('mirror');

    const listed = JSON.parse(cli('fingerprint', video, '--for-list').stdout);
    const why = listed.alternates.map((a: { why: string }) => a.why);
    expect(why).toContain('crop-5');
    expect(why).not.toContain('mirror');
    // Every distinct frame of the (moving) clip, vPDQ's four among them.
    expect(listed.frames.length).toBeGreaterThan(4 * 10);
    expect(json.frames.every((f: { frame: number }) => listed.frames.some((g: { frame: number }) => g.frame === f.frame))).toBe(true);
  });

  it('errors: usage, bad option value, not a video', () => {
    expect(cli('fingerprint').code).toBe(2);
    expect(cli('fingerprint', video, '--seconds-per-hash', 'soon').stderr).toMatch(/--seconds-per-hash must be a number/);
    expect(cli('fingerprint', video, '--bogus').code).toBe(2);
    const bad = cli('fingerprint', join(ROOT, 'package.json'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a readable video/);
  });
});
