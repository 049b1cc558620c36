/**
 * The browser fingerprint pipeline (lib/fingerprint/browser-frames.ts: mp4box + WebCodecs in a
 * dedicated worker) in Debian's Chromium, without the extension, compared with the ffmpeg
 * pipeline and with the vpdq-hash-video reference files.
 *
 *   npx playwright test tests/e2e/fingerprint-browser.spec.ts
 */
import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED, PDQ_FIXTURES } from '../paths';
import { CHROMIUM_LAUNCH, startHarness, videoUrl, type Harness } from './harness/fingerprint-harness';
import { fingerprintFile } from '../../lib/fingerprint/ffmpeg';
import { parseVpdq } from '../../lib/fingerprint/vpdq';
import { hammingHex } from '../../lib/fingerprint/hash256';
import { matchFingerprints } from '../../lib/fingerprint/match';
import type { FrameHash } from '../../lib/verdict';
import type { BrowserFingerprintResult } from '../../lib/fingerprint/browser-frames';
import { SAMPLES, samplePath, ensureVariant } from '../unit/fingerprint/helpers/media';
import { ensureFootage, ensureRepost } from '../unit/fingerprint/helpers/reposts';

const PLAIN = { borders: false, mirror: false };

let harness: Harness;
let browser: Browser;
let page: Page;

test.beforeAll(async () => {
  harness = await startHarness();
  browser = await chromium.launch(CHROMIUM_LAUNCH);
  page = await browser.newPage();
  await page.goto(harness.url);
});

test.afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

interface WorkerReply {
  ok: boolean;
  error?: string;
  result: BrowserFingerprintResult;
  ms: number;
}

async function inBrowser(file: string, options: object = {}): Promise<WorkerReply> {
  return page.evaluate(([url, opts]) => (window as unknown as { fingerprintInWorker: (u: string, o: object) => Promise<WorkerReply> }).fingerprintInWorker(url as string, opts as object), [videoUrl(file), options] as const);
}

/** Distances of frames usable (quality ≥ 50) on both sides, matched by frame number. */
function distances(ours: FrameHash[], ref: FrameHash[]): number[] {
  const byFrame = new Map(ours.map((f) => [f.frame, f]));
  return ref.flatMap((r) => {
    const o = byFrame.get(r.frame);
    return o && o.quality >= 50 && r.quality >= 50 ? [hammingHex(o.pdq, r.pdq)] : [];
  });
}

test('WebCodecs decodes H.264 in a worker of Debian Chromium', async () => {
  const reply = await page.evaluate(() => (window as unknown as { probeCodecs: (c: string[]) => Promise<{ result: unknown }> }).probeCodecs(['avc1.42E01E', 'avc1.4d401f', 'avc1.64001f', 'vp09.00.10.08', 'av01.0.04M.08', 'hev1.1.6.L93.B0']));
  console.log(`WebCodecs support in ${browser.version()}: ${JSON.stringify(reply.result)}`);
  expect(reply.result).toMatchObject({ hasVideoDecoder: true, support: { 'avc1.42E01E': true, 'avc1.4d401f': true, 'avc1.64001f': true } });
});

test('same frames as the ffmpeg pipeline and vpdq-hash-video, within a few bits, on every sample', async () => {
  const rows: string[] = [];
  let skipped = 0;
  for (const s of SAMPLES) {
    const reply = await inBrowser(samplePath(s.name), PLAIN);
    expect(reply.ok, `${s.name}: ${reply.error}`).toBe(true);
    const browserFrames = reply.result.frames;
    const node = (await fingerprintFile(samplePath(s.name), PLAIN)).frames;
    const local = parseVpdq(readFileSync(join(PDQ_FIXTURES, 'vpdq-hashes/local-ffmpeg5.1', `${s.name}.r1.s0.txt`), 'utf8'));
    expect(browserFrames.map((f) => f.frame), s.name).toEqual(node.map((f) => f.frame));
    expect(browserFrames.map((f) => f.t.toFixed(3)), s.name).toEqual(local.map((f) => f.t.toFixed(3)));
    const vsNode = distances(browserFrames, node);
    const vsLocal = distances(browserFrames, local);
    expect(vsNode.length, s.name).toBeGreaterThan(0);
    for (const d of [...vsNode, ...vsLocal]) expect(d, s.name).toBeLessThanOrEqual(6);
    browserFrames.forEach((f, i) => node[i].quality >= 50 && expect(Math.abs(f.quality - node[i].quality), `${s.name} quality`).toBeLessThanOrEqual(3));
    const identical = browserFrames.filter((f, i) => f.pdq === node[i].pdq).length;
    const dur = reply.result.info.duration;
    rows.push(`${s.name}: ${identical}/${node.length} identical to ffmpeg, max ${Math.max(...vsNode)} bits (vs reference max ${Math.max(0, ...vsLocal)}); ${reply.ms.toFixed(0)} ms for ${dur.toFixed(1)} s (${(reply.ms / 1000 / dur).toFixed(3)}x), read back as ${reply.result.info.readback}; ${reply.result.info.skippedFrames} non-reference pictures left undecoded`);
    skipped += reply.result.info.skippedFrames;
  }
  console.log(`browser vs ffmpeg pipeline:\n  ${rows.join('\n  ')}`);
  // The same hashes while pictures no other picture needs were left out (lib/fingerprint/skip-plan.ts).
  expect(skipped).toBeGreaterThan(0);
});

test('edited copies fingerprinted in the browser match the ffmpeg-built list entry', async () => {
  test.setTimeout(600_000); // list entries hash every distinct frame; media made on first run
  const listed = await fingerprintFile(samplePath('pattern-hd-no-bar'), { forList: true, mirror: false });
  const rows: string[] = [];
  for (const edit of ['hflip', 'letterbox', 'pillarbox', 'crop5', 'trim2to6', 'cut0_4', '24fps']) {
    const reply = await inBrowser(await ensureVariant('pattern-hd-no-bar', edit));
    expect(reply.ok, reply.error).toBe(true);
    const score = matchFingerprints(reply.result, listed);
    rows.push(`${edit}: q ${score.queryPct.toFixed(0)}% t ${score.targetPct.toFixed(0)}%`);
    expect(score.matched, edit).toBe(true);
  }
  const other = await fingerprintFile(samplePath('chair-orig-22-sd-bar'), { forList: true, mirror: false });
  const unrelated = await inBrowser(await ensureVariant('pattern-hd-no-bar', 'hflip'));
  expect(matchFingerprints(unrelated.result, other).matched).toBe(false);
  console.log(`browser query vs ffmpeg list entry:\n  ${rows.join('\n  ')}`);
});

test('re-posted copies (cut anywhere, excerpt, speed, rotation, meme frame, compilation, caption, logo, picture-in-picture) match in the browser as with ffmpeg', async () => {
  test.setTimeout(900_000); // list entries hash every distinct frame; media made on first run
  const rows: string[] = [];
  const cases: [string, string[]][] = [
    ['synthetic', ['cut-at-0.37s', 'excerpt-3s', 'speed+10%', 'rotate90', 'rotate270', 'meme', 'compilation', 'caption', 'logo', 'picture-in-picture', 'pip-50-corner']],
    ['camera', ['caption', 'logo', 'picture-in-picture', 'pip-50-corner']],
  ];
  for (const [kind, edits] of cases) {
    const listed = await fingerprintFile(await ensureFootage(kind), { forList: true });
    for (const edit of edits) {
      const copy = await ensureRepost(kind, edit);
      const reply = await inBrowser(copy);
      expect(reply.ok, reply.error).toBe(true);
      const inPage = matchFingerprints(reply.result, listed);
      const node = matchFingerprints(await fingerprintFile(copy, {}), listed);
      rows.push(`${kind}.${edit}: browser q ${inPage.queryPct.toFixed(0)}% ${inPage.matched ? 'MATCH' : 'no'} | ffmpeg q ${node.queryPct.toFixed(0)}% ${node.matched ? 'MATCH' : 'no'}`);
      expect(inPage.matched, `${kind}.${edit}`).toBe(true);
      expect(Math.abs(inPage.queryPct - node.queryPct), `${kind}.${edit}`).toBeLessThanOrEqual(15);
    }
  }
  console.log(`re-posts, browser vs ffmpeg query against the ffmpeg-built list entry:\n  ${rows.join('\n  ')}`);
});

test('a list entry built in the browser keeps the same distinct frames as the ffmpeg one', async () => {
  test.setTimeout(600_000); // list entries hash every distinct frame; media made on first run
  const footage = await ensureFootage('synthetic');
  const reply = await inBrowser(footage, { forList: true });
  expect(reply.ok, reply.error).toBe(true);
  const node = await fingerprintFile(footage, { forList: true });
  const browserFrames = reply.result.frames.map((f) => f.frame);
  const nodeFrames = node.frames.map((f) => f.frame);
  const common = browserFrames.filter((f) => nodeFrames.includes(f)).length;
  expect(common / nodeFrames.length).toBeGreaterThan(0.9);
  // Every frame the browser kept is found by the ffmpeg entry, and the other way round.
  expect(matchFingerprints({ frames: reply.result.frames }, { frames: node.frames }).queryPct).toBe(100);
  console.log(`browser list entry: ${browserFrames.length} frames (ffmpeg ${nodeFrames.length}, ${common} in common)`);
});

test('fragmented MP4 (init segment + fragments) and MOV give the same fingerprint', async () => {
  const dir = join(GENERATED, 'fragmented');
  mkdirSync(dir, { recursive: true });
  const remux = (name: string, kind: 'fmp4' | 'mov') => {
    const out = join(dir, `${name}.${kind}.${kind === 'mov' ? 'mov' : 'mp4'}`);
    if (!existsSync(out)) {
      const tmp = `${out}.tmp.${kind === 'mov' ? 'mov' : 'mp4'}`;
      const flags = kind === 'fmp4' ? ['-movflags', 'frag_keyframe+empty_moov+default_base_moof'] : [];
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', samplePath(name), '-c', 'copy', '-an', ...flags, tmp]);
      renameSync(tmp, out);
    }
    return out;
  };
  const rows: string[] = [];
  for (const [name, kind] of [['pattern-hd-no-bar', 'fmp4'], ['chair-orig-22-sd-bar', 'fmp4'], ['doorknob-hd-no-bar', 'mov']] as const) {
    const reply = await inBrowser(remux(name, kind), PLAIN);
    expect(reply.ok, reply.error).toBe(true);
    expect(reply.result.info.fragmented).toBe(kind === 'fmp4');
    const node = (await fingerprintFile(samplePath(name), PLAIN)).frames;
    expect(reply.result.frames.map((f) => f.frame)).toEqual(node.map((f) => f.frame));
    const d = distances(reply.result.frames, node);
    for (const x of d) expect(x).toBeLessThanOrEqual(6);
    rows.push(`${name} (${kind}): ${reply.result.frames.length} frames, max ${Math.max(...d)} bits from the ffmpeg pipeline on the original file`);
  }
  console.log(`other containers:\n  ${rows.join('\n  ')}`);
});

test('clear errors for bytes that are not a video', async () => {
  const dir = join(GENERATED, 'ffmpeg-errors');
  mkdirSync(dir, { recursive: true });
  const junk = join(dir, 'junk.mp4');
  writeFileSync(junk, Buffer.from('definitely not an mp4 file\n'.repeat(100)));
  const reply = await inBrowser(junk);
  expect(reply.ok).toBe(false);
  expect(reply.error).toMatch(/not a readable MP4|no video track/);
});
