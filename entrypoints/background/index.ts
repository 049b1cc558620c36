/**
 * Background wiring: listeners are registered synchronously (so a waking service worker
 * gets its events), then state is restored and every message is routed by who sent it.
 */
import { Service, type SessionState } from '../../lib/background/service';
import { loadTrustState, refreshTrustLists, trustStatus, type TrustState } from '../../lib/background/trust-store';
import { pruneCache } from '../../lib/background/cache';
import * as lists from '../../lib/background/list-actions';
import { ListStore } from '../../lib/lists/store';
import { platformFetch } from '../../lib/lists/updater';
import { isVideoSeen, parseCheckVideo, parseContentMessage, parseElementFrames, parsePageMessage, senderKind, type CheckResultMessage, type PageToBackground } from '../../lib/messages';
import { sanitizeSettings, type Settings } from '../../lib/settings';
import { refSource } from '../../lib/media/ref';
import { createWorkerHost } from './worker-host';
import { syncContentScripts } from './content-scripts';
import { forgetToolbar, setToolbar } from './toolbar';
import { onContextMenuClick, setupContextMenu } from './context-menu';

const REFRESH_ALARM = 'refresh';
const IDLE_ALARM = 'close-checker';

export default defineBackground({
  type: 'module',
  main() {
    let settings: Settings = sanitizeSettings(undefined);
    let trust: TrustState = { settings: undefined, version: null };
    const host = createWorkerHost((msg) => void ready.then((s) => s.onResult(msg.key, msg.stage, msg.evidence)));
    const store = ListStore.open();
    const listDeps = async (): Promise<lists.ListDeps> => ({ store: await store, fetch: platformFetch });

    const ready: Promise<Service> = (async () => {
      // Read side by side: a check that wakes this worker waits for all of it.
      const [local, saved] = await Promise.all([browser.storage.local.get('settings'), browser.storage.session.get('state')]);
      settings = sanitizeSettings(local.settings);
      trust = await loadTrustState(await store, settings).catch(() => trust);
      const session = saved.state as SessionState | undefined;
      const service = new Service(
        {
          sendToFrame: (tabId, frameId, msg) => void browser.tabs.sendMessage(tabId, msg, { frameId }).catch(() => {}),
          setToolbar,
          startJob: (job) => {
            void browser.alarms.clear(IDLE_ALARM);
            host.start(job, settings);
          },
          cancelJob: (key) => host.cancel(key),
          warm: () => host.warm(),
          saveSession: (state) => browser.storage.session.set({ state }),
          onIdle: () => void browser.alarms.create(IDLE_ALARM, { delayInMinutes: 1 }),
          now: () => Date.now(),
        },
        () => settings,
        () => trust,
        async (e) => (await store).lookup(e.frames?.length ? { frames: e.frames, alternates: e.alternates } : undefined, e.sha256),
        session,
      );
      return service;
    })();

    const refreshTrust = async (force = false) => {
      await refreshTrustLists(await store, settings, { force });
      trust = await loadTrustState(await store, settings);
    };
    const refreshLists = async () => {
      const outcomes = await lists.updateEvery(await listDeps());
      if (outcomes.some((o) => o.result === 'updated')) await (await ready).rematchAll();
      return outcomes;
    };
    const trustReport = async () => ({
      sources: await trustStatus(await store, settings),
      loaded: !!trust.settings,
      version: trust.version,
      names: trust.settings?.sources ?? [],
    });

    /** Messages from content scripts since this worker started (the stats say it: a page without video must send none). */
    let contentMessages = 0;
    browser.runtime.onMessage.addListener((raw: unknown, sender) => {
      const kind = senderKind(sender, browser.runtime.id, browser.runtime.getURL('/'));
      if (kind === 'content') {
        contentMessages++;
        const msg = parseContentMessage(raw);
        if (msg) return ready.then((s) => s.onVideos(sender.tab!.id!, sender.frameId!, msg));
        const frames = parseElementFrames(raw);
        if (frames) return ready.then((s) => s.onElementFrames(sender.tab!.id!, sender.frameId!, frames));
        if (isVideoSeen(raw)) {
          // Videos on screen are checked without asking: start the checker (worker, engine) while the page loads.
          if (settings.checkMode === 'visible') {
            host.warm();
            void ready.then((s) => {
              // Closed again a minute later if no check comes (the video never shows on screen).
              if (!s.queue.size.running && !s.queue.size.waiting) void browser.alarms.create(IDLE_ALARM, { delayInMinutes: 1 });
            });
          }
          return;
        }
        const ask = parseCheckVideo(raw);
        if (ask) return ready.then((s) => s.onCheckVideo(sender.tab!.id!, sender.frameId!, ask.videoId));
        return;
      }
      if (kind === 'worker-host') {
        const m = raw as CheckResultMessage;
        if (m?.type === 'check-result' && typeof m.key === 'string' && ['c2pa', 'preview', 'frames', 'failed', 'lost'].includes(m.stage) && m.evidence) {
          host.deliver(m);
        }
        return;
      }
      if (kind === 'page') {
        const msg = parsePageMessage(raw);
        if (!msg) return;
        return ready.then((s) => handlePage(s, msg)).catch((err: Error) => ({ ok: false, error: err?.message ?? String(err) }));
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
          const hls = /\.m3u8(\?|$)/i.test(new URL(msg.url).pathname);
          return s.lookup(hls ? { kind: 'hls', url: msg.url } : { kind: 'url', url: msg.url }, refSource({ kind: 'url', url: msg.url }));
        }
        case 'lookup-upload':
          return s.lookup({ kind: 'file', name: msg.name, size: msg.size }, msg.name, msg.uploadId);
        case 'recheck':
          s.recheck(msg.key);
          return { ok: true };
        case 'stats':
          return { ...s.queue.size, peakRunning: s.queue.peakRunning, cancels: s.cancels, contentMessages };
        case 'trust-status':
          return trustReport();
        case 'trust-update-now':
          await refreshTrust(true);
          return trustReport();
        case 'settings-changed':
          settings = sanitizeSettings((await browser.storage.local.get('settings')).settings);
          s.queue.setConcurrency(settings.concurrency);
          s.reconsider();
          trust = await loadTrustState(await store, settings);
          void refreshTrust().catch(() => {});
          return { ok: true };
        case 'lists-changed':
          await s.rematchAll();
          return { ok: true };
        case 'lists-status':
          return lists.listsOverview(await store);
        case 'list-subscribe': {
          const outcome = await lists.subscribeAndUpdate(await listDeps(), msg);
          await s.rematchAll();
          return outcome;
        }
        case 'list-update': {
          const outcome = msg.id ? [await lists.updateOne(await listDeps(), msg.id)] : await lists.updateEvery(await listDeps());
          await s.rematchAll();
          return outcome;
        }
        case 'list-remove':
          await lists.removeList(await listDeps(), msg.id);
          await s.rematchAll();
          return { ok: true };
        case 'list-enable':
          await lists.enableList(await listDeps(), msg.id, msg.enabled);
          await s.rematchAll();
          return { ok: true };
        case 'list-confirm-key': {
          const outcome = await lists.confirmKey(await listDeps(), msg.id, msg.key);
          await s.rematchAll();
          return outcome;
        }
        case 'user-list-add': {
          const e = await s.evidenceFor(msg.key);
          if (!e) return { ok: false, error: 'this video has not been checked yet' };
          await lists.addToUserList(await store, e, msg.label, msg.notes);
          await s.rematchAll();
          return { ok: true };
        }
        case 'user-list-remove':
          await lists.removeFromUserList(await store, msg.entryId);
          await s.rematchAll();
          return { ok: true };
        case 'backup-export':
          return { text: await lists.backupText(await store, settings) };
        case 'backup-import': {
          const report = await lists.restoreBackup(await store, msg.text);
          if (report.settings && typeof report.settings === 'object') {
            await browser.storage.local.set({ settings: sanitizeSettings({ ...settings, ...(report.settings as object) }) });
            settings = sanitizeSettings((await browser.storage.local.get('settings')).settings);
          }
          await s.rematchAll();
          return { ok: true, report };
        }
      }
    }

    browser.tabs.onRemoved.addListener((tabId) => {
      forgetToolbar(tabId);
      void ready.then((s) => s.onTabClosed(tabId));
    });
    browser.tabs.onUpdated.addListener((tabId, info) => {
      if (info.status !== 'loading' || !info.url) return;
      // The browser may reset a tab's badge when it navigates: send the next one whole.
      forgetToolbar(tabId);
      void ready.then((s) => s.onFrameGone(tabId, 0));
    });

    const scheduleRefresh = () => void browser.alarms.create(REFRESH_ALARM, { periodInMinutes: 60 });
    browser.runtime.onInstalled.addListener(() => {
      scheduleRefresh();
      void syncContentScripts();
      void setupContextMenu().catch(() => {});
      void ready.then(() => Promise.all([refreshTrust(), refreshLists()])).catch(() => {});
    });
    browser.runtime.onStartup.addListener(() => {
      scheduleRefresh();
      void syncContentScripts();
      void setupContextMenu().catch(() => {});
      void ready.then(() => Promise.all([refreshTrust(), refreshLists()])).catch(() => {});
      void pruneCache().catch(() => {});
    });
    browser.permissions.onAdded.addListener(() => void syncContentScripts());
    browser.permissions.onRemoved.addListener(() => void syncContentScripts());
    browser.storage.onChanged.addListener((changes, area) => area === 'local' && changes.pageSites && void syncContentScripts());
    browser.contextMenus.onClicked.addListener((info, tab) => void ready.then((s) => onContextMenuClick(s, info, tab)).catch(() => {}));
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === REFRESH_ALARM) void ready.then(() => Promise.all([refreshTrust(), refreshLists()])).catch(() => {});
      if (alarm.name === IDLE_ALARM) void ready.then((s) => {
        if (s.queue.size.running || s.queue.size.waiting) return;
        host.close();
        s.cooled();
      });
    });
  },
});
