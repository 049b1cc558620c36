/**
 * The content script's work in one frame: spot videos, report plain references to the
 * background, draw the verdicts it sends back. It never fetches media and never listens
 * to the page (no window messages): only the background's answers change a badge.
 */
import { Spotter, type SpottedVideo } from './spotter';
import { BadgeLayer } from './badges';
import { adapterFor } from '../sites';
import type { BackgroundToContent, VideosAck } from '../messages';
import { boundVerdict, COVERED_PICTURE, decideVerdict, POSITIVE, type PictureBinding, type Verdict } from '../verdict';
import { isCovered } from './cover';
import { mediaKey, refSource, type MediaRef } from '../media/ref';
import { ElementSampler } from './element-frames';
import { videoAddress } from '../sites/generic';

export interface ContentDeps {
  send: (msg: unknown) => Promise<unknown>;
  onMessage: (fn: (msg: BackgroundToContent) => void) => void;
  /** Any element's shadow root, closed ones included (an extension-only API). */
  shadowRootOf?: (el: Element) => ShadowRoot | null;
  css: string;
  /** The longest checks wait for the page's load event (lib/platform.ts); for ever when unset. */
  loadWaitMs?: number;
}

/** Pages can opt out of injected UI; the popup still lists their videos. */
export function pageAllowsBadges(doc: Document): boolean {
  const meta = doc.querySelector('meta[name="CR-allow-UI-injection" i]');
  return !(meta && meta.getAttribute('content')?.trim().toLowerCase() === 'false');
}

/** Reports are batched: one message per burst of DOM changes. */
const REPORT_DELAY_MS = 0;
/** How often a frame whose videos still wait for a verdict reports them again. */
const RESEND_MS = 5000;
/** How often on-screen videos are asked whether something else is painted over them. */
const COVER_CHECK_MS = 1000;
/** Until the background has compared an element's picture with the checked file. */
const NOT_COMPARED: PictureBinding = { state: 'pending', note: 'the picture shown has not been compared with the checked file yet' };
/** Hit-testing hundreds of videos is not free: each round of cover checks stops after this long. */
const COVER_BUDGET_MS = 6;
/**
 * The longest a hit test waits: for an idle period (the rounds that test again), or for the next
 * paint (a badge's first vouching verdict; a hidden tab paints nothing).
 */
const COVER_WAIT_MS = 100;

/** Whether the browser asks pages to save data (Data Saver, a metered connection). */
function saveData(win: Window): boolean {
  return (win.navigator as Navigator & { connection?: { saveData?: boolean } }).connection?.saveData === true;
}

/**
 * Whether a video's frames can be drawn and read here: a same-origin, blob: or data: source,
 * or one asked for with CORS. Other sites' videos taint the canvas.
 */
export function framesReadable(el: HTMLVideoElement, win: Window): boolean {
  const src = el.currentSrc || el.src;
  if (!src) return false;
  if (src.startsWith('blob:') || src.startsWith('data:')) return true;
  try {
    return new URL(src, win.location.href).origin === win.location.origin || el.crossOrigin !== null;
  } catch {
    return false;
  }
}

/** Report order: videos with an address and on screen first. */
function rank(v: SpottedVideo): number {
  return (v.ref.kind === 'unresolvable' ? 0 : 2) + (v.visible ? 1 : 0) + (v.played ? 4 : 0);
}

export async function runContent(doc: Document, deps: ContentDeps): Promise<() => void> {
  const win = doc.defaultView!;
  const adapter = adapterFor(win.location.hostname);
  // Made with the first badge: a page without videos pays for no style sheet, observer or listener.
  let badgeLayer: BadgeLayer | undefined;
  const layer = () => (badgeLayer ??= new BadgeLayer(doc, deps.css, (id) => void deps.send({ type: 'check-video', videoId: id }).catch(() => {})));
  const keyById = new Map<string, string>();
  const verdictByKey = new Map<string, Verdict>();
  /** Whether each video's picture is the file its verdict is about, as the background decided (issue 10). */
  const pictureById = new Map<string, PictureBinding>();
  /** Videos something else is painted over (lib/content/cover.ts), by id. */
  const covered = new Set<string>();
  const isOurs = (el: Element) => el.localName === 'provenance-lens-badge';
  /** Only a verdict that vouches can be lent to a cover: other videos are not hit-tested. */
  const vouches = (v: SpottedVideo) => {
    const h = verdictByKey.get(keyById.get(v.id) ?? '')?.headline;
    return h !== undefined && POSITIVE.has(h);
  };
  /** Videos hit-tested in this round (asked again every COVER_CHECK_MS), and ever (a badge may vouch). */
  const coverAsked = new Set<string>();
  const coverSeen = new Set<string>();
  let coverScheduled = false;
  let coverSoon = false;
  const budget = () => {
    const t0 = performance.now();
    return () => COVER_BUDGET_MS - (performance.now() - t0);
  };
  const idle = (fn: (budgetMs: () => number) => void) => {
    const ric = (win as Window & { requestIdleCallback?: (cb: (d: { timeRemaining(): number; didTimeout: boolean }) => void, o?: { timeout: number }) => number }).requestIdleCallback;
    // A page still busy loading may have no idle period for a while: past COVER_WAIT_MS the
    // test runs anyway, within the same budget (it used to wait up to a second).
    if (ric) ric.call(win, (d) => fn(d.didTimeout ? budget() : () => d.timeRemaining()), { timeout: COVER_WAIT_MS });
    else setTimeout(() => fn(budget()), 50);
  };
  /**
   * Right after the next paint (its layout is clean then, so asking costs little): a badge's first
   * vouching verdict waits for this test, and a busy page's idle periods came up to 100 ms late.
   */
  const afterPaint = (fn: (budgetMs: () => number) => void) => {
    let ran = false;
    const once = () => !ran && ((ran = true), fn(budget()));
    win.requestAnimationFrame(() => setTimeout(once, 0));
    setTimeout(once, COVER_WAIT_MS);
  };
  /**
   * Hit tests run when the page is idle, or after the next paint when a badge waits for them
   * (`soon`), and stop when their budget is spent: hundreds of videos on screen are covered over
   * a few idle periods.
   */
  const scheduleCoverCheck = (soon = false) => {
    if (stopped) return;
    if (soon) {
      if (coverSoon) return;
      coverSoon = true;
      afterPaint((left) => {
        coverSoon = false;
        coverRound(left);
      });
      return;
    }
    if (coverScheduled) return;
    coverScheduled = true;
    idle((left) => {
      coverScheduled = false;
      coverRound(left);
    });
  };
  /** One round of hit tests, within its budget: the videos whose badges vouch, not asked this round yet. */
  const coverRound = (left: () => number) => {
    if (stopped) return;
    const redraw: SpottedVideo[] = [];
    let coverChanged = false;
    let more = false;
    for (const v of spotter.list()) {
      // Only a badge that vouches (or was found covered) needs the test: marked asked without it,
      // a video whose verdict comes next would wait for the next round (up to COVER_CHECK_MS).
      if (coverAsked.has(v.id) || !keyById.has(v.id) || !(vouches(v) || covered.has(v.id))) continue;
      if (left() <= 1) {
        more = true;
        break;
      }
      coverAsked.add(v.id);
      const first = !coverSeen.has(v.id);
      if (vouches(v)) coverSeen.add(v.id);
      const changed = updateCovered(v);
      coverChanged ||= changed;
      if (changed || (first && vouches(v))) redraw.push(v);
    }
    for (const v of redraw) draw(v);
    if (coverChanged) scheduleReport(); // the popup and toolbar hear of it too
    if (more) scheduleCoverCheck();
  };
  /** The background's word on each video's picture; frames it lost (a restarted service worker) are sent again. */
  const takePictures = (pictures: Record<string, PictureBinding>) => {
    for (const [id, picture] of Object.entries(pictures)) {
      pictureById.set(id, picture);
      if (picture.seen === 0) samplers.get(id)?.resend();
    }
  };
  const updateCovered = (v: SpottedVideo): boolean => {
    const now = v.visible && vouches(v) && isCovered(v.el, deps.shadowRootOf, isOurs);
    if (now === covered.has(v.id)) return false;
    if (now) covered.add(v.id);
    else covered.delete(v.id);
    return true;
  };
  /** The page's and the user's word on badges (the user's comes with each answer to a report). */
  let badges: boolean | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loaded = doc.readyState === 'complete';
  let stopped = false;
  let reportedAny = false;
  let startTimers = () => {};

  const draw = (v: SpottedVideo) => {
    const key = keyById.get(v.id);
    if (!badges || !key) return;
    const verdict = verdictByKey.get(key) ?? decideVerdict({ source: refSource(v.ref), checking: true });
    // A verdict that vouches is drawn only over a picture the background has bound to the file, and
    // only once the video was seen uncovered (hit-tested when the page is idle, lib/content/cover.ts).
    const unasked = POSITIVE.has(verdict.headline) && !coverSeen.has(v.id);
    if (unasked) scheduleCoverCheck(true);
    const picture = covered.has(v.id) ? COVERED_PICTURE : unasked ? NOT_COMPARED : (pictureById.get(v.id) ?? NOT_COMPARED);
    layer().set(v.id, v.el, boundVerdict(verdict, picture), v.visible);
  };

  const report = async () => {
    timer = undefined;
    if (stopped) return;
    const pageAllows = pageAllowsBadges(doc);
    if (badges) badges = pageAllows;
    // The first report does not wait a rendering update for the observer (Spotter.settleUnseen).
    if (!reportedAny) spotter.settleUnseen();
    if (spotter.holding()) return; // the spotter reports again once it knows what is on screen
    const videos = spotter.list();
    // A frame that never had a video has nothing to tell (most pages): no message, no work.
    if (!videos.length && !reportedAny) return;
    reportedAny = true;
    startTimers();
    listen();
    const ids = new Set(videos.map((v) => v.id));
    for (const id of badgeLayer?.ids() ?? []) if (!ids.has(id) || badges === false) badgeLayer!.remove(id);
    let ack: VideosAck | undefined;
    try {
      ack = (await deps.send({
        type: 'videos',
        pageUrl: win.location.href,
        badges: pageAllows,
        saveData: saveData(win),
        // Checkable videos on screen first: a frame's report is cut at 500, never rejected.
        videos: [...videos]
          .sort((a, b) => rank(b) - rank(a))
          .map((v) => ({ id: v.id, ref: v.ref, visible: v.visible, played: v.played, playing: v.playing, readable: framesReadable(v.el, win), covered: covered.has(v.id) })),
      })) as VideosAck | undefined;
    } catch {
      return; // the extension was reloaded or is starting; the next change reports again
    }
    if (!ack || stopped) return;
    badges = pageAllowsBadges(doc) && ack.badges !== false;
    if (!badges) for (const id of badgeLayer?.ids() ?? []) badgeLayer!.remove(id);
    keyById.clear();
    for (const [id, key] of Object.entries(ack.keys)) keyById.set(id, key);
    for (const [key, verdict] of Object.entries(ack.verdicts)) verdictByKey.set(key, verdict);
    takePictures(ack.pictures ?? {});
    // Samplers first: the first badges take a while to draw, and the picture waits for a frame.
    sampleFrames = ack.sampleFrames !== false;
    syncSamplers();
    for (const v of spotter.list()) draw(v);
  };

  // ── element frames and site watching (issue 5) ───────────────────────────────────────────
  /** blob: videos with no address to fetch: frames sampled from the element (after the background knows the video). */
  const samplers = new Map<string, ElementSampler>();
  let sampleFrames = false;
  const syncSamplers = () => {
    const current = new Set<string>();
    for (const v of spotter.list()) {
      const blob = sampleFrames && v.ref.kind === 'unresolvable' && (v.ref.url?.startsWith('blob:') || v.ref.url?.startsWith('stream:')) ? v.ref.url : undefined;
      // A video with an address that plays with readable frames: frames seen while it plays, no download.
      const key = keyById.get(v.id);
      // Every video with an address whose frames can be read, once on screen: its picture is compared
      // with the file that was checked (and, while it plays, its frames add to the fingerprint).
      const played = !blob && sampleFrames && (v.played || v.visible) && key && framesReadable(v.el, win) ? v.el.currentSrc || v.el.src : undefined;
      const running = samplers.get(v.id);
      // Once started, a sampler goes on while its video keeps its source (scrolled away and back, paused).
      const src = blob ?? played ?? (running && !running.src.startsWith('blob:') && running.src === (v.el.currentSrc || v.el.src) ? running.src : undefined);
      if (running && running.src !== src) {
        running.stop();
        samplers.delete(v.id);
      }
      if (src && !samplers.has(v.id)) {
        const sampler = new ElementSampler(
          v.el,
          src,
          // Said as the video is known when the frames go out: an adapter may resolve a blob: to its stream meanwhile.
          (frames, problem) => {
            const now = spotter.get(v.id);
            const stillBlob = now?.ref.kind === 'unresolvable';
            const nowKey = keyById.get(v.id);
            void deps.send({ type: 'element-frames', videoId: v.id, src, ...(stillBlob || !nowKey ? {} : { key: nowKey }), frames, ...(problem ? { problem } : {}) }).catch(() => {});
          },
          !blob || blob.startsWith('stream:'),
        );
        samplers.set(v.id, sampler);
        sampler.start();
      }
      current.add(v.id);
    }
    for (const [id, s] of samplers) if (!current.has(id)) s.stop(), samplers.delete(id);
  };
  const pageContext = () => ({ url: win.location.href, hostname: win.location.hostname });
  /** The adapter saw something new (X: the player's playlist request): resolve every video again. */
  const reresolve = () => {
    let changed = false;
    for (const v of spotter.list()) {
      let ref: MediaRef | undefined;
      try {
        ref = adapter.resolve(v.el, pageContext());
      } catch {
        continue;
      }
      if (ref && mediaKey(ref) !== mediaKey(v.ref)) {
        v.ref = ref;
        changed = true;
      }
    }
    if (changed) scheduleReport();
  };
  /** For the context menu on a blob: video: the reference this frame reported for it (read from the isolated world only). */
  const refFor = (src: string): MediaRef | undefined =>
    spotter.list().find((v) => v.el.currentSrc === src || videoAddress(v.el) === src)?.ref;
  // ── end element frames and site watching ─────────────────────────────────────────────────

  const scheduleReport = () => {
    if (badgeLayer) for (const v of spotter.list()) badgeLayer.setVisible(v.id, v.visible);
    if (!loaded || timer) return;
    timer = setTimeout(report, REPORT_DELAY_MS);
  };

  const spotter = new Spotter(doc, adapter, () => ({ url: win.location.href, hostname: win.location.hostname }), scheduleReport, deps.shadowRootOf);

  /** The background speaks to a frame only about videos it reported: listened for from the first report. */
  let listening = false;
  const listen = () => {
    if (listening) return;
    listening = true;
    deps.onMessage(onBackground);
  };
  const onBackground = (msg: BackgroundToContent) => {
    if (msg.type === 'verdict') {
      verdictByKey.set(msg.key, msg.verdict);
      for (const v of spotter.list()) if (keyById.get(v.id) === msg.key) draw(v);
    } else if (msg.type === 'pictures') {
      takePictures(msg.pictures);
      for (const v of spotter.list()) if (msg.pictures[v.id]) draw(v);
    } else if (msg.type === 'reveal') {
      const v = spotter.get(msg.videoId);
      if (v) layer().reveal(v.id, v.el), v.el.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    }
  };

  spotter.start();
  let resend: ReturnType<typeof setInterval> | undefined;
  let coverCheck: ReturnType<typeof setInterval> | undefined;
  /** Timers start with the frame's first video: a page without one is never woken up by them. */
  startTimers = () => {
    // A verdict that never comes (the background restarted and lost a push) must not leave a
    // badge on "checking": while any video waits, the frame reports again now and then.
    resend ??= setInterval(() => {
      if (stopped) return;
      const waiting = spotter.list().some((v) => {
        // Not checked on purpose is settled; only a check that may have lost its answer is asked again.
        const key = keyById.get(v.id);
        return !key || !verdictByKey.has(key) || verdictByKey.get(key)!.headline === 'checking';
      });
      if (waiting) scheduleReport();
    }, RESEND_MS);
    // A page can move a cover over a video after its verdict came: on-screen videos are asked again.
    coverCheck ??= setInterval(() => {
      if (stopped || doc.visibilityState !== 'visible') return;
      coverAsked.clear(); // asked again: a page can move a cover in at any time
      scheduleCoverCheck();
    }, COVER_CHECK_MS);
  };
  const stopWatching = adapter.watch?.(win, reresolve);
  (globalThis as { __provenanceLensRefFor?: typeof refFor }).__provenanceLensRefFor = refFor;
  // Checks wait for the page's own loading (its media requests come first), at most
  // `loadWaitMs`: Firefox holds the load event while a <video> waits for metadata that never comes.
  if (!loaded) {
    const onLoaded = () => {
      if (loaded) return;
      loaded = true;
      clearTimeout(loadWait);
      scheduleReport();
    };
    const loadWait = deps.loadWaitMs === undefined ? undefined : setTimeout(onLoaded, deps.loadWaitMs);
    win.addEventListener('load', onLoaded, { once: true });
  } else scheduleReport();

  // Only a frame that reported videos has anything for the background to forget.
  const onHide = () => reportedAny && void deps.send({ type: 'videos', pageUrl: win.location.href, badges: badges === true, videos: [] }).catch(() => {});
  win.addEventListener('pagehide', onHide);
  return () => {
    stopped = true;
    clearInterval(resend);
    clearInterval(coverCheck);
    stopWatching?.();
    for (const s of samplers.values()) s.stop();
    delete (globalThis as { __provenanceLensRefFor?: unknown }).__provenanceLensRefFor;
    spotter.stop();
    badgeLayer?.destroy();
    win.removeEventListener('pagehide', onHide);
  };
}
