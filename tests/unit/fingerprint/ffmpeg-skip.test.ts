/**
 * The CLI's decoder leaves out pictures nothing needs (lib/fingerprint/ffmpeg-skip.ts). Checked
 * on real files: the frames and hashes are exactly those of ffmpeg reading the whole file, the
 * pictures left out are the ones the browser pipeline leaves out, and anything it cannot plan
 * for falls back to ffmpeg reading the file itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { C2PA_FIXTURES, GENERATED } from '../../paths';
import { demux } from '../../../lib/fingerprint/browser-frames';
import { decodeSampledFrames, probeVideo } from '../../../lib/fingerprint/ffmpeg';
import { declaredSamples, planFfmpegSkips, selectExpression } from '../../../lib/fingerprint/ffmpeg-skip';
import { indexMoov } from '../../../lib/fingerprint/partial';
import { readLayout } from '../../../lib/media/layout';
import { MemorySource } from '../../../lib/media/source';
import { PdqHasher } from '../../../lib/fingerprint/pdq';
import { planSkips } from '../../../lib/fingerprint/skip-plan';
import { frameStep } from '../../../lib/fingerprint/vpdq';
import { SAMPLES, samplePath } from './helpers/media';

async function hashes(path: string, skipNonReference: boolean): Promise<string[]> {
  const hasher = new PdqHasher();
  const out: string[] = [];
  for await (const f of decodeSampledFrames(path, await probeVideo(path), { skipNonReference })) {
    out.push(`${f.frame} ${f.t.toFixed(3)} ${hasher.hashPixels(f.data, f.width, f.height, 3, { mode: 'frame' }).hash}`);
  }
  return out;
}

/** Feeds a plan into a sink; returns the pictures left out and the bytes written. */
async function feed(path: string, step: number) {
  const plan = await planFfmpegSkips(path, step);
  if (!plan) return undefined;
  const sink = new PassThrough();
  let bytes = 0;
  sink.on('data', (d: Buffer) => (bytes += d.length));
  try {
    return { plan, skipped: await plan.feed(sink), bytes };
  } finally {
    await plan.close();
  }
}

describe('ffmpeg fed only the pictures it needs', () => {
  it('gives the same frames, times and hashes as ffmpeg reading the whole file, on every sample', async () => {
    let planned = 0;
    for (const s of SAMPLES) {
      const path = samplePath(s.name);
      const info = await probeVideo(path);
      const fed = await feed(path, frameStep(info.fps, 1));
      if (fed) planned++;
      const [whole, skipping] = [await hashes(path, false), await hashes(path, true)];
      expect(skipping, s.name).toEqual(whole);
      expect(whole.length, s.name).toBeGreaterThan(0);
    }
    expect(planned).toBeGreaterThanOrEqual(6);
  }, 120_000);

  it('leaves out exactly the pictures the browser pipeline leaves out, and writes less than the file', async () => {
    let skipped = 0;
    for (const s of SAMPLES) {
      const path = samplePath(s.name);
      const d = demux(new Uint8Array(readFileSync(path)));
      const step = frameStep(d.fps, 1);
      const browser = planSkips(d.samples, { codec: d.track.codec, description: d.description, step, editStart: d.editStart, editEnd: d.editEnd });
      const fed = await feed(path, step);
      expect(fed?.skipped, s.name).toBe(browser?.skipped);
      if (!fed) continue;
      skipped += fed.skipped;
      expect(fed.plan.frames.every((n) => n % step === 0), s.name).toBe(true);
      expect(fed.bytes, s.name).toBeLessThan(readFileSync(path).length);
    }
    expect(skipped).toBeGreaterThan(0);
  }, 60_000);

  describe('falls back to ffmpeg reading the file', () => {
    const dir = join(GENERATED, 'ffmpeg-skip');
    const fragmented = join(dir, 'fragmented.mp4');
    const noBFrames = join(dir, 'no-b-frames.mp4');
    const webm = join(dir, 'clip.webm');
    const truncated = join(dir, 'truncated.mp4');
    beforeAll(() => {
      mkdirSync(dir, { recursive: true });
      const src = samplePath('chair-orig-22-sd-bar');
      const make = (out: string, args: string[]) => existsSync(out) || execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-t', '4', '-an', ...args, out]);
      make(fragmented, ['-c:v', 'copy', '-movflags', 'frag_keyframe+empty_moov']);
      make(noBFrames, ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0']);
      make(webm, ['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime']);
      const whole = readFileSync(samplePath('chair-orig-22-sd-bar'));
      writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    }, 60_000);

    it('when nothing can be left out or the file is not an MP4 it can plan for', async () => {
      expect(await planFfmpegSkips(samplePath('chair-orig-22-sd-bar'), 1), 'every frame hashed').toBeUndefined();
      for (const f of [fragmented, noBFrames, webm, truncated]) expect(await planFfmpegSkips(f, 30), f).toBeUndefined();
      // And those files still fingerprint (the truncated one as far as ffmpeg can read it).
      for (const f of [fragmented, noBFrames, webm]) expect((await hashes(f, true)).length, f).toBeGreaterThan(0);
    }, 60_000);

    it('when the edit list splices several pieces (ffmpeg numbers frames across them all)', async () => {
      // c2pa-rs's c.mov: 2 frames from media time 0, then the rest from media time 500 (of 6000/s).
      const mov = join(C2PA_FIXTURES, 'c2pa-rs__c.mov');
      expect(await planFfmpegSkips(mov, 60)).toBeUndefined();
      const [whole, skipping] = [await hashes(mov, false), await hashes(mov, true)];
      expect(skipping).toEqual(whole);
      expect(whole.length).toBe(6);
    }, 60_000);
  });

  it('reads the sample count a movie declares before its table is built (the bound on long tables)', async () => {
    // The largest of any track's (an audio track may have more): never below the video's own.
    let equal = 0;
    for (const s of SAMPLES) {
      const layout = await readLayout(new MemorySource(new Uint8Array(readFileSync(samplePath(s.name)))));
      const video = indexMoov(layout.moov!).samples.length;
      expect(declaredSamples(layout.moov!), s.name).toBeGreaterThanOrEqual(video);
      if (declaredSamples(layout.moov!) === video) equal++;
    }
    expect(equal).toBeGreaterThan(0);
  });

  it('selects by timestamp with a search tree: every value and nothing else', () => {
    const values = Array.from({ length: 37 }, (_, i) => 1000 * i + 33);
    const expr = selectExpression(values);
    // Evaluate ffmpeg's if/lt/eq/+ grammar for a value.
    const evaluate = (pts: number) => Function('pts', `const ifx=(c,a,b)=>c?a:b, lt=(a,b)=>a<b?1:0, eq=(a,b)=>a===b?1:0; return ${expr.replace(/\bif\(/g, 'ifx(')};`)(pts);
    for (const v of values) expect(evaluate(v)).toBe(1);
    for (const v of [0, 32, 34, 999, 1033 + 1, 36_034, 50_000]) expect(evaluate(v)).toBe(0);
    expect(expr.match(/if\(/g)!.length).toBeLessThan(values.length);
  });
});
