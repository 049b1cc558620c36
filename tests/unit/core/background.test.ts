/** The background's queue, registry and service (with a fake platform and fake-indexeddb). */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { CheckQueue } from '../../../lib/background/queue';
import { TabRegistry } from '../../../lib/background/registry';
import { Service, type Platform, type SessionState } from '../../../lib/background/service';
import { sanitizeSettings } from '../../../lib/settings';
import type { CheckJob } from '../../../lib/worker/job';
import { getCached } from '../../../lib/background/cache';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('CheckQueue', () => {
  it('runs at most `concurrency` jobs, visible (higher priority) first, deduplicated', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const q = new CheckQueue<number>({
      concurrency: 2,
      deadlineMs: 10_000,
      run: (job) => new Promise<void>((r) => (started.push(job.key), release.set(job.key, r))),
      onFail: () => {},
    });
    q.enqueue('a', 1, 1);
    q.enqueue('b', 1, 1);
    q.enqueue('c', 1, 1);
    q.enqueue('d', 1, 2);
    expect(q.enqueue('c', 1, 1)).toBe(false);
    expect(started).toEqual(['a', 'b']);
    release.get('a')!();
    await tick();
    expect(started).toEqual(['a', 'b', 'd']);
    release.get('b')!();
    release.get('d')!();
    await tick();
    expect(started).toEqual(['a', 'b', 'd', 'c']);
    expect(q.peakRunning).toBe(2);
  });
  it('frees the slot of a check that hangs, and reports it failed', async () => {
    const failed: string[] = [];
    const q = new CheckQueue<number>({ concurrency: 1, deadlineMs: 50, run: () => new Promise(() => {}), onFail: (j, reason) => failed.push(`${j.key}: ${reason}`) });
    q.enqueue('stuck', 1);
    q.enqueue('next', 1);
    await tick(75);
    expect(failed[0]).toMatch(/^stuck: the check did not finish/);
    expect(q.size).toEqual({ waiting: 0, running: 1 }); // "next" got the freed slot
  });
});

describe('TabRegistry', () => {
  it('tracks frames, survives a snapshot, and drops a tab when its top frame navigates', () => {
    const r = new TabRegistry();
    const ref = { kind: 'url' as const, url: 'https://x/v.mp4' };
    expect(r.setFrame(1, 0, 'https://x/', true, [{ videoId: 'v1', key: 'k1', ref, visible: true }])).toEqual(['k1']);
    r.setFrame(1, 7, 'https://y/', true, [{ videoId: 'v1', key: 'k2', ref, visible: false }]);
    expect(r.placesOf('k2')).toEqual([{ tabId: 1, frameId: 7 }]);
    const back = TabRegistry.restore(JSON.parse(JSON.stringify(r.snapshot())));
    expect(back.tabVideos(1).map((v) => `${v.frameId}:${v.key}`)).toEqual(['0:k1', '7:k2']);
    back.removeFrame(1, 7);
    expect(back.tabVideos(1).length).toBe(1);
    back.removeFrame(1, 0);
    expect(back.tabVideos(1)).toEqual([]);
  });
});

function fakePlatform() {
  const sent: { tabId: number; frameId: number; msg: any }[] = [];
  const jobs: CheckJob[] = [];
  const counts = new Map<number, number>();
  let saved: SessionState | undefined;
  const platform: Platform = {
    sendToFrame: (tabId, frameId, msg) => sent.push({ tabId, frameId, msg }),
    setToolbarCount: (tabId, flagged) => counts.set(tabId, flagged),
    startJob: (job) => jobs.push(job),
    cancelJob: () => {},
    saveSession: async (s) => void (saved = s),
    now: () => Date.now(),
  };
  return { platform, sent, jobs, counts, saved: () => saved };
}

describe('Service', () => {
  const settings = sanitizeSettings({ concurrency: 2 });
  const trust = { settings: undefined, version: null };
  const report = (videos: { id: string; url: string }[]) => ({
    type: 'videos' as const,
    pageUrl: 'https://page/',
    badges: true,
    videos: videos.map((v) => ({ id: v.id, ref: { kind: 'url' as const, url: v.url }, visible: true })),
  });

  it('dedupes a video shown twice, runs one check, and pushes the verdict to every frame showing it', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => settings, () => trust);
    const url = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([{ id: 'v1', url }, { id: 'v2', url }]));
    await s.onVideos(1, 3, report([{ id: 'v1', url }]));
    expect(Object.values(ack.verdicts).map((v) => v.headline)).toEqual(['checking']);
    expect(f.jobs.length).toBe(1);
    const key = f.jobs[0].key;
    await s.onResult(key, 'c2pa', { source: url, sha256: 'aa', c2pa: { state: 'invalid', trust: 'unknown', aiGenerated: false, digitalSourceTypes: [], actions: [], codes: [], failures: [{ code: 'claimSignature.mismatch' }] }, fingerprint: 'skipped' });
    const pushed = f.sent.filter((m) => m.msg.type === 'verdict');
    expect(pushed.map((p) => `${p.frameId}:${p.msg.verdict.headline}`).sort()).toEqual(['0:credentials-invalid', '3:credentials-invalid']);
    expect(f.counts.get(1)).toBe(3); // three videos on the tab show a flagged verdict
    expect((await getCached(key, null))?.verdict.headline).toBe('credentials-invalid');
    // Another tab showing the same video gets the cached verdict at once, without a new check.
    const again = await new Service(fakePlatform().platform, () => settings, () => trust).onVideos(2, 0, report([{ id: 'v1', url }]));
    expect(Object.values(again.verdicts)[0].headline).toBe('credentials-invalid');
  });

  it('a failed or vanished check ends in "unavailable" with its reason, never stuck on checking', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => settings, () => trust);
    const url = `https://cdn/${Math.random()}.mp4`;
    await s.onVideos(1, 0, report([{ id: 'v1', url }]));
    await s.onResult(f.jobs[0].key, 'failed', { source: url, unavailable: 'the checker stopped' });
    const last = f.sent.at(-1)!.msg;
    expect(last.verdict.headline).toBe('unavailable');
    expect(last.verdict.reason).toBe('the checker stopped');
  });

  it('a check lost with its worker runs again once, then fails with the reason', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => settings, () => trust);
    const url = `https://cdn/${Math.random()}.mp4`;
    await s.onVideos(1, 0, report([{ id: 'v1', url }]));
    const key = f.jobs[0].key;
    await s.onResult(key, 'lost', { source: url, unavailable: 'the checker stopped before it finished' });
    await tick(5);
    expect(f.jobs.map((j) => j.key)).toEqual([key, key]);
    expect(f.sent.filter((m) => m.msg.type === 'verdict').length).toBe(0);
    await s.onResult(key, 'lost', { source: url, unavailable: 'the checker stopped before it finished' });
    await tick(5);
    expect(f.jobs.length).toBe(2);
    expect(f.sent.at(-1)!.msg.verdict).toMatchObject({ headline: 'unavailable', reason: 'the checker stopped before it finished' });
  });

  it('checks waiting when the service worker stopped start again after a restart', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({ concurrency: 1 }), () => trust);
    await s.onVideos(1, 0, report([{ id: 'v1', url: `https://cdn/${Math.random()}.mp4` }, { id: 'v2', url: `https://cdn/${Math.random()}.mp4` }]));
    const state = s.sessionState();
    // Both the running and the waiting check are saved: a running one may have died with the worker.
    expect(state.pending.length).toBe(2);
    const f2 = fakePlatform();
    new Service(f2.platform, () => settings, () => trust, undefined, JSON.parse(JSON.stringify(state)));
    await tick();
    expect(f2.jobs.map((j) => j.key)).toEqual(state.pending.map((p) => p.key));
  });

  it('a manual lookup resolves with the final verdict', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => settings, () => trust);
    const url = `https://cdn/${Math.random()}.mp4`;
    const p = s.lookup({ kind: 'url', url }, url);
    await tick();
    await s.onResult(f.jobs[0].key, 'c2pa', { source: url, sha256: 'bb', c2pa: { state: 'absent', trust: 'unknown', aiGenerated: false, digitalSourceTypes: [], actions: [], codes: [], failures: [] }, fingerprint: 'pending' });
    const early = vi.fn();
    void p.then(early);
    await tick();
    expect(early).not.toHaveBeenCalled();
    await s.onResult(f.jobs[0].key, 'frames', { source: url, sha256: 'bb', frames: [], fingerprint: 'done' });
    expect((await p).headline).toBe('no-credentials');
  });
});

describe('BoundedMap', () => {
  it('keeps the most recently written entries only', async () => {
    const { BoundedMap } = await import('../../../lib/background/bounded-map');
    const m = new BoundedMap<string, number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) m.set(k, v);
    m.set('a', 10); // rewritten: now the newest
    m.set('d', 4);
    expect([...m.keys()]).toEqual(['c', 'a', 'd']);
    expect(m.get('a')).toBe(10);
  });
});

describe('Service.rematchAll', () => {
  it('re-decides every known verdict once, and ends', async () => {
    const f = fakePlatform();
    let calls = 0;
    const s = new Service(f.platform, () => sanitizeSettings({}), () => ({ settings: undefined, version: null }), async () => (calls++, []));
    for (let i = 0; i < 3; i++) {
      const url = `https://cdn/${Math.random()}.mp4`;
      await s.onVideos(1, 0, { type: 'videos', pageUrl: 'https://p/', badges: true, videos: [{ id: `v${i}`, ref: { kind: 'url', url }, visible: true }] });
      await s.onResult(f.jobs[i].key, 'c2pa', { source: url, sha256: 'cc', fingerprint: 'skipped' });
    }
    calls = 0;
    await s.rematchAll();
    expect(calls).toBe(3);
  });
});
