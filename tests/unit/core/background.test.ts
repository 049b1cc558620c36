/** The background's queue, registry and service (with a fake platform and fake-indexeddb). */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { CheckQueue } from '../../../lib/background/queue';
import { TabRegistry } from '../../../lib/background/registry';
import { Service, type Platform, type SessionState } from '../../../lib/background/service';
import { sanitizeSettings } from '../../../lib/settings';
import type { CheckJob } from '../../../lib/worker/job';
import { getCached } from '../../../lib/background/cache';
import { FLAGGED, type Evidence, type Headline } from '../../../lib/verdict';

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
    r.setFrame(1, 7, 'https://y/', false, [{ videoId: 'v1', key: 'k2', ref, visible: false }]);
    expect(r.placesOf('k2')).toEqual([{ tabId: 1, frameId: 7 }]);
    const back = TabRegistry.restore(JSON.parse(JSON.stringify(r.snapshot())));
    expect(back.tabVideos(1).map((v) => `${v.frameId}:${v.key}`)).toEqual(['0:k1', '7:k2']);
    // The frame whose page opts out of injected UI says so to the popup.
    expect(back.tabVideos(1).map((v) => v.pageAllowsBadges)).toEqual([true, false]);
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
  const toolbar = new Map<number, Headline[]>();
  let saved: SessionState | undefined;
  const platform: Platform = {
    sendToFrame: (tabId, frameId, msg) => sent.push({ tabId, frameId, msg }),
    setToolbar: (tabId, headlines) => {
      counts.set(tabId, headlines.filter((h) => FLAGGED.has(h)).length);
      toolbar.set(tabId, headlines);
    },
    startJob: (job) => jobs.push(job),
    cancelJob: () => {},
    saveSession: async (s) => void (saved = s),
    now: () => Date.now(),
  };
  return { platform, sent, jobs, counts, toolbar, saved: () => saved };
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
    const last = f.sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg;
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
    expect(f.sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict).toMatchObject({ headline: 'unavailable', reason: 'the checker stopped before it finished' });
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

  it('a burst of reports saves the session at once, then once more with the last state a second later, not once per report', async () => {
    const f = fakePlatform();
    const writes: SessionState[] = [];
    let clock = 1_000_000;
    f.platform.now = () => clock;
    f.platform.saveSession = async (st) => void writes.push(JSON.parse(JSON.stringify(st)));
    const s = new Service(f.platform, () => settings, () => trust);
    const urls = Array.from({ length: 30 }, () => `https://cdn/${Math.random()}.mp4`);
    for (let n = 1; n <= urls.length; n++) {
      await s.onVideos(1, 0, report(urls.slice(0, n).map((url, i) => ({ id: `v${i}`, url }))));
      clock += 10;
    }
    // The first report is saved at once: a service worker stopped right after it still knows the tab's videos.
    expect(writes.length).toBe(1);
    expect(writes[0].registry['1']['0'].videos).toHaveLength(1);
    clock += 1000;
    await tick(1000);
    expect(writes.length).toBe(2);
    expect(writes[1].registry['1']['0'].videos).toHaveLength(30);
    // Nothing changed since: nothing more is written.
    await tick(1100);
    expect(writes.length).toBe(2);
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

describe('cost follows attention (issue 9)', () => {
  const trust = { settings: undefined, version: null };
  const video = (id: string, url: string, o: { visible?: boolean; played?: boolean; playing?: boolean; readable?: boolean } = {}) => ({
    id,
    ref: { kind: 'url' as const, url },
    visible: o.visible ?? true,
    played: o.played ?? false,
    playing: o.playing ?? false,
    readable: o.readable ?? false,
  });
  const report = (videos: ReturnType<typeof video>[], saveData = false) => ({ type: 'videos' as const, pageUrl: 'https://page/', badges: true, saveData, videos });

  it('a video that leaves the page cancels its check at once; a closed tab cancels all of its checks', async () => {
    const f = fakePlatform();
    const cancelled: string[] = [];
    f.platform.cancelJob = (k) => cancelled.push(k);
    const s = new Service(f.platform, () => sanitizeSettings({ concurrency: 2 }), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const b = `https://cdn/${Math.random()}.mp4`;
    await s.onVideos(1, 0, report([video('v1', a), video('v2', b)]));
    expect(f.jobs.length).toBe(2);
    await s.onVideos(1, 0, report([video('v2', b)])); // v1 removed from the page
    expect(cancelled).toEqual([f.jobs[0].key]);
    await tick();
    expect(s.queue.size.running).toBe(1);
    // What the worker still sends for the cancelled check is dropped, and nothing is cached.
    await s.onResult(f.jobs[0].key, 'c2pa', { source: a, unavailable: 'the check was cancelled', fingerprint: 'skipped' });
    expect(f.sent.filter((m) => m.msg.key === f.jobs[0].key && m.msg.type === 'verdict')).toEqual([]);
    s.onTabClosed(1);
    expect(cancelled).toEqual([f.jobs[0].key, f.jobs[1].key]);
    await tick();
    expect(s.queue.size).toEqual({ waiting: 0, running: 0 });
    // Back on a page: checked afresh.
    await s.onVideos(2, 0, report([video('v1', a)]));
    expect(f.jobs.at(-1)!.key).toBe(f.jobs[0].key);
  });

  it('the data-use setting: "played" checks only played videos; Data Saver narrows "visible" the same way; a press checks', async () => {
    for (const [mode, saveData] of [['played', false], ['visible', true]] as const) {
      const f = fakePlatform();
      const s = new Service(f.platform, () => sanitizeSettings({ checkMode: mode }), () => trust);
      const a = `https://cdn/${Math.random()}.mp4`;
      const b = `https://cdn/${Math.random()}.mp4`;
      const ack = await s.onVideos(1, 0, report([video('v1', a), video('v2', b, { played: true, playing: true })], saveData));
      expect(f.jobs.map((j) => j.ref)).toEqual([{ kind: 'url', url: b }]);
      const first = ack.verdicts[ack.keys.v1];
      expect(first.headline).toBe('not-checked');
      expect(first.reason).toMatch(saveData ? /Data Saver/ : /only videos you play/);
      expect(s.onCheckVideo(1, 0, 'v1')).toEqual({ ok: true });
      expect(f.jobs.map((j) => j.ref)).toEqual([{ kind: 'url', url: b }, { kind: 'url', url: a }]);
    }
  });

  it('"manual" checks nothing until asked; "visible" leaves videos far off screen alone', async () => {
    const f = fakePlatform();
    let mode: 'manual' | 'visible' = 'manual';
    const s = new Service(f.platform, () => sanitizeSettings({ checkMode: mode }), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([video('v1', a, { played: true })]));
    expect(f.jobs).toEqual([]);
    expect(ack.verdicts[ack.keys.v1].reason).toMatch(/only when you ask/);
    mode = 'visible';
    const far = `https://cdn/${Math.random()}.mp4`;
    const ack2 = await s.onVideos(1, 0, report([video('v1', a, { played: true }), video('v2', far, { visible: false })]));
    expect(f.jobs.map((j) => j.ref)).toEqual([{ kind: 'url', url: a }]);
    expect(ack2.verdicts[ack2.keys.v2].reason).toMatch(/not been on screen/);
  });

  it('a playing video with readable frames still has its file frames fetched: they are what its picture is bound to', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([video('v1', a, { played: true, playing: true, readable: true })]));
    expect(f.jobs[0].fingerprint).toBe(true);
    const key = ack.keys.v1;
    const frames = Array.from({ length: 4 }, (_, i) => ({ t: i, pdq: 'ab'.repeat(32), quality: 90 }));
    // Frames for another key, or a video of another frame, are refused.
    expect(await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key: 'url:https://elsewhere/x.mp4', frames })).toEqual({ ok: false });
    expect(await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames })).toEqual({ ok: true });
    await s.onResult(key, 'c2pa', { ...validEvidence(a), frames, fingerprint: 'done', basis: { file: 'part', bytesRead: 900_000, size: 190_000_000, frames: { from: 'file', mode: 'prefix', seconds: 4, count: 4 } } });
    const v = f.sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict;
    expect(v.headline).toBe('credentials-valid');
    expect(f.sent.filter((m) => m.msg.type === 'pictures').at(-1)!.msg.pictures.v1.state).toBe('confirmed');
    expect((await s.tabVideos(1))[0].verdict!.headline).toBe('credentials-valid');
  });
  it('a download that stalled or was cut is shown with its reason but never cached', async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([video('v1', a)]));
    await s.onResult(ack.keys.v1, 'c2pa', { source: a, unavailable: 'the server stopped sending', transient: true, fingerprint: 'skipped' });
    expect(f.sent.filter((m) => m.msg.type === 'verdict').at(-1)!.msg.verdict.headline).toBe('unavailable');
    expect(await getCached(ack.keys.v1, null)).toBeUndefined();
    expect(s.onCheckVideo(1, 0, 'v1')).toEqual({ ok: true }); // "Try again"
  });
});

function validEvidence(source: string): Evidence {
  return {
    source,
    c2pa: { state: 'valid', trust: 'untrusted', signer: 'A signer', aiGenerated: false, digitalSourceTypes: [], actions: [], codes: [], failures: [] },
    fingerprint: 'pending',
  };
}

describe('the verdict is bound to what plays (issue 10)', () => {
  const H = 'ab'.repeat(32);
  const OTHER = '54'.repeat(32); // every bit flipped: another picture
  const fileFrames = [0, 1, 2, 3].map((t) => ({ t, pdq: H, quality: 90 }));

  async function signedOnPage(opts: Partial<Record<'readable' | 'covered', boolean>> = {}) {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([{ ...video('v1', a), readable: opts.readable ?? true, covered: opts.covered ?? false }]));
    await s.onResult(ack.keys.v1, 'frames', { ...validEvidence(a), frames: fileFrames, fingerprint: 'done' });
    return { f, s, a, key: ack.keys.v1 };
  }
  const shown = async (s: Service) => (await s.tabVideos(1))[0].verdict!;
  const trust = { settings: undefined, version: null };
  const video = (id: string, url: string) => ({ id, ref: { kind: 'url' as const, url }, visible: true, played: false, playing: false });
  const report = (videos: (ReturnType<typeof video> & { readable: boolean; covered: boolean })[]) => ({ type: 'videos' as const, pageUrl: 'https://page/', badges: true, videos });

  it('a signed file is not shown as Signed before the picture was compared (a poster, preload=none)', async () => {
    const { s, f } = await signedOnPage();
    const v = await shown(s);
    expect(v.headline).toBe('unconfirmed');
    expect(v.fileHeadline).toBe('credentials-valid');
    expect(v.summary).toMatch(/Not confirmed yet: the video has shown no frame yet/);
    expect(f.toolbar.get(1)).toEqual(['unconfirmed']);
  });

  it('frames of the element that match the file confirm it', async () => {
    const { s, a, key } = await signedOnPage();
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames: [{ t: 0, pdq: H, quality: 90 }] });
    expect((await shown(s)).headline).toBe('credentials-valid');
  });

  it('server cloaking: the player shows another video than the file the extension was given → Mismatch, flagged in the toolbar', async () => {
    const { s, f, a, key } = await signedOnPage();
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames: [{ t: 0, pdq: OTHER, quality: 90 }] });
    const v = await shown(s);
    expect(v.headline).toBe('picture-mismatch');
    expect(v.summary).toMatch(/not the file that was checked/);
    expect(f.counts.get(1)).toBe(1);
    expect(f.toolbar.get(1)).toEqual(['picture-mismatch']);
  });

  it('a bound picture follows each change it rests on: frames shown, covering, the file checked again', async () => {
    const { s, f, a, key } = await signedOnPage();
    const frames = (pdq: string) => s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames: [{ t: 0, pdq, quality: 90 }] });
    await frames(H);
    expect((await shown(s)).headline).toBe('credentials-valid');
    await frames(OTHER);
    expect((await shown(s)).headline).toBe('picture-mismatch');
    expect(f.toolbar.get(1)).toEqual(['picture-mismatch']);
    await frames(H);
    expect((await shown(s)).headline).toBe('credentials-valid');
    await s.onVideos(1, 0, report([{ ...video('v1', a), readable: true, covered: true }]));
    expect((await shown(s)).picture?.state).toBe('covered');
    await s.onVideos(1, 0, report([{ ...video('v1', a), readable: true, covered: false }]));
    expect((await shown(s)).headline).toBe('credentials-valid');
    // The file checked again shows other frames: the same element's picture no longer matches it.
    await s.onResult(key, 'frames', { ...validEvidence(a), frames: fileFrames.map((x) => ({ ...x, pdq: OTHER })), fingerprint: 'done' });
    expect((await shown(s)).headline).toBe('picture-mismatch');
  });

  it("the file's first frame (sent ahead of the rest) confirms a picture early, but cannot contradict one", async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([{ ...video('v1', a), readable: true, covered: false }, { ...video('v2', a + '?other'), readable: true, covered: false }]));
    for (const id of ['v1', 'v2'] as const) {
      const key = ack.keys[id];
      const src = id === 'v1' ? a : a + '?other';
      await s.onResult(key, 'c2pa', validEvidence(src));
      await s.onResult(key, 'preview', { ...validEvidence(src), frames: [{ t: 0, pdq: H, quality: 90 }] });
      await s.onElementFrames(1, 0, { type: 'element-frames', videoId: id, src, key, frames: [{ t: id === 'v1' ? 0 : 2, pdq: id === 'v1' ? H : OTHER, quality: 90 }] });
    }
    let [v1, v2] = (await s.tabVideos(1)).map((x) => x.verdict!);
    expect(v1.headline).toBe('credentials-valid');
    // A frame unlike the first one may simply be a later frame: not a mismatch until all frames are in.
    expect(v2.headline).toBe('unconfirmed');
    expect(v2.summary).toMatch(/not been compared with all the checked frames yet/);
    await s.onResult(ack.keys.v2, 'frames', { ...validEvidence(a + '?other'), frames: fileFrames, fingerprint: 'done' });
    [v1, v2] = (await s.tabVideos(1)).map((x) => x.verdict!);
    expect(v2.headline).toBe('picture-mismatch');
    // A preview outside a running check (a late or forged message) is ignored.
    await s.onResult('url:https://elsewhere/x.mp4', 'preview', { ...validEvidence('https://elsewhere/x.mp4'), frames: [{ t: 0, pdq: H, quality: 90 }] });
    expect((await s.tabVideos(1)).length).toBe(2);
  });

  it('a picture confirmed by the first frame stays confirmed while the whole fingerprint is matched against the lists', async () => {
    // The frames stage is published after list matching (async): the popup asked meanwhile must not
    // see the picture fall back to "not confirmed" (CI saw it once: the preview was dropped first).
    const f = fakePlatform();
    let release!: () => void;
    const matching = new Promise<void>((r) => (release = r));
    let asked = 0;
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust, async () => (asked++ ? (await matching, []) : []));
    const a = `https://cdn/${Math.random()}.mp4`;
    const ack = await s.onVideos(1, 0, report([{ ...video('v1', a), readable: true, covered: false }]));
    const key = ack.keys.v1;
    await s.onResult(key, 'c2pa', validEvidence(a));
    await s.onResult(key, 'preview', { ...validEvidence(a), frames: [{ t: 0, pdq: H, quality: 90 }] });
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames: [{ t: 0, pdq: H, quality: 90 }] });
    expect((await s.tabVideos(1))[0].verdict!.headline).toBe('credentials-valid');
    const framesDone = s.onResult(key, 'frames', { ...validEvidence(a), frames: fileFrames, fingerprint: 'done' });
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toBeGreaterThan(1); // the lists are being asked about the whole fingerprint now
    expect((await s.tabVideos(1))[0].verdict!.headline).toBe('credentials-valid');
    release();
    await framesDone;
    expect((await s.tabVideos(1))[0].verdict!.headline).toBe('credentials-valid');
  });

  it("an element's frames are answered with its own picture only (whole-frame answers made a 40-video page exchange 1,000 messages)", async () => {
    const f = fakePlatform();
    const s = new Service(f.platform, () => sanitizeSettings({}), () => trust);
    const a = `https://cdn/${Math.random()}.mp4`;
    const videos = Array.from({ length: 40 }, (_, i) => ({ ...video(`v${i}`, `${a}?${i}`), readable: true, covered: false }));
    const ack = await s.onVideos(1, 0, report(videos));
    const before = f.sent.length;
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v7', src: `${a}?7`, key: ack.keys.v7, frames: [{ t: 0, pdq: H, quality: 90 }] });
    const answers = f.sent.slice(before).filter((m) => m.msg.type === 'pictures');
    expect(answers.length).toBe(1);
    expect(Object.keys(answers[0].msg.pictures)).toEqual(['v7']);
    expect(answers[0].msg.pictures.v7.seen).toBe(1);
  });

  it('a covered video does not vouch for its cover', async () => {
    const { s, a, key } = await signedOnPage({ covered: true });
    await s.onElementFrames(1, 0, { type: 'element-frames', videoId: 'v1', src: a, key, frames: [{ t: 0, pdq: H, quality: 90 }] });
    const v = await shown(s);
    expect(v.headline).toBe('unconfirmed');
    expect(v.picture?.state).toBe('covered');
  });

  it('frames that cannot be read (another site without CORS) keep the headline and say the match is unconfirmed', async () => {
    const { s } = await signedOnPage({ readable: false });
    const v = await shown(s);
    expect(v.headline).toBe('credentials-valid');
    expect(v.summary).toMatch(/match between this file and the picture shown is unconfirmed/);
  });
});

describe('fair queue', () => {
  it('a new tab gets a slot at once while another tab holds every normal slot', async () => {
    const started: string[] = [];
    const q = new CheckQueue<number>({ concurrency: 2, deadlineMs: 10_000, run: (job) => new Promise<void>(() => started.push(job.key)), onFail: () => {} });
    for (let i = 0; i < 10; i++) q.enqueue(`decoy${i}`, 1, 2, 1);
    expect(started).toEqual(['decoy0', 'decoy1']);
    q.enqueue('real', 1, 1, 2); // another tab, even at a lower priority
    expect(started).toEqual(['decoy0', 'decoy1', 'real']);
    q.enqueue('real2', 1, 2, 2); // that tab already has one running: it waits its turn
    q.enqueue('third', 1, 1, 3);
    expect(started).toEqual(['decoy0', 'decoy1', 'real', 'third']);
    q.enqueue('fourth', 1, 1, 4);
    expect(started.length).toBe(4); // never more than concurrency + FAIR_EXTRA
  });
  it('among equal priorities the least-served tab goes first', async () => {
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const q = new CheckQueue<number>({ concurrency: 1, deadlineMs: 10_000, run: (job) => new Promise<void>((r) => (started.push(job.key), release.set(job.key, r))), onFail: () => {} });
    q.enqueue('a1', 1, 1, 1);
    q.enqueue('a2', 1, 1, 1);
    q.enqueue('a3', 1, 1, 1);
    q.enqueue('b1', 1, 1, 2); // b1 starts at once in a fair slot
    release.get('a1')!();
    await tick();
    release.get('b1')!();
    await tick();
    expect(started.slice(0, 3)).toEqual(['a1', 'b1', 'a2']);
  });
  it("per-origin shares: a frame of another site inside a page whose own videos trickle is checked at once", async () => {
    const started: string[] = [];
    const q = new CheckQueue<number>({ concurrency: 2, deadlineMs: 10_000, run: (job) => new Promise<void>(() => started.push(job.key)), onFail: () => {} });
    for (let i = 0; i < 10; i++) q.enqueue(`decoy${i}`, 1, 2, 1, 'https://hostile.example');
    q.enqueue('embedded', 1, 2, 1, 'https://news.example'); // same tab, another origin
    expect(started).toEqual(['decoy0', 'decoy1', 'embedded']);
    q.enqueue('decoy-more', 1, 5, 1, 'https://hostile.example'); // its origin holds slots already: waits
    expect(started.length).toBe(3);
  });
});
