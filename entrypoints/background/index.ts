/**
 * Background wiring: listeners are registered synchronously (so a waking service worker
 * gets its events), then state is restored and every message is routed by who sent it.
 */
import { Service, type SessionState } from '../../lib/background/service';
import { loadTrustState, refreshTrustLists, trustStatus, type TrustState } from '../../lib/background/trust-store';
import { pruneCache } from '../../lib/background/cache';
import { parseContentMessage, parsePageMessage, senderKind, type CheckResultMessage, type PageToBackground } from '../../lib/messages';
import { sanitizeSettings, type Settings } from '../../lib/settings';
import { refSource } from '../../lib/media/ref';
import { createWorkerHost } from './worker-host';
import { syncContentScripts } from './content-scripts';
import { setToolbarCount } from './toolbar';

export default defineBackground({
  type: 'module',
  main() {
    let settings: Settings = sanitizeSettings(undefined);
    let trust: TrustState = { settings: undefined, version: null };
    const host = createWorkerHost((msg) => void ready.then((s) => s.onResult(msg.key, msg.stage, msg.evidence)));

    const ready: Promise<Service> = (async () => {
      settings = sanitizeSettings((await browser.storage.local.get('settings')).settings);
      trust = await loadTrustState(settings).catch(() => trust);
      const session = (await browser.storage.session.get('state')).state as SessionState | undefined;
      return new Service(
        {
          sendToFrame: (tabId, frameId, msg) => void browser.tabs.sendMessage(tabId, msg, { frameId }).catch(() => {}),
          setToolbarCount,
          startJob: (job) => host.start(job, settings),
          cancelJob: (key) => host.cancel(key),
          saveSession: (state) => browser.storage.session.set({ state }),
          now: () => Date.now(),
        },
        () => settings,
        () => trust,
        undefined,
        session,
      );
    })();

    const refreshTrust = async (force = false) => {
      await refreshTrustLists(settings, { force });
      const next = await loadTrustState(settings);
      const changed = next.version !== trust.version;
      trust = next;
      return changed;
    };

    browser.runtime.onMessage.addListener((raw: unknown, sender) => {
      const kind = senderKind(sender, browser.runtime.id, browser.runtime.getURL('/'));
      if (kind === 'content') {
        const msg = parseContentMessage(raw);
        if (!msg) return;
        return ready.then((s) => s.onVideos(sender.tab!.id!, sender.frameId!, msg));
      }
      if (kind === 'worker-host') {
        const m = raw as CheckResultMessage;
        if (m?.type === 'check-result' && typeof m.key === 'string' && ['c2pa', 'frames', 'failed'].includes(m.stage) && m.evidence) {
          void ready.then((s) => s.onResult(m.key, m.stage, m.evidence));
        }
        return;
      }
      if (kind === 'page') {
        const msg = parsePageMessage(raw);
        if (!msg) return;
        return ready.then((s) => handlePage(s, msg));
      }
      return; // anything else is ignored
    });

    async function handlePage(s: Service, msg: PageToBackground): Promise<unknown> {
      switch (msg.type) {
        case 'tab-videos':
          return s.tabVideos(msg.tabId);
        case 'reveal':
          await browser.tabs.sendMessage(msg.tabId, { type: 'reveal', videoId: msg.videoId }, { frameId: msg.frameId }).catch(() => {});
          return { ok: true };
        case 'lookup-url': {
          const ref = { kind: 'url' as const, url: msg.url };
          return s.lookup(/\.m3u8(\?|$)/i.test(msg.url) ? { kind: 'hls', url: msg.url } : ref, refSource(ref));
        }
        case 'lookup-upload':
          return s.lookup({ kind: 'file', name: msg.name, size: msg.size }, msg.name, msg.uploadId);
        case 'recheck':
          s.recheck(msg.key);
          return { ok: true };
        case 'trust-status':
          return { sources: await trustStatus(settings), loaded: !!trust.settings, version: trust.version, names: trust.settings?.sources ?? [] };
        case 'trust-update-now':
          await refreshTrust(true);
          return { sources: await trustStatus(settings), loaded: !!trust.settings, version: trust.version, names: trust.settings?.sources ?? [] };
        case 'settings-changed':
          settings = sanitizeSettings((await browser.storage.local.get('settings')).settings);
          s.queue.setConcurrency(settings.concurrency);
          trust = await loadTrustState(settings);
          void refreshTrust();
          return { ok: true };
        case 'lists-changed':
          await s.rematchAll();
          return { ok: true };
        case 'user-list-add':
          return { ok: false, error: 'lists are not available yet' };
      }
    }

    browser.tabs.onRemoved.addListener((tabId) => void ready.then((s) => s.onTabClosed(tabId)));
    browser.tabs.onUpdated.addListener((tabId, info) => {
      if (info.status === 'loading' && info.url) void ready.then((s) => s.onFrameGone(tabId, 0));
    });

    browser.runtime.onInstalled.addListener(() => {
      void browser.alarms.create('refresh', { periodInMinutes: 60 });
      void syncContentScripts();
      void ready.then(() => refreshTrust()).catch(() => {});
    });
    browser.runtime.onStartup.addListener(() => {
      void syncContentScripts();
      void ready.then(() => refreshTrust()).catch(() => {});
      void pruneCache().catch(() => {});
    });
    browser.permissions.onAdded.addListener(() => void syncContentScripts());
    browser.permissions.onRemoved.addListener(() => void syncContentScripts());
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === 'refresh') void ready.then(() => refreshTrust()).catch(() => {});
    });
  },
});
