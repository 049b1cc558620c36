/**
 * The background's logic, free of browser globals (the entrypoint passes a Platform):
 * content reports → registry → cache or queue → worker → Evidence → Verdict → every frame
 * showing that video, the popup, and the toolbar count.
 */
import { refSource, type MediaRef } from '../media/ref';
import { contentKey } from '../sites/content-key';
import type { ContentToBackground, ElementFramesReport, TabVideo, VideosAck } from '../messages';
import { boundVerdict, COVERED_PICTURE, decideVerdict, type Evidence, type FrameHash, type Headline, type ListMatch, type PictureBinding, type Verdict } from '../verdict';
import { comparePicture, type ElementFrameHash } from '../picture';
import type { Settings } from '../settings';
import type { CheckJob, CheckStage } from '../worker/job';
import { getCached, getCachedEntry, putCached } from './cache';
import { CheckQueue, type Job } from './queue';
import { TabRegistry, type RegistrySnapshot } from './registry';
import { BoundedMap } from './bounded-map';
import type { TrustState } from './trust-store';

export interface Platform {
  sendToFrame(tabId: number, frameId: number, msg: unknown): void;
  /** The toolbar icon for a tab: the verdicts its videos show (lib/present.ts toolbarSummary). */
  setToolbar(tabId: number, headlines: Headline[]): void;
  /** Starts a job in the worker context; results come back through `Service.onResult`. */
  startJob(job: CheckJob): void;
  cancelJob(key: string): void;
  /** The first video to check was seen: start the worker context now, not when its check begins. */
  warm?(): void;
  saveSession(data: SessionState): Promise<void>;
  /** Nothing waiting or running any more (the worker host may be closed to free memory). */
  onIdle?(): void;
  now(): number;
}

export interface SessionState {
  registry: RegistrySnapshot;
  pending: { key: string; ref: MediaRef; priority: number; source: string; uploadId?: string; tabId?: number; origin?: string }[];
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
/**
 * Least time between two session saves. Checking a page of 100 videos saved 115 times in 40 s
 * (mostly the queue changing as checks started and ended, 200 ms apart), each the whole state
 * (46 KB). The extension's memory peak on that page was 172–177 MiB saving like that, 168–170
 * with this interval, 160–166 never saving (Chromium 156, interleaved runs). It also bounds what
 * a page that keeps changing its videos can make the background write. A stop within this time
 * of a save can miss the last changes; a frame whose videos still wait reports them again every 5 s.
 */
const SAVE_INTERVAL_MS = 1000;

export class Service {
  readonly registry: TabRegistry;
  private verdicts = new BoundedMap<string, Verdict>(MEMORY_ENTRIES);
  private evidence = new BoundedMap<string, Evidence>(MEMORY_ENTRIES);
  private inflight = new Map<string, Pending>();
  private lostCount = new Map<string, number>();
  private waiters = new Map<string, ((v: Verdict) => void)[]>();
  /** What each check is about, and who asked (its tab and page origin: its share of the queue, kept across restarts). */
  private jobs = new Map<string, { ref: MediaRef; source: string; uploadId?: string; tabId?: number; origin?: string }>();
  readonly queue: CheckQueue<{ ref: MediaRef; source: string; uploadId?: string }>;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSave = -Infinity;
  /** Frames sampled from blob: video elements, by key (see onElementFrames). */
  private sampled = new Map<string, Pick<ElementFramesReport, 'frames' | 'problem'>>();
  /** Keys the user asked to check (badge, popup): checked whatever the data-use setting. */
  private requested = new Set<string>();
  /** Keys whose check was cancelled: late results from the worker are dropped. */
  private cancelled = new Set<string>();
  /** Frames each element showed ("tab:frame:video"), for binding its verdict to its picture (issue 10). */
  private shown = new Map<string, { key: string; frames: ElementFrameHash[]; problem?: 'cross-origin' }>();
  /** The checked file's first frame hashes while the rest decode (the `preview` stage), by key. */
  private preview = new BoundedMap<string, FrameHash[]>(64);
  /**
   * Each element's last bound picture and what it was bound from (compared by identity): every
   * result recounts the toolbar over all of a tab's videos, and on a page of 100 videos comparing
   * them all again each time made a third of the service worker's garbage (90 → 60 MiB a page).
   */
  private pictures = new BoundedMap<string, { inputs: unknown[]; picture: PictureBinding }>(MAX_SAMPLED_VIDEOS * 4);
  /** Checks cancelled because their video left (stats, tests, benchmark). */
  cancels = 0;
  private warmed = false;
  /** Whether each frame's browser asked to save data, as last reported ("tab:frame"). */
  private saveData = new Map<string, boolean>();

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
        this.save();
        if (!waiting.length && !running.length) platform.onIdle?.();
      },
      now: () => platform.now(),
    });
    // Checks that were waiting when the service worker stopped start again.
    for (const p of restored?.pending ?? []) this.enqueue(p.key, p.ref, p.source, p.priority, p.uploadId, p.tabId, p.origin);
  }

  /** A content script's report of its frame's videos. */
  async onVideos(tabId: number, frameId: number, msg: ContentToBackground): Promise<VideosAck> {
    const videos = msg.videos.map((v) => ({ videoId: v.id, key: contentKey(v.ref), ref: v.ref, visible: v.visible, played: v.played, playing: v.playing, readable: v.readable, covered: v.covered }));
    this.registry.setFrame(tabId, frameId, msg.pageUrl, msg.badges, videos);
    this.saveData.set(`${tabId}:${frameId}`, msg.saveData === true);
    // Saved at once unless a save went out within the last SAVE_INTERVAL_MS: a service worker
    // stopped right after a report must still know the tab's videos.
    this.save();
    this.cancelOrphans();
    const ack: VideosAck = { keys: {}, verdicts: {}, pictures: {}, sampleFrames: this.settings().fingerprint, badges: this.settings().badges };
    for (const v of videos) {
      ack.keys[v.videoId] = v.key;
      const known = await this.known(v.key);
      if (known && known.headline !== 'checking' && known.headline !== 'not-checked') {
        ack.verdicts[v.key] = known;
        continue;
      }
      const skip = this.notWanted(v, msg.saveData === true);
      if (skip && !this.queue.has(v.key)) {
        const verdict = this.notCheckedVerdict(v.ref, skip);
        this.verdicts.set(v.key, verdict);
        ack.verdicts[v.key] = verdict;
        continue;
      }
      if (!this.warmed) {
        this.warmed = true;
        this.platform.warm?.();
      }
      this.enqueue(v.key, v.ref, refSource(v.ref), v.played ? 3 : v.visible ? 2 : 1, undefined, tabId, originOf(msg.pageUrl));
      ack.verdicts[v.key] = this.verdicts.get(v.key) ?? this.checking(v.ref);
    }
    for (const v of videos) ack.pictures[v.videoId] = this.pictureOf(tabId, frameId, v);
    this.updateToolbar(tabId);
    return ack;
  }

  /**
   * Why a video is not checked without being asked (the user's data-use setting, Data Saver,
   * not on screen yet), or undefined when it is. Asked-for videos are always checked.
   */
  private notWanted(v: { key: string; visible: boolean; played?: boolean }, saveData: boolean): string | undefined {
    if (this.requested.has(v.key)) return undefined;
    const mode = this.settings().checkMode;
    if (mode === 'manual') return 'you chose to check videos only when you ask';
    if (mode === 'played' || saveData) {
      if (v.played) return undefined;
      return mode === 'played' ? 'you chose to check only videos you play' : 'the browser asks to save data (Data Saver), so only videos you play are checked';
    }
    return v.visible || v.played ? undefined : 'it has not been on screen yet';
  }

  private notCheckedVerdict(ref: MediaRef, why: string): Verdict {
    return decideVerdict({ source: refSource(ref), notChecked: why, checkedAt: new Date(this.platform.now()).toISOString() });
  }

  /** The data-use setting changed: videos left unchecked because of it are looked at again. */
  reconsider(): void {
    for (const tabId of this.registry.tabIds()) {
      for (const v of this.registry.tabVideos(tabId)) {
        if (this.verdicts.get(v.key)?.headline !== 'not-checked') continue;
        const why = this.notWanted(v, this.saveData.get(`${tabId}:${v.frameId}`) === true);
        if (why) continue;
        this.enqueue(v.key, v.ref, refSource(v.ref), v.played ? 3 : v.visible ? 2 : 1, undefined, tabId);
        this.push(v.key, this.verdicts.get(v.key)!);
      }
    }
  }

  /** The user pressed a video's badge: check it now (also a retry after a failed download). */
  onCheckVideo(tabId: number, frameId: number, videoId: string): { ok: boolean } {
    const v = this.registry.tabVideos(tabId).find((x) => x.frameId === frameId && x.videoId === videoId);
    if (!v) return { ok: false };
    const h = this.verdicts.get(v.key)?.headline;
    if (h && h !== 'not-checked' && h !== 'unavailable') return { ok: false }; // nothing to do: checking or decided
    this.requested.add(v.key);
    this.verdicts.delete(v.key);
    this.enqueue(v.key, v.ref, refSource(v.ref), 5, undefined, tabId);
    this.push(v.key, this.verdicts.get(v.key)!);
    return { ok: true };
  }

  onFrameGone(tabId: number, frameId: number): void {
    this.registry.removeFrame(tabId, frameId);
    // Bound pictures hold their evidence: a frame that is gone (the whole tab's, for its main frame) lets them go.
    forgetUnder(this.pictures, frameId === 0 ? `${tabId}:` : `${tabId}:${frameId}:`);
    this.cancelOrphans();
    this.updateToolbar(tabId);
    this.save();
  }

  onTabClosed(tabId: number): void {
    this.registry.removeTab(tabId);
    forgetUnder(this.pictures, `${tabId}:`);
    forgetUnder(this.saveData, `${tabId}:`);
    this.cancelOrphans();
    this.save();
  }

  /**
   * A check whose video is on no page any more (removed, frame navigated, tab closed) and that no
   * lookup waits for is cancelled at once: its downloads stop, and it starts afresh if it comes back.
   */
  private cancelOrphans(): void {
    const shown = new Set<string>();
    for (const t of this.registry.tabIds()) for (const v of this.registry.tabVideos(t)) shown.add(v.key);
    for (const key of this.queue.keys()) {
      if (shown.has(key) || this.waiters.has(key)) continue;
      this.cancelled.add(key);
      this.queue.cancel(key);
      const p = this.inflight.get(key);
      this.inflight.delete(key);
      p?.resolve();
      this.jobs.delete(key);
      if (this.verdicts.get(key)?.headline === 'checking') this.verdicts.delete(key);
      this.cancels++;
    }
  }

  async tabVideos(tabId: number): Promise<TabVideo[]> {
    const out: TabVideo[] = [];
    for (const v of this.registry.tabVideos(tabId)) {
      const known = await this.known(v.key);
      out.push({ frameId: v.frameId, videoId: v.videoId, key: v.key, ref: v.ref, visible: v.visible, pageUrl: v.pageUrl, pageAllowsBadges: v.pageAllowsBadges, verdict: known && boundVerdict(known, this.pictureOf(tabId, v.frameId, v)) });
    }
    return out;
  }

  /** A manual lookup: checks now (ahead of the page's videos) and resolves with the final verdict. */
  lookup(ref: MediaRef, source: string, uploadId?: string): Promise<Verdict> {
    const key = contentKey(ref);
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
    this.requested.add(key);
    const job = this.jobs.get(key);
    const v = this.verdicts.get(key);
    this.verdicts.delete(key);
    this.evidence.delete(key);
    const ref = job?.ref ?? this.registry.tabIds().flatMap((t) => this.registry.tabVideos(t)).find((x) => x.key === key)?.ref;
    if (ref) {
      this.enqueue(key, ref, job?.source ?? v?.source ?? refSource(ref), 5);
      this.push(key, this.verdicts.get(key)!);
    }
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
  async onResult(key: string, stage: CheckStage | 'failed' | 'lost', evidence: Evidence): Promise<void> {
    if (this.cancelled.has(key) && !this.inflight.has(key)) return; // its video left; what it found is not wanted
    const p = this.inflight.get(key);
    if (stage === 'preview') {
      // The file's first frames, before the rest are decoded: enough to confirm a picture, nothing else.
      if (!p || !evidence.frames?.length) return;
      this.preview.set(key, evidence.frames);
      for (const { tabId, frameId } of this.registry.placesOf(key)) this.sendPictures(tabId, frameId, { key });
      for (const tabId of new Set(this.registry.placesOf(key).map((x) => x.tabId))) this.updateToolbar(tabId);
      return;
    }
    if (stage === 'lost') {
      this.preview.delete(key);
      // The worker context died mid-check: run it again once, then give up with the reason.
      const attempts = (this.lostCount.get(key) ?? 0) + 1;
      this.lostCount.set(key, attempts);
      this.inflight.delete(key);
      const job = this.jobs.get(key);
      if (attempts <= MAX_RETRIES_AFTER_LOSS && job) {
        p?.resolve(); // frees the queue slot; the check is queued again below
        setTimeout(() => this.queue.enqueue(key, job, 3, job.tabId, job.origin), 0);
        return;
      }
      stage = 'failed';
    }
    if (stage === 'failed') {
      this.preview.delete(key);
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
    if (!v || !this.settings().fingerprint) return { ok: false };
    const blob = v.ref.kind === 'unresolvable' && v.ref.url === msg.src;
    if (!blob && msg.key !== v.key) return { ok: false };
    this.shown.set(`${tabId}:${frameId}:${msg.videoId}`, { key: v.key, frames: msg.frames, problem: msg.problem });
    if (this.shown.size > MAX_SAMPLED_VIDEOS * 4) this.shown.delete(this.shown.keys().next().value!);
    this.sampled.delete(v.key);
    this.sampled.set(v.key, { frames: msg.frames, problem: msg.problem });
    // Blob addresses are per page load: keep the latest few hundred videos' frames, not a session's worth.
    if (this.sampled.size > MAX_SAMPLED_VIDEOS) this.sampled.delete(this.sampled.keys().next().value!);
    const e = blob ? { source: refSource(v.ref), unavailable: (v.ref as { reason: string }).reason } : this.evidence.get(v.key);
    if (e) {
      // Its push carries the verdict, this key's pictures (this element's among them) and the toolbar.
      await this.publish(v.key, e, false);
      return { ok: true };
    }
    // No verdict yet: this element's picture may still be confirmed (or not) by these frames. Only
    // its own: answering every report with the whole frame's pictures made a page of 40 videos
    // exchange a thousand messages (each answer asked the frame's samplers to send again).
    this.sendPictures(tabId, frameId, { videoId: msg.videoId });
    this.updateToolbar(tabId);
    return { ok: true };
  }

  /**
   * Frames seen while the video played stand in for (or add to) frames read from the file: an
   * unavailable blob: video gets its only fingerprint this way, and a file read in part gets
   * more seconds without another byte downloaded.
   */
  private withSampledFrames(key: string, e: Evidence): Evidence {
    const s = this.sampled.get(key);
    if (!s) return e;
    if (s.problem === 'cross-origin') {
      // The file's own frames are on their way, or came: the element's are not needed for the lists.
      if (e.frames?.length || e.fingerprint === 'pending') return e;
      return { ...e, fingerprint: 'unavailable', fingerprintNote: e.unavailable ? 'its frames cannot be read either: the video comes from another site that does not allow it (CORS)' : "the playing video's frames cannot be read (another site's video without CORS)" };
    }
    if (e.frames?.length && e.basis?.frames?.mode === 'whole') return e;
    const fromFile = e.frames?.length ? e.frames.length : 0;
    if (fromFile >= s.frames.length) return e;
    const seconds = s.frames.reduce((m, f) => Math.max(m, f.t), 0) + 1;
    return {
      ...e,
      frames: s.frames,
      alternates: undefined,
      fingerprint: s.frames.length ? 'done' : e.fingerprint,
      basis: { ...(e.basis ?? { file: 'none', bytesRead: 0 }), frames: { from: 'element', mode: 'playing', seconds, count: s.frames.length } },
    };
  }
  // ── end element frames ────────────────────────────────────────────────────────────────

  private async publish(key: string, raw: Evidence, store: boolean): Promise<void> {
    // What the file's bytes said is kept apart from the element's frames: pictures are bound to it.
    const evidence = this.withSampledFrames(key, raw);
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
    this.evidence.set(key, raw);
    // The first frame stands in for the file's frames until these evidence carry them (or say they
    // failed): dropped sooner, a picture it confirmed read "not confirmed" while the lists were asked.
    if (raw.fingerprint !== 'pending') this.preview.delete(key);
    // Show it first, store it after: the badge must not wait for IndexedDB.
    this.push(key, verdict);
    if (verdict.fingerprint !== 'pending') this.wake(key, verdict);
    // A slow or cut link is no answer: it is shown (with a retry), never cached for a day.
    if (store && verdict.headline !== 'checking' && !evidence.transient) {
      await putCached({ key, verdict, evidence: raw, storedAt: this.platform.now(), trustVersion: this.trust().version }).catch(() => {});
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
      this.sendPictures(tabId, frameId, { key });
      tabs.add(tabId);
    }
    for (const t of tabs) this.updateToolbar(t);
  }

  /**
   * Whether what one element shows is the file its verdict is about (issue 10): never a verdict
   * resolved through an address alone. Computed here, from what the content script saw, so the
   * popup and the toolbar say the same as the badge whatever the page does to its badges.
   */
  private pictureOf(tabId: number, frameId: number, v: { videoId: string; key: string; ref: MediaRef; readable?: boolean; covered?: boolean }): PictureBinding {
    const place = `${tabId}:${frameId}:${v.videoId}`;
    const inputs = [v.key, v.ref.kind, v.readable, v.covered, this.settings().fingerprint, this.shown.get(place), this.evidence.get(v.key), this.preview.get(v.key)];
    const last = this.pictures.get(place);
    if (last && last.inputs.every((x, i) => x === inputs[i])) return last.picture;
    const picture = this.bindPicture(place, v);
    this.pictures.set(place, { inputs, picture });
    return picture;
  }

  private bindPicture(place: string, v: { key: string; ref: MediaRef; readable?: boolean; covered?: boolean }): PictureBinding {
    if (v.ref.kind === 'unresolvable') return { state: 'stream', note: 'no file behind it: its frames are what was checked' };
    if (v.covered) return COVERED_PICTURE;
    const seen = this.shown.get(place);
    const fresh = seen?.key === v.key ? seen : undefined;
    if (!this.settings().fingerprint) return { state: 'unreadable', note: 'frame checks are off in the settings, so the picture was not compared with the file' };
    if (v.readable === false || fresh?.problem === 'cross-origin') return { state: 'unreadable', note: "this video's frames cannot be read here (another site's video without CORS)" };
    const e = this.evidence.get(v.key);
    const file: FrameHash[] | undefined = e?.frames;
    if (!file?.length && e && e.fingerprint !== 'pending') {
      return { state: 'pending', note: `the checked file's frames could not be decoded (${e.fingerprintNote ?? e.unavailable ?? e.mediaError ?? 'no frames'}), so the picture cannot be compared with it` };
    }
    // Only the file's first frames so far: they can confirm the picture, not contradict it.
    const preview = !file?.length ? this.preview.get(v.key) : undefined;
    if (preview) {
      const early = comparePicture(preview, fresh?.frames ?? []);
      if (early.state === 'confirmed') return { ...early, seen: fresh?.frames.length ?? 0 };
      return { state: 'pending', note: 'the picture shown has not been compared with all the checked frames yet', seen: fresh?.frames.length ?? 0 };
    }
    const picture = comparePicture(file, fresh?.frames ?? []);
    // A stream is played in renditions and on a clock the extension does not see: its frames can
    // confirm the picture, but failing to find them proves nothing, so it stays "not confirmed".
    if (picture.state === 'mismatch' && v.ref.kind !== 'url') {
      return { state: 'pending', note: "the frames shown so far were not found among the checked stream's (a player may show another rendition of it)", seen: fresh?.frames.length ?? 0 };
    }
    return { ...picture, seen: fresh?.frames.length ?? 0 };
  }

  /** The bound pictures of a frame's videos (only those showing `key`, when given: one verdict changed), for its badges. */
  private sendPictures(tabId: number, frameId: number, only: { key: string } | { videoId: string }): void {
    const pictures: Record<string, PictureBinding> = {};
    for (const v of this.registry.tabVideos(tabId)) {
      if (v.frameId !== frameId || ('key' in only ? v.key !== only.key : v.videoId !== only.videoId)) continue;
      pictures[v.videoId] = this.pictureOf(tabId, frameId, v);
    }
    if (Object.keys(pictures).length) this.platform.sendToFrame(tabId, frameId, { type: 'pictures', pictures });
  }

  private wake(key: string, v: Verdict): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) w(v);
  }

  private updateToolbar(tabId: number): void {
    const headlines: Headline[] = [];
    for (const v of this.registry.tabVideos(tabId)) {
      const verdict = this.verdicts.get(v.key);
      headlines.push(verdict ? boundVerdict(verdict, this.pictureOf(tabId, v.frameId, v)).headline : 'checking');
    }
    this.platform.setToolbar(tabId, headlines);
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

  private enqueue(key: string, ref: MediaRef, source: string, priority: number, uploadId?: string, tabId?: number, origin?: string): void {
    this.cancelled.delete(key);
    this.jobs.set(key, { ref, source, uploadId, tabId, origin });
    const current = this.verdicts.get(key);
    if (!current || current.headline === 'not-checked') this.verdicts.set(key, this.checking(ref));
    this.queue.enqueue(key, { ref, source, uploadId }, priority, tabId, origin);
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
        // Frames of the file are needed even for a video that plays with readable frames: they are
        // what its picture is compared with (a page's server may give the extension another file).
        fingerprint: wantsFrames,
        uploadId: job.payload.uploadId,
      });
    });
  }

  /** Called when the worker context was closed to save memory: the next video warms it again. */
  cooled(): void {
    this.warmed = false;
  }

  /**
   * Saves the session at once, or when SAVE_INTERVAL_MS have passed since the last save: every
   * report and every queue change asks for one, and each writes the whole state.
   */
  private save(): void {
    if (this.saveTimer) return;
    const write = () => {
      this.saveTimer = undefined;
      this.lastSave = this.platform.now();
      void this.platform.saveSession(this.sessionState());
    };
    const wait = this.lastSave + SAVE_INTERVAL_MS - this.platform.now();
    if (wait <= 0) write();
    else this.saveTimer = setTimeout(write, wait);
  }

  sessionState(): SessionState {
    const pending = [...this.jobs.entries()]
      .filter(([key]) => this.queue.has(key))
      .map(([key, j]) => ({ key, ref: j.ref, source: j.source, priority: 1, uploadId: j.uploadId, tabId: j.tabId, origin: j.origin }));
    return { registry: this.registry.snapshot(), pending };
  }
}

/** Drops a map's entries for places under `prefix` (`tab:` or `tab:frame:`). */
function forgetUnder(map: Map<string, unknown>, prefix: string): void {
  for (const place of [...map.keys()]) if (place.startsWith(prefix)) map.delete(place);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
