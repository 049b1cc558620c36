import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MAX_ELEMENT_FRAMES, parseElementFrames } from '../../../lib/messages';
import { Service } from '../../../lib/background/service';
import { sanitizeSettings } from '../../../lib/settings';
import type { Evidence, ListMatch } from '../../../lib/verdict';
import type { CheckJob } from '../../../lib/worker/job';

const hex = (c: string) => c.repeat(64);
const ok = { type: 'element-frames', videoId: 'v3', src: 'blob:https://example.com/8f1e2d', frames: [{ t: 0, pdq: hex('a'), quality: 87 }, { t: 1, pdq: hex('0'), quality: 12 }] };

describe('element-frames message validation', () => {
  it('accepts a well-formed report and copies only known fields', () => {
    expect(parseElementFrames({ ...ok, extra: 'ignored', frames: [{ ...ok.frames[0], verdict: 'trusted' }] })).toEqual({
      type: 'element-frames',
      videoId: 'v3',
      src: 'blob:https://example.com/8f1e2d',
      frames: [{ t: 0, pdq: hex('a'), quality: 87 }],
    });
    expect(parseElementFrames({ ...ok, frames: [], problem: 'cross-origin' })).toMatchObject({ frames: [], problem: 'cross-origin' });
  });

  it('bounds the number of frames', () => {
    const many = Array.from({ length: MAX_ELEMENT_FRAMES }, (_, t) => ({ t, pdq: hex('b'), quality: 60 }));
    expect(parseElementFrames({ ...ok, frames: many })?.frames.length).toBe(MAX_ELEMENT_FRAMES);
    expect(parseElementFrames({ ...ok, frames: [...many, { t: 999, pdq: hex('b'), quality: 60 }] })).toBeUndefined();
  });

  it('refuses bad hashes, qualities, times, ids, sources and problems', () => {
    const frame = (f: object) => ({ ...ok, frames: [{ ...ok.frames[0], ...f }] });
    const bad: unknown[] = [
      frame({ pdq: hex('A') }), // upper case is not the reference form
      frame({ pdq: hex('a').slice(1) }),
      frame({ pdq: hex('g') }),
      frame({ pdq: 123 }),
      frame({ quality: 101 }),
      frame({ quality: -1 }),
      frame({ quality: 50.5 }),
      frame({ quality: '90' }),
      frame({ t: -1 }),
      frame({ t: Number.NaN }),
      frame({ t: Infinity }),
      { ...ok, frames: [null] },
      { ...ok, frames: 'a' },
      { ...ok, videoId: 'v 3' },
      { ...ok, videoId: 'x'.repeat(33) },
      { ...ok, src: 'https://example.com/v.mp4' },
      { ...ok, src: 42 },
      { ...ok, problem: 'something else' },
      { ...ok, type: 'videos' },
      null,
      [],
    ];
    for (const b of bad) expect(parseElementFrames(b), JSON.stringify(b)?.slice(0, 120)).toBeUndefined();
  });
});

describe('Service.onElementFrames: sampled frames of a blob: video go to the lists', () => {
  const settings = sanitizeSettings({ concurrency: 2 });
  const trust = { settings: undefined, version: null };
  const setup = (matcher: (e: Evidence) => Promise<ListMatch[]>) => {
    const sent: { frameId: number; msg: any }[] = [];
    const jobs: CheckJob[] = [];
    const s = new Service(
      { sendToFrame: (_t, frameId, msg) => sent.push({ frameId, msg }), setToolbar: () => {}, startJob: (j) => jobs.push(j), cancelJob: () => {}, saveSession: async () => {}, now: () => Date.now() },
      () => settings,
      () => trust,
      matcher,
    );
    return { s, sent, jobs };
  };
  const blob = `blob:https://example.com/${Math.random().toString(16).slice(2)}`;
  const reason = 'the page plays this video from memory (a blob: address) and gives no file address to check';
  const report = { type: 'videos' as const, pageUrl: 'https://example.com/', badges: true, videos: [{ id: 'v1', ref: { kind: 'unresolvable' as const, url: blob, reason }, visible: true }] };
  const frames = [0, 1, 2].map((t) => ({ t, pdq: hex('c'), quality: 80 }));
  const listed = { list: 'l', listName: 'Known test clips', entry: 'e', label: 'pattern', kind: 'perceptual' as const, queryPct: 100, targetPct: 40 };

  it('matching frames make it listed although C2PA is unavailable, whatever the order of the worker’s answer', async () => {
    const seen: unknown[] = [];
    const { s, sent, jobs } = setup(async (e) => (seen.push(e.frames?.length), e.frames?.length ? [listed] : []));
    await s.onVideos(1, 0, report);
    expect(await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: blob, frames })).toEqual({ ok: true });
    expect(sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict.headline).toBe('listed');
    expect(sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict.fingerprint).toBe('done');
    // The worker's (quick) "unavailable" for the same key arrives afterwards: the frames stay.
    await s.onResult(jobs[0].key, 'c2pa', { source: blob, unavailable: reason, fingerprint: 'skipped' });
    expect(sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict.headline).toBe('listed');
    expect(seen.every((n) => n === 3)).toBe(true);
  });

  it('frames that match nothing leave it unavailable with the reason in words', async () => {
    const { s, sent } = setup(async () => []);
    await s.onVideos(1, 0, report);
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: blob, frames });
    const v = sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict;
    expect(v.headline).toBe('unavailable');
    expect(v.reason).toBe(reason);
    expect(v.frames.length).toBe(3);
  });

  it('refuses frames for a video the frame did not report with that blob address', async () => {
    const { s, sent } = setup(async () => [listed]);
    await s.onVideos(1, 0, report);
    const before = sent.length;
    expect(await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v2', src: blob, frames })).toEqual({ ok: false });
    expect(await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: 'blob:https://example.com/other', frames })).toEqual({ ok: false });
    expect(await s.onElementFrames(1, 5, { type: 'element-frames', videoId: 'v1', src: blob, frames })).toEqual({ ok: false });
    expect(await s.onElementFrames(2, 0, { type: 'element-frames', videoId: 'v1', src: blob, frames })).toEqual({ ok: false });
    expect(sent.length).toBe(before);
  });

  it('a cross-origin (tainted) element says so instead of showing frames', async () => {
    const { s, sent } = setup(async () => [listed]);
    await s.onVideos(1, 0, report);
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: blob, frames: [], problem: 'cross-origin' });
    const v = sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict;
    expect(v.headline).toBe('unavailable');
    expect(v.fingerprint).toBe('unavailable');
    expect(v.fingerprintNote).toMatch(/another site/);
  });
});
