/**
 * Which videos each tab and frame shows, as their content scripts last reported them.
 * Serialisable, so the service worker can put it back after a restart.
 */
import type { MediaRef } from '../media/ref';

export interface RegisteredVideo {
  videoId: string;
  key: string;
  ref: MediaRef;
  visible: boolean;
  played?: boolean;
  playing?: boolean;
  readable?: boolean;
  covered?: boolean;
  /** Report order, so the popup lists videos in page order. */
  order: number;
}

interface FrameEntry {
  pageUrl: string;
  /** The page allows injected UI (lib/messages.ts). */
  badges: boolean;
  videos: RegisteredVideo[];
}

export type RegistrySnapshot = Record<string, Record<string, FrameEntry>>;

export class TabRegistry {
  private tabs = new Map<number, Map<number, FrameEntry>>();

  /** Replaces a frame's videos; returns the keys that are new to that frame. */
  setFrame(tabId: number, frameId: number, pageUrl: string, badges: boolean, videos: Omit<RegisteredVideo, 'order'>[]): string[] {
    const frames = this.tabs.get(tabId) ?? new Map<number, FrameEntry>();
    const before = new Set(frames.get(frameId)?.videos.map((v) => v.key));
    frames.set(frameId, { pageUrl, badges, videos: videos.map((v, order) => ({ ...v, order })) });
    this.tabs.set(tabId, frames);
    return [...new Set(videos.map((v) => v.key))].filter((k) => !before.has(k));
  }

  removeTab(tabId: number): void {
    this.tabs.delete(tabId);
  }

  /** A frame navigated or went away. Frame 0 navigating drops the whole tab's videos. */
  removeFrame(tabId: number, frameId: number): void {
    if (frameId === 0) this.tabs.delete(tabId);
    else this.tabs.get(tabId)?.delete(frameId);
  }

  tabVideos(tabId: number): (RegisteredVideo & { frameId: number; pageUrl: string; pageAllowsBadges: boolean })[] {
    const frames = this.tabs.get(tabId);
    if (!frames) return [];
    return [...frames.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([frameId, f]) => f.videos.map((v) => ({ ...v, frameId, pageUrl: f.pageUrl, pageAllowsBadges: f.badges !== false })));
  }

  /** Every (tab, frame) showing a key, for pushing its verdict. */
  placesOf(key: string): { tabId: number; frameId: number }[] {
    const out: { tabId: number; frameId: number }[] = [];
    for (const [tabId, frames] of this.tabs) {
      for (const [frameId, f] of frames) if (f.videos.some((v) => v.key === key)) out.push({ tabId, frameId });
    }
    return out;
  }

  tabIds(): number[] {
    return [...this.tabs.keys()];
  }

  isVisibleAnywhere(key: string): boolean {
    for (const frames of this.tabs.values()) for (const f of frames.values()) if (f.videos.some((v) => v.key === key && v.visible)) return true;
    return false;
  }

  snapshot(): RegistrySnapshot {
    const out: RegistrySnapshot = {};
    for (const [tabId, frames] of this.tabs) {
      out[tabId] = {};
      for (const [frameId, f] of frames) out[tabId][frameId] = f;
    }
    return out;
  }

  static restore(s: RegistrySnapshot | undefined): TabRegistry {
    const r = new TabRegistry();
    for (const [tabId, frames] of Object.entries(s ?? {})) {
      const m = new Map<number, FrameEntry>();
      for (const [frameId, f] of Object.entries(frames)) m.set(Number(frameId), f);
      r.tabs.set(Number(tabId), m);
    }
    return r;
  }
}
