/** What the extension's own pages ask the background, in one place. */
import type { TabVideo } from '../messages';
import type { Verdict } from '../verdict';
import { db } from '../db';

export const api = {
  tabVideos: (tabId: number) => browser.runtime.sendMessage({ type: 'tab-videos', tabId }) as Promise<TabVideo[]>,
  reveal: (tabId: number, v: TabVideo) => browser.runtime.sendMessage({ type: 'reveal', tabId, frameId: v.frameId, videoId: v.videoId }),
  /** Check a video now (one not checked under the data-use setting, or a retry after a failed download). */
  recheck: (key: string) => browser.runtime.sendMessage({ type: 'recheck', key }),
  checkUrl: (url: string) => browser.runtime.sendMessage({ type: 'lookup-url', url }) as Promise<Verdict>,
  /** Local files go to the worker through IndexedDB (messages cannot carry large binary data). */
  async checkFile(file: File): Promise<Verdict> {
    const id = crypto.randomUUID();
    await (await db()).put('uploads', { id, name: file.name, blob: file, storedAt: Date.now() });
    return browser.runtime.sendMessage({ type: 'lookup-upload', uploadId: id, name: file.name, size: file.size }) as Promise<Verdict>;
  },
  trustStatus: () => browser.runtime.sendMessage({ type: 'trust-status' }),
  trustUpdateNow: () => browser.runtime.sendMessage({ type: 'trust-update-now' }),
  settingsChanged: () => browser.runtime.sendMessage({ type: 'settings-changed' }),
};
