import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED, PDQ_FIXTURES } from '../../paths';
import { decodeSampledFrames, fingerprintBytes, fingerprintFile, probeVideo } from '../../../lib/fingerprint/ffmpeg';
import { parseVpdq } from '../../../lib/fingerprint/vpdq';
import { hammingHex } from '../../../lib/fingerprint/hash256';
import type { FrameHash } from '../../../lib/verdict';
import { SAMPLES, samplePath } from './helpers/media';

const HASHES = join(PDQ_FIXTURES, 'vpdq-hashes');
const PLAIN = { borders: false, mirror: false } as const;
const reference = (dir: string, file: string) => parseVpdq(readFileSync(join(HASHES, dir, file), 'utf8'), file);

/** Per-frame comparison by frame number; returns the distances of frames usable on both sides. */
function compare(ours: FrameHash[], ref: FrameHash[], minQuality = 50) {
  const byFrame = new Map(ours.map((f) => [f.frame, f]));
  const rows: { frame: number; d: number; quality: number }[] = [];
  for (const r of ref) {
    const o = byFrame.get(r.frame);
    if (!o) continue;
    if (r.quality >= minQuality && o.quality >= minQuality) rows.push({ frame: r.frame!, d: hammingHex(o.pdq, r.pdq), quality: Math.min(o.quality, r.quality) });
  }
  return rows;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

describe('ffmpeg pipeline vs vpdq-hash-video references', () => {
  const ours = new Map<string, FrameHash[]>();
  beforeAll(async () => {
    for (const s of SAMPLES) ours.set(s.name, (await fingerprintFile(samplePath(s.name), PLAIN)).frames);
  }, 120_000);

  it('same frames, timestamps and qualities as the local ffmpeg 5.1 build (1 hash/s), hashes within 4 bits', () => {
    const report: string[] = [];
    for (const s of SAMPLES) {
      const ref = reference('local-ffmpeg5.1', `${s.name}.r1.s0.txt`);
      const got = ours.get(s.name)!;
      expect(got.map((f) => f.frame), s.name).toEqual(ref.map((f) => f.frame));
      expect(got.map((f) => f.t.toFixed(3)), s.name).toEqual(ref.map((f) => f.t.toFixed(3)));
      got.forEach((f, i) => expect(Math.abs(f.quality - ref[i].quality), `${s.name} frame ${f.frame}`).toBeLessThanOrEqual(2));
      const rows = compare(got, ref);
      for (const r of rows) expect(r.d, `${s.name} frame ${r.frame}`).toBeLessThanOrEqual(4);
      report.push(`${s.name}: ${got.filter((f, i) => f.pdq === ref[i].pdq).length}/${ref.length} identical, max ${Math.max(0, ...rows.map((r) => r.d))} bits`);
    }
    console.log(`vs local-ffmpeg5.1 r1:\n  ${report.join('\n  ')}`);
  });

  it('close to the upstream sample hashes (another ffmpeg build), frame by frame', () => {
    // Different ffmpeg builds decode a little differently (SOURCES.md: up to 6 bits on most
    // videos; doorknob's mid-quality frames up to 22 bits between the two reference sets).
    const report: string[] = [];
    for (const s of SAMPLES) {
      const rows = compare(ours.get(s.name)!, reference('upstream', `${s.name}.txt`));
      expect(rows.length, s.name).toBeGreaterThan(0);
      for (const r of rows) expect(r.d, `${s.name} frame ${r.frame} (q ${r.quality})`).toBeLessThanOrEqual(r.quality >= 80 ? 8 : 24);
      expect(median(rows.map((r) => r.d)), s.name).toBeLessThanOrEqual(4);
      report.push(`${s.name}: ${rows.length} frames, median ${median(rows.map((r) => r.d))}, max ${Math.max(...rows.map((r) => r.d))} bits`);
    }
    console.log(`vs upstream:\n  ${report.join('\n  ')}`);
  });

  it('every frame with --seconds-per-hash 0 (doorknob, 120 frames)', async () => {
    const got = (await fingerprintFile(samplePath('doorknob-hd-no-bar'), { ...PLAIN, secondsPerHash: 0 })).frames;
    const ref = reference('local-ffmpeg5.1', 'doorknob-hd-no-bar.r0.s0.txt');
    expect(got.map((f) => f.frame)).toEqual(ref.map((f) => f.frame));
    for (const r of compare(got, ref)) expect(r.d).toBeLessThanOrEqual(4);
  });

  it('re-encoded copies too (reference files of videos/reencoded)', async () => {
    for (const name of ['pattern-hd-no-bar.480p-crf35', 'pattern-hd-no-bar.pillarbox169-crf30']) {
      const got = (await fingerprintFile(join(PDQ_FIXTURES, 'videos/reencoded', `${name}.mp4`), PLAIN)).frames;
      const rows = compare(got, reference('reencoded', `${name}.r1.s0.txt`));
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.d, name).toBeLessThanOrEqual(4);
    }
  });
});

describe('ffmpeg pipeline behaviour', () => {
  it('probes size, frame rate and duration', async () => {
    const info = await probeVideo(samplePath('pattern-hd-no-bar'));
    expect(info).toMatchObject({ width: 720, height: 1280, fps: 30, codec: 'h264' });
    expect(info.duration).toBeCloseTo(6.87, 1);
  });

  it('the robust default keeps the vPDQ hashes and only adds alternates (and lowers quality of barred flat frames)', async () => {
    const plain = await fingerprintFile(samplePath('chair-orig-22-sd-bar'), PLAIN);
    const robust = await fingerprintFile(samplePath('chair-orig-22-sd-bar'));
    expect(robust.frames.map((f) => f.pdq)).toEqual(plain.frames.map((f) => f.pdq));
    robust.frames.forEach((f, i) => expect(f.quality).toBeLessThanOrEqual(plain.frames[i].quality));
    const why = new Set(robust.alternates?.map((a) => a.why));
    // chair has side bars; the query side also carries the turned frames, the middle band (of the
    // bar-free content and of the whole frame), the moving region when it differs from the
    // bar-free one, and picture-in-picture insets when four sharp sides outline one (none here).
    for (const w of ['mirror', 'borders', 'borders-mirror', 'rotate90', 'rotate180', 'rotate270', 'band', 'frame-band']) expect(why).toContain(w);
    expect(why).not.toContain('inset');
    const allowed = /^(borders-)?(mirror|rotate(90|180|270))$|^borders$|^moving(-mirror)?$|^(frame-)?band(-mirror)?$|^inset(-mirror)?$/;
    for (const w of why) expect(w).toMatch(allowed);
    expect(robust.alternates!.every((a) => a.of >= 0 && a.of < robust.frames.length)).toBe(true);
    const list = await fingerprintFile(samplePath('chair-orig-22-sd-bar'), { forList: true, mirror: false });
    expect([...new Set(list.alternates?.map((a) => a.why))].filter((w) => w?.startsWith('crop-')).length).toBeGreaterThanOrEqual(10);
    // A listed video keeps its distinct frames, vPDQ's own among them with the same hashes.
    expect(list.frames.length).toBeGreaterThan(5 * plain.frames.length);
    const listed = new Map(list.frames.map((f) => [f.frame, f.pdq]));
    for (const f of plain.frames) expect(listed.get(f.frame)).toBe(f.pdq);
  }, 180_000); // three passes over 22 s of video, one of them hashing every distinct frame

  it('streams one reused frame buffer (bounded memory)', async () => {
    const path = samplePath('doorknob-hd-no-bar');
    const seen = new Set<Uint8Array>();
    let n = 0;
    for await (const f of decodeSampledFrames(path, await probeVideo(path))) {
      seen.add(f.data);
      n++;
    }
    expect(n).toBe(4);
    expect(seen.size).toBe(1);
  });

  it('fingerprints bytes the same as the file', async () => {
    const path = samplePath('doorknob-hd-no-bar');
    const a = await fingerprintFile(path);
    const b = await fingerprintBytes(new Uint8Array(readFileSync(path)), { name: 'clip.mp4' });
    expect(b.frames).toEqual(a.frames);
    expect(b.alternates).toEqual(a.alternates);
  });

  describe('clear errors', () => {
    const dir = join(GENERATED, 'ffmpeg-errors');
    beforeAll(() => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'not-a-video.mp4'), Buffer.from('this is not a video, just some text\n'.repeat(50)));
      const audio = join(dir, 'audio-only.m4a');
      if (!existsSync(audio)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', audio]);
    });

    it('missing file', async () => {
      await expect(fingerprintFile(join(dir, 'nope.mp4'))).rejects.toThrow(/no such file/);
    });
    it('not a video', async () => {
      await expect(fingerprintFile(join(dir, 'not-a-video.mp4'))).rejects.toThrow(/not a readable video/);
    });
    it('no video stream', async () => {
      await expect(fingerprintFile(join(dir, 'audio-only.m4a'))).rejects.toThrow(/no video stream/);
    });
    it('ffmpeg missing', async () => {
      await expect(fingerprintFile(samplePath('doorknob-hd-no-bar'), { ffprobePath: '/nonexistent/ffprobe' })).rejects.toThrow(/not found.*install ffmpeg/);
      await expect(fingerprintFile(samplePath('doorknob-hd-no-bar'), { ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toThrow(/not found.*install ffmpeg/);
    });
    it('time limit', async () => {
      const path = samplePath('chair-orig-22-sd-bar');
      const info = await probeVideo(path);
      const frames = decodeSampledFrames(path, info, { timeoutMs: 30 });
      await expect((async () => {
        for await (const _ of frames) await new Promise((r) => setTimeout(r, 20));
      })()).rejects.toThrow(/took longer than/);
    });
    it('empty bytes', async () => {
      await expect(fingerprintBytes(new Uint8Array(0))).rejects.toThrow(/no bytes/);
    });
  });
});
