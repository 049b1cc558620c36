/**
 * The content script (`in-page.js`): spots videos and draws their badges (lib/content/main.ts).
 * Declared in the manifest for X and Hugging Face (wxt.config.ts) and registered at run time for
 * the sites the user allows (entrypoints/background/content-scripts.ts).
 *
 * A plain script, not a WXT content script: WXT's context reads the extension id as it loads (the
 * first use of `runtime` in a page cost 1.4–6 ms, measured in Chromium 156), announces every start
 * with an event on the page's document that names the id (any page could tell the user runs
 * Provenance Lens), and stops on that same event, which a page can forge. This script touches no
 * extension API until it needs one (a frame without videos needs only chrome.dom), and nothing it
 * hears from the page stops it.
 */
import css from '../components/styles.css?inline';
import { runContent } from '../lib/content/main';
import { contentLoadWaitMs } from '../lib/platform';
import type { BackgroundToContent } from '../lib/messages';

/** The extension API as this script uses it (Chrome's `chrome` and Firefox's `browser` both fit). */
interface ExtensionApi {
  runtime: {
    id?: string;
    sendMessage(msg: unknown): Promise<unknown>;
    onMessage: { addListener(fn: (msg: unknown, sender: { id?: string }) => void): void };
  };
}

/** The extension API, looked up at first use: not WXT's `browser`, which reads `browser.runtime.id` as the script loads. */
let api: ExtensionApi | undefined;
function ext(): ExtensionApi {
  const g = globalThis as { browser?: ExtensionApi; chrome?: ExtensionApi };
  return (api ??= g.browser?.runtime?.id ? g.browser : g.chrome!);
}

export default defineUnlistedScript(() => {
  // Injected both statically and on demand (activeTab): run once per frame.
  const g = globalThis as { __provenanceLens?: boolean };
  if (g.__provenanceLens) return;
  g.__provenanceLens = true;
  // Chrome injects this script at document_start (lib/platform.ts), before the page has a DOM.
  // Its work waits for the page: at DOMContentLoaded a frame that has a video already asks the
  // background to start the checker, and the rest (the scan, observers, badges) starts once the
  // page has loaded, or after `loadWaitMs` (checks wait for the load event anyway: lib/content/main.ts).
  // Run inside those events, the work would hold the page's own load event back.
  // Both listeners are on window, capturing, and added now (in Chrome before any page script runs),
  // so no page listener can stop them first; a page's own (untrusted) copies of the events are ignored.
  whenReady('DOMContentLoaded', 'loading', () => {
    // A live count, not a query: a page without video makes no element wrapper for it.
    if (document.getElementsByTagName('video').length) void ext().runtime.sendMessage({ type: 'video-seen' }).catch(() => {});
  });
  const loadWaitMs = contentLoadWaitMs(!!import.meta.env.FIREFOX);
  let started = false;
  const go = (waited: boolean) => {
    if (started) return;
    started = true;
    clearTimeout(timer);
    // A task of its own, after the load event's listeners.
    setTimeout(() => start(waited ? 0 : loadWaitMs));
  };
  const timer = loadWaitMs === undefined ? undefined : setTimeout(() => go(true), loadWaitMs);
  whenReady('load', 'interactive', () => go(false));
});

/** Runs `fn` once the document's `event` has fired (at once when readyState is past `before`). */
function whenReady(event: 'DOMContentLoaded' | 'load', before: DocumentReadyState, fn: () => void): void {
  const order: DocumentReadyState[] = ['loading', 'interactive', 'complete'];
  if (order.indexOf(document.readyState) > order.indexOf(before)) return fn();
  const on = (e: Event) => {
    // The window's own load event (targeted at the document), not an image's seen while capturing.
    if (!e.isTrusted || e.target !== document) return;
    removeEventListener(event, on, true);
    fn();
  };
  addEventListener(event, on, true);
}

function start(loadWaitMs: number | undefined): void {
  const g = globalThis as { __provenanceLens?: boolean };
  let stop: (() => void) | undefined;
  let gone = false;
  /**
   * After the extension is reloaded, updated or removed, this copy can no longer reach it: it
   * removes its badges and listeners (stale verdicts must not stay on the page) and lets a newer
   * copy run in this frame.
   */
  const extensionGone = (): boolean => {
    if (gone || ext().runtime?.id) return gone;
    gone = true;
    stop?.();
    g.__provenanceLens = false;
    return true;
  };
  void runContent(document, {
    send: (msg) => (extensionGone() ? Promise.reject(new Error('the extension was reloaded or removed')) : ext().runtime.sendMessage(msg)),
    onMessage: (fn) =>
      ext().runtime.onMessage.addListener((msg, sender) => {
        if (sender.id === ext().runtime.id && msg && typeof msg === 'object') fn(msg as BackgroundToContent);
      }),
    css,
    shadowRootOf: (el) => {
      const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?(e: Element): ShadowRoot | null } } }).chrome?.dom;
      if (dom?.openOrClosedShadowRoot) return dom.openOrClosedShadowRoot(el) ?? null;
      const fx = (el as Element & { openOrClosedShadowRoot?: ShadowRoot | null }).openOrClosedShadowRoot;
      return fx !== undefined ? fx : (el as HTMLElement).shadowRoot;
    },
    loadWaitMs,
  }).then((s) => {
    stop = s;
    if (gone) s();
  });
}
