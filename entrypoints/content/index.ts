import css from '../../components/styles.css?inline';
import { runContent } from '../../lib/content/main';
import { STATIC_CONTENT_MATCHES } from '../../lib/hosts';
import { contentLoadWaitMs, contentRunAt } from '../../lib/platform';
import type { BackgroundToContent } from '../../lib/messages';

export default defineContentScript({
  // X and Hugging Face at install; other sites are registered at run time once the user allows them.
  matches: [...STATIC_CONTENT_MATCHES],
  allFrames: true,
  matchAboutBlank: true,
  // Frames without an origin of their own — blob: and data: documents (and about:srcdoc) — get the
  // script when the page that made them would. Firefox ≥ 128 reads it too; Chrome ≥ 119.
  matchOriginAsFallback: true,
  // Firefox's document_idle waits for the load event, which a stalled video can hold off (lib/platform.ts).
  runAt: { chrome: contentRunAt(false), firefox: contentRunAt(true) },
  // WXT's default also announces the script to the page with window.postMessage, naming the
  // extension's id: every page would learn that the user runs Provenance Lens.
  noScriptStartedPostMessage: true,
  async main(ctx) {
    // Injected both statically and on demand (activeTab): run once per frame.
    const g = globalThis as { __provenanceLens?: boolean };
    if (g.__provenanceLens) return;
    g.__provenanceLens = true;
    // A video already here: the background may start the checker while the page finishes loading
    // (its videos are reported after the load event).
    if (document.querySelector('video')) void browser.runtime.sendMessage({ type: 'video-seen' }).catch(() => {});
    const stop = await runContent(document, {
      send: (msg) => browser.runtime.sendMessage(msg),
      onMessage: (fn) =>
        browser.runtime.onMessage.addListener((msg: unknown, sender) => {
          if (sender.id === browser.runtime.id && msg && typeof msg === 'object') fn(msg as BackgroundToContent);
        }),
      badgesEnabled: async () => {
        const { settings } = await browser.storage.local.get('settings');
        return (settings as { badges?: boolean } | undefined)?.badges !== false;
      },
      css,
      shadowRootOf: (el) => {
        const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?(e: Element): ShadowRoot | null } } }).chrome?.dom;
        if (dom?.openOrClosedShadowRoot) return dom.openOrClosedShadowRoot(el) ?? null;
        const fx = (el as Element & { openOrClosedShadowRoot?: ShadowRoot | null }).openOrClosedShadowRoot;
        return fx !== undefined ? fx : (el as HTMLElement).shadowRoot;
      },
      loadWaitMs: contentLoadWaitMs(!!import.meta.env.FIREFOX),
    });
    ctx.onInvalidated(() => {
      // WXT also invalidates the context when "a newer copy started" is dispatched on the
      // document, and the page can dispatch that itself (a CustomEvent's detail crosses into this
      // world): only an extension that is really gone (reloaded, updated, removed) stops the script.
      if (browser.runtime?.id) return;
      stop();
      g.__provenanceLens = false;
    });
  },
});
