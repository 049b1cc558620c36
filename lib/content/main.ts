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
import { refSource } from '../media/ref';

export interface ContentDeps {
  send: (msg: unknown) => Promise<unknown>;
  onMessage: (fn: (msg: BackgroundToContent) => void) => void;
  /** The user's "show badges" setting. */
  badgesEnabled: () => Promise<boolean>;
  css: string;
}

/** Pages can opt out of injected UI; the popup still lists their videos. */
export function pageAllowsBadges(doc: Document): boolean {
  const meta = doc.querySelector('meta[name="CR-allow-UI-injection" i]');
  return !(meta && meta.getAttribute('content')?.trim().toLowerCase() === 'false');
}

const REPORT_DELAY_MS = 60;

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
  };

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
  // Checks wait for the page's own loading (its media requests come first).
  if (!loaded) {
    win.addEventListener(
      'load',
      () => {
        loaded = true;
        scheduleReport();
      },
      { once: true },
    );
  } else scheduleReport();

  const onHide = () => void deps.send({ type: 'videos', pageUrl: win.location.href, badges, videos: [] }).catch(() => {});
  win.addEventListener('pagehide', onHide);
  return () => {
    stopped = true;
    spotter.stop();
    layer.destroy();
    win.removeEventListener('pagehide', onHide);
  };
}
