/**
 * The background's logic, free of browser globals (the entrypoint passes a Platform):
 * content reports → registry → cache or queue → worker → Evidence → Verdict → every frame
 * showing that video, the popup, and the toolbar count.
 */
import { mediaKey, refSource, type MediaRef } from '../media/ref';
import type { ContentToBackground, ElementFramesReport, TabVideo, VideosAck } from '../messages';
import { decideVerdict, FLAGGED, type Evidence, type ListMatch, type Verdict } from '../verdict';
import type { Settings } from '../settings';
import type { CheckJob } from '../worker/job';
import { getCached, getCachedEntry, putCached } from './cache';
import { CheckQueue, type Job } from './queue';
import { TabRegistry, type RegistrySnapshot } from './registry';
import { BoundedMap } from './bounded-map';
import type { TrustState } from './trust-store';

export interface Platform {
  sendToFrame(tabId: number, frameId: number, msg: unknown): void;
  setToolbarCount(tabId: number, flagged: number, total: number): void;
  /** Starts a job in the worker context; results come back through `Service.onResult`. */
  startJob(job: CheckJob): void;
  cancelJob(key: string): void;
  saveSession(data: SessionState): Promise<void>;
  /** Nothing waiting or running any more (the worker host may be closed to free memory). */
  onIdle?(): void;
  now(): number;
}

export interface SessionState {
  registry: RegistrySnapshot;
  pending: { key: string; ref: MediaRef; priority: number; source: string; uploadId?: string }[];
}

/** Matches evidence against the subscribed lists (lib/lists); none until lists are wired. */
export type ListMatcher = (e: Evidence) => Promise<ListMatch[]>;

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  wantsFrames: boolean;
}

export const JOB_DEADLINE_MS = 120_000;
/** Verdicts kept in memory; older ones come back from the IndexedDB cache. */
const MEMORY_ENTRIES = 1000;
const MAX_SAMPLED_VIDEOS = 300;
const MAX_RETRIES_AFTER_LOSS = 1;

export class Service {
  readonly registry: TabRegistry;
  private verdicts = new BoundedMap<string, Verdict>(MEMORY_ENTRIES);
  private evidence = new BoundedMap<string, Evidence>(MEMORY_ENTRIES);
  private inflight = new Map<string, Pending>();
  private lostCount = new Map<string, number>();
  private waiters = new Map<string, ((v: Verdict) => void)[]>();
  private jobs = new Map<string, { ref: MediaRef; source: string; uploadId?: string }>();
  readonly queue: CheckQueue<{ ref: MediaRef; source: string; uploadId?: string }>;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames sampled from blob: video elements, by key (see onElementFrames). */
  private sampled = new Map<string, Pick<ElementFramesReport, 'frames' | 'problem'>>();

  constructor(
    private platform: Platform,
    private settings: () => Settings,
    private trust: () => TrustState,
    private match: ListMatcher = async () => [],
    restored?: SessionState,
  ) {
    this.registry = TabRegistry.restore(restored?.registry);
    this.queue = new CheckQueue({
      concurrency: settings().concurrency,
      deadlineMs: JOB_DEADLINE_MS,
      run: (job, signal) => this.runJob(job, signal),
      onFail: (job, reason) => this.fail(job.key, job.payload.source, reason),
      onChange: (waiting, running) => {
        this.scheduleSave();
        if (!waiting.length && !running.length) platform.onIdle?.();
      },
      now: () => platform.now(),
    });
    // Checks that were waiting when the service worker stopped start again.
    for (const p of restored?.pending ?? []) this.enqueue(p.key, p.ref, p.source, p.priority, p.uploadId);
  }

  /** A content script's report of its frame's videos. */
  async onVideos(tabId: number, frameId: number, msg: ContentToBackground): Promise<VideosAck> {
    const videos = msg.videos.map((v) => ({ videoId: v.id, key: mediaKey(v.ref), ref: v.ref, visible: v.visible }));
    this.registry.setFrame(tabId, frameId, msg.pageUrl, msg.badges, videos);
    // At once, not debounced: a service worker stopped right after a report must still know the tab's videos.
    void this.platform.saveSession(this.sessionState());
    const ack: VideosAck = { keys: {}, verdicts: {}, sampleFrames: this.settings().fingerprint };
    for (const v of videos) {
      ack.keys[v.videoId] = v.key;
      const known = await this.known(v.key);
      if (known) ack.verdicts[v.key] = known;
      if (!known || known.headline === 'checking') {
        this.enqueue(v.key, v.ref, refSource(v.ref), v.visible ? 2 : 1);
        ack.verdicts[v.key] = this.verdicts.get(v.key) ?? this.checking(v.ref);
      }
    }
    this.updateToolbar(tabId);
    return ack;
  }

  onFrameGone(tabId: number, frameId: number): void {
    this.registry.removeFrame(tabId, frameId);
    this.updateToolbar(tabId);
    this.scheduleSave();
  }

  onTabClosed(tabId: number): void {
    this.registry.removeTab(tabId);
    this.scheduleSave();
  }

  async tabVideos(tabId: number): Promise<TabVideo[]> {
    const out: TabVideo[] = [];
    for (const v of this.registry.tabVideos(tabId)) {
      out.push({ frameId: v.frameId, videoId: v.videoId, key: v.key, ref: v.ref, visible: v.visible, pageUrl: v.pageUrl, verdict: await this.known(v.key) });
    }
    return out;
  }

  /** A manual lookup: checks now (ahead of the page's videos) and resolves with the final verdict. */
  lookup(ref: MediaRef, source: string, uploadId?: string): Promise<Verdict> {
    const key = mediaKey(ref);
    return new Promise<Verdict>((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
      if (uploadId) this.verdicts.delete(key);
      const done = !uploadId && this.verdicts.get(key);
      if (done && done.headline !== 'checking' && done.fingerprint !== 'pending') return this.wake(key, done);
      this.enqueue(key, ref, source, 10, uploadId);
    });
  }

  /** Forget what we know about a key and check it again. */
  recheck(key: string): void {
    const job = this.jobs.get(key);
    const v = this.verdicts.get(key);
    this.verdicts.delete(key);
    this.evidence.delete(key);
    const ref = job?.ref ?? this.registry.tabIds().flatMap((t) => this.registry.tabVideos(t)).find((x) => x.key === key)?.ref;
    if (ref) this.enqueue(key, ref, job?.source ?? v?.source ?? refSource(ref), 5);
  }

  /** What a check found for a key (for "add to my list"), from memory or the cache. */
  async evidenceFor(key: string): Promise<Evidence | undefined> {
    return this.evidence.get(key) ?? (await getCachedEntry(key).catch(() => undefined))?.evidence;
  }

  /** Lists changed: re-match every known verdict from its evidence (no new download). */
  async rematchAll(): Promise<void> {
    // A snapshot: publishing rewrites each entry, which moves it in the (bounded) map.
    for (const [key, e] of [...this.evidence]) await this.publish(key, e, false);
  }

  /** A stage result from the worker context. */
  async onResult(key: string, stage: 'c2pa' | 'frames' | 'failed' | 'lost', evidence: Evidence): Promise<void> {
    const p = this.inflight.get(key);
    if (stage === 'lost') {
      // The worker context died mid-check: run it again once, then give up with the reason.
      const attempts = (this.lostCount.get(key) ?? 0) + 1;
      this.lostCount.set(key, attempts);
      this.inflight.delete(key);
      const job = this.jobs.get(key);
      if (attempts <= MAX_RETRIES_AFTER_LOSS && job) {
        p?.resolve(); // frees the queue slot; the check is queued again below
        setTimeout(() => this.queue.enqueue(key, job, 3), 0);
        return;
      }
      stage = 'failed';
    }
    if (stage === 'failed') {
      await this.fail(key, evidence.source, evidence.unavailable ?? evidence.mediaError ?? 'the check failed');
      p?.reject(new Error(evidence.unavailable ?? 'failed'));
      return;
    }
    const final = stage === 'frames' || evidence.fingerprint !== 'pending';
    await this.publish(key, evidence, true);
    if (final) {
      this.inflight.delete(key);
      p?.resolve();
    }
  }

  // ── element frames (issue 5) ──────────────────────────────────────────────────────────
  /**
   * Frames a content script sampled from one of its blob: videos. Only accepted for a video that
   * frame registered with exactly that blob address (an unresolvable reference): the bytes stay
   * out of reach, so C2PA stays `unavailable` with its reason, and the frames go to the lists.
   */
  async onElementFrames(tabId: number, frameId: number, msg: ElementFramesReport): Promise<{ ok: boolean }> {
    const v = this.registry.tabVideos(tabId).find((x) => x.frameId === frameId && x.videoId === msg.videoId);
    if (!v || v.ref.kind !== 'unresolvable' || v.ref.url !== msg.src || !this.settings().fingerprint) return { ok: false };
    this.sampled.delete(v.key);
    this.sampled.set(v.key, { frames: msg.frames, problem: msg.problem });
    // Blob addresses are per page load: keep the latest few hundred videos' frames, not a session's worth.
    if (this.sampled.size > MAX_SAMPLED_VIDEOS) this.sampled.delete(this.sampled.keys().next().value!);
    await this.publish(v.key, { source: refSource(v.ref), unavailable: v.ref.reason }, false);
    return { ok: true };
  }

  /** An unavailable check of a sampled blob: video carries the sampled frames (whichever arrives last). */
  private withSampledFrames(key: string, e: Evidence): Evidence {
    const s = this.sampled.get(key);
    if (!s || !e.unavailable || e.frames?.length) return e;
    if (s.problem === 'cross-origin') {
      return { ...e, fingerprint: 'unavailable', fingerprintNote: 'its frames cannot be read either: the video comes from another site that does not allow it (CORS)' };
    }
    return { ...e, frames: s.frames, fingerprint: 'done' };
  }
  // ── end element frames ────────────────────────────────────────────────────────────────

  private async publish(key: string, evidence: Evidence, store: boolean): Promise<void> {
    evidence = this.withSampledFrames(key, evidence);
    let matches: ListMatch[] = [];
    if ((!evidence.unavailable && evidence.sha256) || evidence.frames?.length) {
      try {
        matches = await this.match(evidence);
      } catch {
        matches = []; // a broken list must not stop the C2PA verdict
      }
    }
    const verdict = decideVerdict({ ...evidence, matches, checkedAt: new Date(this.platform.now()).toISOString() });
    this.verdicts.set(key, verdict);
    this.evidence.set(key, evidence);
    // Show it first, store it after: the badge must not wait for IndexedDB.
    this.push(key, verdict);
    if (verdict.fingerprint !== 'pending') this.wake(key, verdict);
    if (store && verdict.headline !== 'checking') {
      await putCached({ key, verdict, evidence, storedAt: this.platform.now(), trustVersion: this.trust().version }).catch(() => {});
    }
  }

  private async fail(key: string, source: string, reason: string): Promise<void> {
    this.inflight.delete(key);
    const verdict = decideVerdict({ source, unavailable: reason, checkedAt: new Date(this.platform.now()).toISOString() });
    this.verdicts.set(key, verdict);
    this.push(key, verdict);
    this.wake(key, verdict);
  }

  private push(key: string, verdict: Verdict): void {
    const tabs = new Set<number>();
    for (const { tabId, frameId } of this.registry.placesOf(key)) {
      this.platform.sendToFrame(tabId, frameId, { type: 'verdict', key, verdict });
      tabs.add(tabId);
    }
    for (const t of tabs) this.updateToolbar(t);
  }

  private wake(key: string, v: Verdict): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) w(v);
  }

  private updateToolbar(tabId: number): void {
    const videos = this.registry.tabVideos(tabId);
    const flagged = videos.filter((v) => {
      const h = this.verdicts.get(v.key)?.headline;
      return h !== undefined && FLAGGED.has(h);
    }).length;
    this.platform.setToolbarCount(tabId, flagged, videos.length);
  }

  private async known(key: string): Promise<Verdict | undefined> {
    // Remote credentials left unfetched by the setting are read again once the user allows them.
    const stale = (v: Verdict) => v.c2pa?.remote?.status === 'not-fetched' && this.settings().remoteManifestsAnyHost;
    const mem = this.verdicts.get(key);
    if (mem && !stale(mem)) return mem;
    if (key.startsWith('file:')) return undefined;
    const hit = await getCached(key, this.trust().version, this.platform.now()).catch(() => undefined);
    if (!hit || stale(hit.verdict)) return undefined;
    this.evidence.set(key, hit.evidence);
    // Lists may have changed since it was cached: decide again from the stored evidence.
    await this.publish(key, hit.evidence, false);
    return this.verdicts.get(key);
  }

  private checking(ref: MediaRef): Verdict {
    return decideVerdict({ source: refSource(ref), checking: true, checkedAt: new Date(this.platform.now()).toISOString() });
  }

  private enqueue(key: string, ref: MediaRef, source: string, priority: number, uploadId?: string): void {
    this.jobs.set(key, { ref, source, uploadId });
    if (!this.verdicts.has(key)) this.verdicts.set(key, this.checking(ref));
    this.queue.enqueue(key, { ref, source, uploadId }, priority);
  }

  private runJob(job: Job<{ ref: MediaRef; source: string; uploadId?: string }>, signal: AbortSignal): Promise<void> {
    const s = this.settings();
    const wantsFrames = s.fingerprint;
    return new Promise<void>((resolve, reject) => {
      this.inflight.set(job.key, { resolve, reject, wantsFrames });
      signal.addEventListener('abort', () => this.platform.cancelJob(job.key), { once: true });
      this.platform.startJob({
        key: job.key,
        ref: job.payload.ref,
        source: job.payload.source,
        maxBytes: s.maxBytes,
        trustVersion: this.trust().version,
        fingerprint: wantsFrames,
        uploadId: job.payload.uploadId,
      });
    });
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.platform.saveSession(this.sessionState());
    }, 200);
  }

  sessionState(): SessionState {
    const pending = [...this.jobs.entries()]
      .filter(([key]) => this.queue.has(key))
      .map(([key, j]) => ({ key, ref: j.ref, source: j.source, priority: 1, uploadId: j.uploadId }));
    return { registry: this.registry.snapshot(), pending };
  }
}
