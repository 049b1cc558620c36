/**
 * The browser pipeline leaves out pictures no other picture needs (lib/fingerprint/skip-plan.ts).
 * Checked here against ffmpeg's own `-skip_frame noref` on real files, and for what must never
 * be skipped: keyframes and the frames to hash. (That the hashes stay the same is checked in the
 * browser: tests/e2e/fingerprint-browser.spec.ts.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demux } from '../../../lib/fingerprint/browser-frames';
import { chunkTimestamp, isNonReferencePicture, planSkips } from '../../../lib/fingerprint/skip-plan';
import { frameStep } from '../../../lib/fingerprint/vpdq';
import { SAMPLES, samplePath } from './helpers/media';

/** Frames ffmpeg outputs when told to skip non-reference pictures. */
function ffmpegFramesWithoutNonRef(path: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-skip_frame', 'noref', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(out.trim().split(/[\s,]/)[0]);
}

describe('pictures left undecoded in the browser', () => {
  it('are exactly the non-reference pictures ffmpeg skips, on every sample video', () => {
    let anySkipped = 0;
    for (const s of SAMPLES) {
      const d = demux(new Uint8Array(readFileSync(samplePath(s.name))));
      const lengthSize = (d.description![4] & 3) + 1;
      const nonRef = d.samples.filter((x) => isNonReferencePicture(x.data!, lengthSize)).length;
      expect(d.samples.length - nonRef, s.name).toBe(ffmpegFramesWithoutNonRef(samplePath(s.name)));
      anySkipped += nonRef;
    }
    expect(anySkipped).toBeGreaterThan(0);
  });

  it('never a keyframe or a frame to hash; frame numbers count every frame in presentation order', () => {
    let skipped = 0;
    for (const s of SAMPLES) {
      const d = demux(new Uint8Array(readFileSync(samplePath(s.name))));
      const step = frameStep(d.fps, 1);
      const plan = planSkips(d.samples, { codec: d.track.codec, description: d.description, step, editStart: d.editStart, editEnd: d.editEnd });
      if (!plan) continue;
      skipped += plan.skipped;
      const order = d.samples.map(chunkTimestamp).filter((t) => t >= d.editStart && (d.editEnd === undefined || t < d.editEnd)).sort((a, b) => a - b);
      order.forEach((t, i) => expect(plan.indexOf.get(t)).toBe(i));
      d.samples.forEach((x, i) => {
        if (!plan.skip[i]) return;
        expect(x.is_sync).toBe(false);
        const n = plan.indexOf.get(chunkTimestamp(x));
        if (n !== undefined) expect(n % step).not.toBe(0);
      });
    }
    expect(skipped).toBeGreaterThan(0);
  });

  it('nothing is skipped when every frame is hashed, for other codecs, or without a configuration record', () => {
    const d = demux(new Uint8Array(readFileSync(samplePath(SAMPLES[0].name))));
    const o = { codec: d.track.codec, description: d.description, step: 30, editStart: d.editStart, editEnd: d.editEnd };
    expect(planSkips(d.samples, { ...o, step: 1 })).toBeUndefined();
    expect(planSkips(d.samples, { ...o, codec: 'hvc1.1.6.L93.B0' })).toBeUndefined();
    expect(planSkips(d.samples, { ...o, description: undefined })).toBeUndefined();
  });

  it('a malformed access unit counts as a reference picture (it is decoded)', () => {
    const nonRefSlice = [0, 0, 0, 3, 0x01, 0xaa, 0xbb];
    expect(isNonReferencePicture(new Uint8Array(nonRefSlice), 4)).toBe(true);
    expect(isNonReferencePicture(new Uint8Array([0, 0, 0, 3, 0x21, 0xaa, 0xbb]), 4)).toBe(false); // nal_ref_idc 1
    expect(isNonReferencePicture(new Uint8Array([0, 0, 0, 9, 0x01, 0xaa]), 4)).toBe(false); // length past the end
    expect(isNonReferencePicture(new Uint8Array([0, 0, 0, 1, 0x06]), 4)).toBe(false); // SEI only: no slice
    expect(isNonReferencePicture(new Uint8Array([0, 0, 0, 0, 0x01]), 4)).toBe(false); // zero length
    expect(isNonReferencePicture(new Uint8Array([0, 0, 0, 2, 0x81, 0]), 4)).toBe(false); // forbidden bit
    expect(isNonReferencePicture(new Uint8Array(0), 4)).toBe(false);
  });
});
