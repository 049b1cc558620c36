/**
 * X / Twitter adapter.
 * Pages: x.com, twitter.com, mobile.x.com (timeline, tweet pages, media tabs, embeds in those
 * frames). Videos sit in [data-testid=videoPlayer] / [data-testid=videoComponent].
 * Test: tests/unit/sites/x.test.ts (poster → media id, playlist choice from resource entries),
 *       tests/e2e/sites-x.spec.ts (an imitation timeline served as x.com / *.twimg.com over HTTPS).
 *
 * How X shows video (../shared/sites/FACTS.md §1–4): GIFs are plain MP4s on video.twimg.com;
 * everything else plays through MSE, so the element only shows a `blob:` address (on a <source>
 * child, or on video.src in older builds). The poster address carries the media id
 * (`pbs.twimg.com/amplify_video_thumb/<ID>/…`), and the page's own player fetches the master
 * playlist `video.twimg.com/<kind>/<ID>[/pu]/pl/<key>.m3u8`. That request is visible to the
 * content script through the frame's Resource Timing entries, so the adapter pairs the two:
 * no call to X's API, nothing fetched that the page did not fetch itself.
 */
import type { MediaRef } from '../media/ref';
import { refFromAddress, videoAddress } from './generic';
import type { PageContext, SiteAdapter } from './types';

export const X_HOSTS = ['x.com', 'twitter.com'] as const;

export type XMediaKind = 'ext_tw_video' | 'amplify_video' | 'tweet_video';

/** A media item as X names it: numeric id for videos, a key for GIFs (`tweet_video`). */
export interface XMedia {
  kind: XMediaKind;
  id: string;
}

/** The media named by a poster address, e.g. `https://pbs.twimg.com/amplify_video_thumb/<ID>/img/<key>.jpg?name=small`. */
export function mediaFromPoster(poster: string | null | undefined): XMedia | undefined {
  const u = parse(poster);
  if (!u || u.hostname !== 'pbs.twimg.com') return undefined;
  const video = /^\/(ext_tw_video|amplify_video)_thumb\/(\d{5,25})\//.exec(u.pathname);
  if (video) return { kind: video[1] as XMediaKind, id: video[2] };
  const gif = /^\/tweet_video_thumb\/([A-Za-z0-9_-]{5,40})\.(?:jpe?g|png|webp)$/.exec(u.pathname);
  if (gif) return { kind: 'tweet_video', id: gif[1] };
  return undefined;
}

/** The role of one video.twimg.com address in X's HLS layout (FACTS.md §4). */
export type TwimgResource =
  | { role: 'master'; media: XMedia; url: string }
  | { role: 'video-playlist' | 'audio-playlist'; media: XMedia; url: string; height: number }
  | { role: 'init' | 'segment'; media: XMedia; url: string; height: number; startMs: number }
  | { role: 'progressive'; media: XMedia; url: string; height: number };

/** Classifies a video.twimg.com address; anything else (audio segments, other hosts) is undefined or an audio role. */
export function classifyTwimg(address: string): TwimgResource | undefined {
  const u = parse(address);
  if (!u || u.hostname !== 'video.twimg.com' || u.protocol !== 'https:') return undefined;
  const url = u.href;
  const gif = /^\/tweet_video\/([A-Za-z0-9_-]{5,40})\.mp4$/.exec(u.pathname);
  if (gif) return { role: 'progressive', media: { kind: 'tweet_video', id: gif[1] }, url, height: 0 };
  const m = /^\/(ext_tw_video|amplify_video)\/(\d{5,25})(?:\/pu)?\/(.+)$/.exec(u.pathname);
  if (!m) return undefined;
  const media: XMedia = { kind: m[1] as XMediaKind, id: m[2] };
  const rest = m[3];
  if (/^pl\/[^/]+\.m3u8$/.test(rest)) return { role: 'master', media, url };
  const pl = /^pl\/(avc1|hvc1|hev1|av01|vp09|mp4a)\/(?:(\d+)x(\d+)|\d+)\/[^/]+\.m3u8$/.exec(rest);
  if (pl) return pl[1] === 'mp4a' ? { role: 'audio-playlist', media, url, height: 0 } : { role: 'video-playlist', media, url, height: Number(pl[3]) };
  // Segments: /vid/avc1/<startMs>/<endMs>/<W>x<H>/<key>.(mp4|m4s); init = 0/0 and .mp4.
  const seg = /^vid\/(?:[a-z0-9]+\/)?(\d+)\/(\d+)\/(\d+)x(\d+)\/[^/]+\.(mp4|m4s)$/.exec(rest);
  if (seg) {
    const init = seg[5] === 'mp4' && seg[1] === '0' && seg[2] === '0';
    return { role: init ? 'init' : 'segment', media, url, height: Number(seg[4]), startMs: Number(seg[1]) };
  }
  // Progressive MP4: /vid/avc1/<W>x<H>/<key>.mp4 (current) or /vid/<W>x<H>/<key>.mp4 (older).
  const prog = /^vid\/(?:[a-z0-9]+\/)?(\d+)x(\d+)\/[^/]+\.mp4$/.exec(rest);
  if (prog) return { role: 'progressive', media, url, height: Number(prog[2]) };
  return undefined;
}

const MAX_FRAGMENTS = 8;

/**
 * The best reference to a media item from the addresses the page requested, newest last:
 * the master playlist (the checker picks the rendition), else the tallest video playlist,
 * else the init segment with the media segments seen for that rendition, else a progressive MP4.
 */
export function refFromResources(media: XMedia, addresses: Iterable<string>): MediaRef | undefined {
  if (media.kind === 'tweet_video') return { kind: 'url', url: gifUrl(media.id) };
  let master: string | undefined;
  let playlist: { url: string; height: number } | undefined;
  let progressive: { url: string; height: number } | undefined;
  const inits = new Map<number, string>();
  const segments = new Map<number, Map<number, string>>();
  for (const a of addresses) {
    const r = classifyTwimg(a);
    if (!r || r.media.id !== media.id) continue;
    switch (r.role) {
      case 'master':
        master = r.url;
        break;
      case 'video-playlist':
        if (!playlist || r.height >= playlist.height) playlist = r;
        break;
      case 'init':
        inits.set(r.height, r.url);
        break;
      case 'segment': {
        const byStart = segments.get(r.height) ?? new Map<number, string>();
        byStart.set(r.startMs, r.url);
        segments.set(r.height, byStart);
        break;
      }
      case 'progressive':
        if (!progressive || r.height >= progressive.height) progressive = r;
        break;
    }
  }
  if (master) return { kind: 'hls', url: master };
  if (playlist) return { kind: 'hls', url: playlist.url };
  // Only init + segments seen (the playlists fell out of the timing buffer): the tallest
  // rendition that has both, its segments in time order.
  const heights = [...inits.keys()].filter((h) => segments.get(h)?.size).sort((a, b) => b - a);
  if (heights.length) {
    const h = heights[0];
    const frags = [...segments.get(h)!.entries()].sort(([a], [b]) => a - b).map(([, u]) => u);
    return { kind: 'fragments', init: inits.get(h)!, fragments: frags.slice(0, MAX_FRAGMENTS) };
  }
  if (progressive) return { kind: 'url', url: progressive.url };
  return undefined;
}

export function gifUrl(key: string): string {
  return `https://video.twimg.com/tweet_video/${key}.mp4`;
}

/** Looks in the video's player container for a thumbnail when the element itself has no poster. */
function posterOf(video: HTMLVideoElement): string | undefined {
  const own = video.getAttribute('poster');
  if (own) return own;
  const box = video.closest('[data-testid="videoPlayer"], [data-testid="videoComponent"]');
  const img = box?.querySelector<HTMLImageElement>('img[src*="_thumb/"]');
  return img?.getAttribute('src') ?? undefined;
}

/**
 * The addresses this frame has requested from video.twimg.com, from its Resource Timing
 * entries: the buffered ones, and every later one through a PerformanceObserver (which keeps
 * receiving entries even after the page's timing buffer is full or cleared).
 */
export class TwimgRequestLog {
  private urls: string[] = [];
  private seen = new Set<string>();
  private observer: PerformanceObserver | undefined;
  static readonly MAX = 1000;

  constructor(private perf: Performance) {}

  /** Starts observing; `onNew` is called with the media ids that got a new playlist or segment. */
  watch(onNew: (ids: Set<string>) => void): () => void {
    if (this.observer || typeof PerformanceObserver === 'undefined') return () => {};
    const obs = new PerformanceObserver((list) => {
      const ids = this.add(list.getEntries().map((e) => e.name));
      if (ids.size) onNew(ids);
    });
    try {
      obs.observe({ type: 'resource', buffered: true });
    } catch {
      return () => {};
    }
    this.observer = obs;
    return () => {
      obs.disconnect();
      this.observer = undefined;
    };
  }

  /** Reads the timing buffer now (entries the observer has not been handed yet). */
  sync(): void {
    let entries: PerformanceEntryList = [];
    try {
      entries = this.perf.getEntriesByType('resource');
    } catch {
      return;
    }
    this.add(entries.map((e) => e.name));
  }

  addresses(): readonly string[] {
    return this.urls;
  }

  /** Adds addresses; returns the media ids they concern. */
  add(names: string[]): Set<string> {
    const ids = new Set<string>();
    for (const name of names) {
      if (!name.startsWith('https://video.twimg.com/') || this.seen.has(name)) continue;
      const r = classifyTwimg(name);
      if (!r || r.role === 'audio-playlist') continue;
      this.seen.add(name);
      this.urls.push(name);
      ids.add(r.media.id);
    }
    if (this.urls.length > TwimgRequestLog.MAX) {
      const drop = this.urls.splice(0, this.urls.length - TwimgRequestLog.MAX);
      for (const d of drop) this.seen.delete(d);
    }
    return ids;
  }
}

const logs = new WeakMap<Performance, TwimgRequestLog>();

function logFor(win: Window): TwimgRequestLog {
  let log = logs.get(win.performance);
  if (!log) {
    log = new TwimgRequestLog(win.performance);
    logs.set(win.performance, log);
  }
  return log;
}

export function isXHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return X_HOSTS.some((d) => h === d || h.endsWith(`.${d}`));
}

export const x: SiteAdapter = {
  name: 'x',
  matches: isXHost,

  resolve(video: HTMLVideoElement, page: PageContext): MediaRef | undefined {
    const address = videoAddress(video);
    if (address && !address.startsWith('blob:')) return refFromAddress(address, page);
    const media = mediaFromPoster(posterOf(video));
    if (!media) {
      return address
        ? { kind: 'unresolvable', url: address, reason: 'X plays this video from memory (a blob: address) and its poster names no media id' }
        : undefined;
    }
    if (media.kind === 'tweet_video') return { kind: 'url', url: gifUrl(media.id) };
    const win = video.ownerDocument.defaultView;
    if (win) {
      const log = logFor(win);
      let ref = refFromResources(media, log.addresses());
      if (!ref) {
        log.sync();
        ref = refFromResources(media, log.addresses());
      }
      if (ref) return ref;
    }
    if (!address) return undefined;
    return {
      kind: 'unresolvable',
      url: address,
      reason: 'X has not loaded this video’s stream yet; it is checked once the video starts playing',
    };
  },

  watch(win: Window, onChange: () => void): () => void {
    const log = logFor(win);
    log.sync();
    return log.watch(() => onChange());
  },
};

function parse(s: string | null | undefined): URL | undefined {
  if (!s) return undefined;
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
