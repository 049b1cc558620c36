/**
 * The content script's work in one frame: spot videos, report plain references to the
 * background, draw the verdicts it sends back. It never fetches media and never listens
 * to the page (no window messages): only the background's answers change a badge.
 */
import { Spotter, type SpottedVideo } from './spotter';
import { BadgeLayer } from './badges';
import { adapterFor } from '../sites';
import type { BackgroundToContent, VideosAck } from '../messages';
import { decideVerdict, type Verdict } from '../verdict';
import { mediaKey, refSource, type MediaRef } from '../media/ref';
import { ElementSampler } from './element-frames';
import { videoAddress } from '../sites/generic';

export interface ContentDeps {
  send: (msg: unknown) => Promise<unknown>;
  onMessage: (fn: (msg: BackgroundToContent) => void) => void;
  /** The user's "show badges" setting. */
  badgesEnabled: () => Promise<boolean>;
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

export async function runContent(doc: Document, deps: ContentDeps): Promise<() => void> {
  const win = doc.defaultView!;
  const adapter = adapterFor(win.location.hostname);
  const layer = new BadgeLayer(doc, deps.css);
  const keyById = new Map<string, string>();
  const verdictByKey = new Map<string, Verdict>();
  let badges = pageAllowsBadges(doc) && (await deps.badgesEnabled());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loaded = doc.readyState === 'complete';
  let stopped = false;

  const draw = (v: SpottedVideo) => {
    const key = keyById.get(v.id);
    if (!badges || !key) return;
    const verdict = verdictByKey.get(key) ?? decideVerdict({ source: refSource(v.ref), checking: true });
    layer.set(v.id, v.el, verdict, v.visible);
  };

  const report = async () => {
    timer = undefined;
    if (stopped) return;
    badges = badges && pageAllowsBadges(doc);
    const videos = spotter.list();
    const ids = new Set(videos.map((v) => v.id));
    for (const id of layer.ids()) if (!ids.has(id) || !badges) layer.remove(id);
    let ack: VideosAck | undefined;
    try {
      ack = (await deps.send({
        type: 'videos',
        pageUrl: win.location.href,
        badges,
        videos: videos.map((v) => ({ id: v.id, ref: v.ref, visible: v.visible })),
      })) as VideosAck | undefined;
    } catch {
      return; // the extension was reloaded or is starting; the next change reports again
    }
    if (!ack || stopped) return;
    for (const [id, key] of Object.entries(ack.keys)) keyById.set(id, key);
    for (const [key, verdict] of Object.entries(ack.verdicts)) verdictByKey.set(key, verdict);
    for (const v of spotter.list()) draw(v);
    sampleFrames = ack.sampleFrames !== false;
    syncSamplers();
  };

  // ── element frames and site watching (issue 5) ───────────────────────────────────────────
  /** blob: videos with no address to fetch: frames sampled from the element (after the background knows the video). */
  const samplers = new Map<string, ElementSampler>();
  let sampleFrames = false;
  const syncSamplers = () => {
    const current = new Set<string>();
    for (const v of spotter.list()) {
      const blob = sampleFrames && v.ref.kind === 'unresolvable' && v.ref.url?.startsWith('blob:') ? v.ref.url : undefined;
      const running = samplers.get(v.id);
      if (running && running.src !== blob) {
        running.stop();
        samplers.delete(v.id);
      }
      if (blob && !samplers.has(v.id)) {
        const sampler = new ElementSampler(v.el, blob, (frames, problem) =>
          void deps.send({ type: 'element-frames', videoId: v.id, src: blob, frames, ...(problem ? { problem } : {}) }).catch(() => {}),
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
    for (const v of spotter.list()) layer.setVisible(v.id, v.visible);
    if (!loaded || timer) return;
    timer = setTimeout(report, REPORT_DELAY_MS);
  };

  const spotter = new Spotter(doc, adapter, () => ({ url: win.location.href, hostname: win.location.hostname }), scheduleReport);

  deps.onMessage((msg) => {
    if (msg.type === 'verdict') {
      verdictByKey.set(msg.key, msg.verdict);
      for (const v of spotter.list()) if (keyById.get(v.id) === msg.key) draw(v);
    } else if (msg.type === 'reveal') {
      const v = spotter.get(msg.videoId);
      if (v) layer.reveal(v.id, v.el), v.el.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    }
  });

  spotter.start();
  // A verdict that never comes (the background restarted and lost a push) must not leave a
  // badge on "checking": while any video waits, the frame reports again now and then.
  const resend = setInterval(() => {
    if (stopped) return;
    const waiting = spotter.list().some((v) => {
      const key = keyById.get(v.id);
      return !key || !verdictByKey.has(key) || verdictByKey.get(key)!.headline === 'checking';
    });
    if (waiting) scheduleReport();
  }, RESEND_MS);
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

  const onHide = () => void deps.send({ type: 'videos', pageUrl: win.location.href, badges, videos: [] }).catch(() => {});
  win.addEventListener('pagehide', onHide);
  return () => {
    stopped = true;
    clearInterval(resend);
    stopWatching?.();
    for (const s of samplers.values()) s.stop();
    delete (globalThis as { __provenanceLensRefFor?: unknown }).__provenanceLensRefFor;
    spotter.stop();
    layer.destroy();
    win.removeEventListener('pagehide', onHide);
  };
}
