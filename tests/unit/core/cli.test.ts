/**
 * The CLI's `check`: the right headline for every fixture, and for corrupted or tampered
 * copies of them (never valid), plus its exit codes and JSON shape.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../../cli/commands/check';
import { checkStructure, findC2paBox } from '../../../lib/media/bmff';
import { aiDeclaredVideo, badSignatureVideo } from '../../support/signing';
import { C2PA_FIXTURES, GENERATED, ROOT } from '../../paths';

const run = promisify(execFile);
const F = (n: string) => join(C2PA_FIXTURES, n);
const TAMPERED = join(GENERATED, 'tampered');

function cli(...args: string[]) {
  return run(process.execPath, ['cli/run.mjs', ...args], { cwd: ROOT }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );
}

/** Writes a copy of `src` with the byte at `at` flipped. */
function flipped(src: string, at: number, name: string): string {
  const b = Buffer.from(readFileSync(src));
  b[at] ^= 0xff;
  const out = join(TAMPERED, name);
  writeFileSync(out, b);
  return out;
}

function offsetOf(b: Buffer, label: string, from = 0): number {
  const i = b.indexOf(Buffer.from(label, 'latin1'), from);
  if (i < 0) throw new Error(`no "${label}" in the file`);
  return i;
}

beforeAll(() => mkdirSync(TAMPERED, { recursive: true }));

describe('check: fixtures', () => {
  const cases: [string, string][] = [
    ['c2pa-rs__video1.mp4', 'credentials-valid'],
    ['c2pa-rs__legacy.mp4', 'credentials-valid'], // invalid under c2pa-wasm 0.11; see c2pa.test.ts
    ['c2pa-rs__video1_no_manifest.mp4', 'no-credentials'],
    ['c2pa-rs__c.mov', 'no-credentials'],
    ['c2pa-rs__dashinit.mp4', 'credentials-invalid'],
    ['c2pa-rs__C.jpg', 'ai-declared'],
    ['c2pa-rs__XCA.jpg', 'credentials-invalid'],
    ['c2pa-rs__ocsp.jpg', 'ai-declared'],
  ];
  for (const [file, headline] of cases) {
    it(`${file} → ${headline}`, async () => {
      expect((await checkSource(F(file), { frames: false })).headline).toBe(headline);
    });
  }
  it('the generated AI-declared video names its generator and signer', async () => {
    const v = await checkSource(await aiDeclaredVideo(), { frames: false });
    expect(v.headline).toBe('ai-declared');
    expect(v.c2pa?.generator).toBe('OpenAI Sora');
    expect(v.c2pa?.signer).toBe('C2PA Test Signing Cert');
    expect(v.c2pa?.digitalSourceTypes).toEqual(['http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia']);
  });
  it('init + fragment is valid', async () => {
    expect((await checkSource(F('c2pa-rs__dashinit.mp4'), { fragment: F('c2pa-js__dash1.m4s'), frames: false })).headline).toBe('credentials-valid');
  });
});

describe('check: tampered copies never read as valid', () => {
  const video1 = Buffer.from(readFileSync(F('c2pa-rs__video1.mp4')));
  const top = checkStructure(new Uint8Array(video1));
  const manifest = findC2paBox(top)!;
  const mdat = top.find((b) => b.type === 'mdat')!;
  const inManifest = (label: string, after: number) => {
    const at = offsetOf(video1, label, manifest.start) + label.length + after;
    expect(at).toBeLessThan(manifest.start + manifest.size);
    return at;
  };
  const cases: [string, number][] = [
    ['a byte of the video data (mdat)', mdat.start + Math.floor(mdat.size / 2)],
    ['the first byte of the video data', mdat.start + mdat.headerSize],
    ['inside the claim', inManifest('c2pa.claim', 40)],
    ['inside the signature', inManifest('c2pa.signature', 60)],
    ['inside the actions assertion', inManifest('c2pa.actions', 30)],
    ['inside the BMFF hash assertion', inManifest('c2pa.hash.bmff', 40)],
  ];
  for (const [what, at] of cases) {
    it(`flipping ${what}`, async () => {
      const v = await checkSource(flipped(F('c2pa-rs__video1.mp4'), at, `video1-${at}.mp4`), { frames: false });
      expect(['credentials-invalid', 'error']).toContain(v.headline);
      expect(v.c2pa?.state === 'valid' || v.c2pa?.state === 'trusted').toBe(false);
    });
  }
  it('an impossible box size gives error with a message, quickly', async () => {
    const b = Buffer.from(video1);
    const moov = top.find((x) => x.type === 'moov')!;
    b.writeUInt32BE(0xfffffff0, moov.start);
    const path = join(TAMPERED, 'impossible-size.mp4');
    writeFileSync(path, b);
    const t0 = performance.now();
    const v = await checkSource(path, { frames: false });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(v.headline).toBe('error');
    expect(v.reason).toMatch(/box 'moov' at offset \d+ declares 4\.0 GB/);
  });
  it('a truncated copy is an error, not valid', async () => {
    const path = join(TAMPERED, 'truncated.mp4');
    writeFileSync(path, video1.subarray(0, 500_000));
    expect((await checkSource(path, { frames: false })).headline).toBe('error');
  });
});

describe('check: the command itself', () => {
  it('--json prints one object with the documented fields; exit 0', async () => {
    const r = await cli('check', F('c2pa-rs__video1.mp4'), '--json', '--no-frames');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.source).toBe(F('c2pa-rs__video1.mp4'));
    expect(j.verdict.headline).toBe('credentials-valid');
    expect(typeof j.verdict.summary).toBe('string');
    expect(j.c2pa).toMatchObject({ state: 'valid', signer: 'C2PA Test Signing Cert', issuer: 'C2PA Test Intermediate Root CA', aiGenerated: false, digitalSourceTypes: [] });
    expect(j.c2pa.generator).toMatch(/TestApp/);
    expect(j.c2pa.codes).toContain('claimSignature.validated');
    expect(j.sha256).toBe('b310ba339ca89950e3c921754566d5e44ef52c45dd1ddbbfe1383c8e7761cfd0');
  });
  it('--trust with the c2pa-rs test roots makes video1 trusted', async () => {
    const r = await cli('check', F('c2pa-rs__video1.mp4'), '--json', '--no-frames', '--trust', F('trust/c2pa-rs__sdk-test__test_cert_root_bundle.pem'));
    expect(JSON.parse(r.stdout).verdict.headline).toBe('credentials-trusted');
  });
  it('--trust with two lists names only the one holding the root the chain reaches, in the same words as the extension', async () => {
    const r = await cli('check', F('c2pa-rs__video1.mp4'), '--no-frames', '--trust', F('trust/verify-site-ITL__anchors.pem'), '--trust', F('trust/c2pa-rs__sdk-test__test_cert_root_bundle.pem'));
    expect(r.stdout).toContain('C2PA Test Signing Cert (trusted via the trust list c2pa-rs__sdk-test__test_cert_root_bundle.pem)');
    expect(r.stdout).not.toContain('trust list verify-site-ITL__anchors.pem');
  });
  it('usage errors exit 2 with a message; a missing file too', async () => {
    const a = await cli('check');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/which file or address/);
    const b = await cli('check', F('c2pa-rs__video1.mp4'), '--bogus');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown option --bogus/);
    const c = await cli('check', '/nonexistent/video.mp4');
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no such file/);
    const d = await cli('check', F('c2pa-rs__video1.mp4'), '--trust', F('c2pa-rs__video1.mp4'));
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/holds no PEM certificate/);
  });
  it('an address that cannot be reached is "unavailable" (a verdict, exit 0)', async () => {
    const r = await cli('check', 'http://127.0.0.1:1/video.mp4', '--json', '--no-frames');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verdict.headline).toBe('unavailable');
  });
  it('without --json prints a short report', async () => {
    const r = await cli('check', await badSignatureVideo(), '--no-frames');
    expect(r.stdout).toMatch(/Content Credentials do not hold {2}\[credentials-invalid\]/);
    expect(r.stdout).toMatch(/problem: claimSignature\.mismatch/);
  });
});
