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
  // A video already here: the background may start the checker while the page finishes loading
  // (its videos are reported after the load event).
  if (document.querySelector('video')) void ext().runtime.sendMessage({ type: 'video-seen' }).catch(() => {});
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
    loadWaitMs: contentLoadWaitMs(!!import.meta.env.FIREFOX),
  }).then((s) => {
    stop = s;
    if (gone) s();
  });
});
