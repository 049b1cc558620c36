/**
 * The typed protocol between the extension's contexts, and the validators the background
 * runs on everything it receives. Content scripts live in pages we do not trust, so what
 * they send is reduced to plain references (ids, addresses) — never verdicts — and
 * privileged requests are accepted only from the extension's own pages.
 */
import { isFetchableUrl, mediaKey, type MediaRef } from './media/ref';
import type { PictureBinding, Verdict } from './verdict';
import type { CheckStage } from './worker/job';

/** What a content script reports about one video element in its frame. */
export interface VideoReport {
  /** Per-frame id the content script gave the element ("v1", "v2", …). */
  id: string;
  ref: MediaRef;
  /** On screen or about to be (within a screen's height of the viewport). */
  visible: boolean;
  /** The user has played it (since it was spotted). */
  played?: boolean;
  /** Playing now. */
  playing?: boolean;
  /** Its frames can be drawn and read (same origin, blob:, or CORS): a fingerprint needs no download. */
  readable?: boolean;
  /** Something else (a video, canvas or image) is painted on top of it at its own area (lib/content/cover.ts). */
  covered?: boolean;
}

export type ContentToBackground =
  /** The complete list of videos of the sending frame (replaces the previous one). */
  | {
      type: 'videos';
      videos: VideoReport[];
      pageUrl: string;
      /** The page's own word on injected UI (its CR-allow-UI-injection meta), not the user's setting: the popup says why a page shows no badges. */
      badges: boolean;
      saveData?: boolean;
    };

/**
 * A frame has a video (seen as the content script starts, before the page has loaded and its
 * videos are reported): the background may start the checker now, so the first check does not
 * wait for it. Carries nothing.
 */
export function isVideoSeen(msg: unknown): boolean {
  return isObj(msg) && msg.type === 'video-seen';
}

/** The user asked to check one of the frame's videos (a trusted click on its badge). */
export interface CheckVideoRequest {
  type: 'check-video';
  videoId: string;
}

export function parseCheckVideo(msg: unknown): CheckVideoRequest | undefined {
  if (!isObj(msg) || msg.type !== 'check-video' || typeof msg.videoId !== 'string' || !/^[a-z0-9-]{1,32}$/i.test(msg.videoId)) return undefined;
  return { type: 'check-video', videoId: msg.videoId };
}

// ── element frames (issue 5): frames sampled from a blob: video element ──────────────────
/**
 * Frames a content script hashed from one of its `blob:` videos (lib/content/element-frames.ts):
 * its file cannot be fetched, but its frames can be matched against the lists. `src` is the blob
 * address sampled; the background only accepts frames for a video it has registered with that
 * very (unresolvable) address. Each report carries every frame so far (it replaces the last).
 */
export interface ElementFramesReport {
  type: 'element-frames';
  videoId: string;
  src: string;
  /** For a video with a fetchable address: the key the background gave it (frames seen while it played). */
  key?: string;
  frames: { t: number; pdq: string; quality: number }[];
  /** The frames could not be read: a cross-origin video without CORS taints the canvas. */
  problem?: 'cross-origin';
}

export const MAX_ELEMENT_FRAMES = 120;

/** Validates an element-frames report strictly: bounded count, 64-hex PDQ, quality 0–100, sane times. */
export function parseElementFrames(msg: unknown): ElementFramesReport | undefined {
  if (!isObj(msg) || msg.type !== 'element-frames') return undefined;
  if (typeof msg.videoId !== 'string' || !/^[a-z0-9-]{1,32}$/i.test(msg.videoId)) return undefined;
  if (typeof msg.src !== 'string' || msg.src.length > 8192) return undefined;
  if (msg.key !== undefined && (typeof msg.key !== 'string' || msg.key.length > 20000)) return undefined;
  if (msg.key === undefined && !msg.src.startsWith('blob:') && !msg.src.startsWith('stream:')) return undefined;
  if (!Array.isArray(msg.frames) || msg.frames.length > MAX_ELEMENT_FRAMES) return undefined;
  if (msg.problem !== undefined && msg.problem !== 'cross-origin') return undefined;
  const frames: ElementFramesReport['frames'] = [];
  for (const f of msg.frames) {
    if (!isObj(f)) return undefined;
    const { t, pdq, quality } = f;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 7 * 24 * 3600) return undefined;
    if (typeof pdq !== 'string' || !/^[0-9a-f]{64}$/.test(pdq)) return undefined;
    if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 0 || quality > 100) return undefined;
    frames.push({ t, pdq, quality });
  }
  return { type: 'element-frames', videoId: msg.videoId, src: msg.src, ...(msg.key ? { key: msg.key as string } : {}), frames, ...(msg.problem ? { problem: msg.problem } : {}) };
}
// ── end element frames ─────────────────────────────────────────────────────────────────────

export type BackgroundToContent =
  | { type: 'verdict'; key: string; verdict: Verdict }
  /** Whether each of the frame's videos shows the file its verdict is about (by video id). */
  | { type: 'pictures'; pictures: Record<string, PictureBinding> }
  | { type: 'reveal'; videoId: string };

/** Answer to a `videos` report: the key of each video and every verdict already known. */
export interface VideosAck {
  keys: Record<string, string>;
  verdicts: Record<string, Verdict>;
  pictures: Record<string, PictureBinding>;
  /** Whether to sample frames of blob: videos (the user's "compute frame fingerprints" setting). */
  sampleFrames?: boolean;
  /** The user's "show badges" setting: the frame needs no storage read of its own before its first badge. */
  badges?: boolean;
}

export interface TabVideo {
  frameId: number;
  videoId: string;
  key: string;
  ref: MediaRef;
  visible: boolean;
  pageUrl: string;
  /** False when the video's page asks extensions not to draw on it (it gets no badge; the popup says why). */
  pageAllowsBadges: boolean;
  verdict?: Verdict;
}

/** Requests only the extension's own pages (popup, options) may make. */
export type PageToBackground =
  | { type: 'tab-videos'; tabId: number }
  | { type: 'reveal'; tabId: number; frameId: number; videoId: string }
  | { type: 'lookup-url'; url: string }
  | { type: 'lookup-upload'; uploadId: string; name: string; size: number }
  | { type: 'recheck'; key: string }
  | { type: 'trust-status' }
  | { type: 'trust-update-now' }
  | { type: 'settings-changed' }
  | { type: 'lists-changed' }
  | { type: 'user-list-add'; key: string; label: string; notes?: string }
  | { type: 'user-list-remove'; entryId: string }
  | { type: 'lists-status' }
  | { type: 'list-subscribe'; url: string; publicKey: string; name?: string }
  | { type: 'list-update'; id?: string }
  | { type: 'list-remove'; id: string }
  | { type: 'list-enable'; id: string; enabled: boolean }
  | { type: 'list-confirm-key'; id: string; key: string }
  | { type: 'backup-export' }
  | { type: 'backup-import'; text: string }
  /** Queue figures (for the options page's status line, the load tests and the benchmark). */
  | { type: 'stats' };

/** Results the worker host (offscreen document / Firefox background page) posts back. */
export interface CheckResultMessage {
  type: 'check-result';
  key: string;
  /**
   * `c2pa`: first stage (C2PA + SHA-256); `preview`: the first frame hashes, ahead of the rest
   * (lib/worker/job.ts); `frames`: fingerprint; `failed`: the job could not run; `lost`: the
   * worker context died with it (it is run again once).
   */
  stage: CheckStage | 'failed' | 'lost';
  evidence: import('./verdict').Evidence;
}

const MAX_VIDEOS_PER_FRAME = 500;
const MAX_ID = 32;
const MAX_REASON = 300;

/** Validates a content script's report; anything malformed is dropped, not repaired. */
export function parseContentMessage(msg: unknown): ContentToBackground | undefined {
  if (!isObj(msg) || msg.type !== 'videos') return undefined;
  if (!Array.isArray(msg.videos)) return undefined;
  if (typeof msg.pageUrl !== 'string' || msg.pageUrl.length > 8192) return undefined;
  const videos: VideoReport[] = [];
  const seen = new Set<string>();
  // A frame with more videos than that is truncated, never rejected: hundreds of empty videos must not hide a real one
  // (the content script puts videos that can be checked and are on screen first).
  for (const v of msg.videos.slice(0, MAX_VIDEOS_PER_FRAME)) {
    if (!isObj(v) || typeof v.id !== 'string' || !/^[a-z0-9-]{1,32}$/i.test(v.id) || v.id.length > MAX_ID || seen.has(v.id)) return undefined;
    const ref = parseRef(v.ref);
    if (!ref) return undefined;
    seen.add(v.id);
    videos.push({ id: v.id, ref, visible: v.visible === true, played: v.played === true, playing: v.playing === true, readable: v.readable === true, covered: v.covered === true });
  }
  return { type: 'videos', videos, pageUrl: msg.pageUrl, badges: msg.badges !== false, saveData: msg.saveData === true };
}

/** A media reference from an untrusted context: only the shapes we know, only http(s) addresses. */
export function parseRef(r: unknown): MediaRef | undefined {
  if (!isObj(r)) return undefined;
  switch (r.kind) {
    case 'url':
    case 'hls':
      return isFetchableUrl(r.url) ? { kind: r.kind, url: r.url } : undefined;
    case 'fragments': {
      if (!isFetchableUrl(r.init) || !Array.isArray(r.fragments) || r.fragments.length < 1 || r.fragments.length > 8) return undefined;
      if (!r.fragments.every(isFetchableUrl)) return undefined;
      return { kind: 'fragments', init: r.init, fragments: r.fragments as string[] };
    }
    case 'element':
      return typeof r.pageUrl === 'string' && typeof r.reason === 'string'
        ? { kind: 'element', pageUrl: r.pageUrl.slice(0, 8192), reason: r.reason.slice(0, MAX_REASON) }
        : undefined;
    case 'unresolvable':
      return typeof r.reason === 'string'
        ? { kind: 'unresolvable', reason: r.reason.slice(0, MAX_REASON), ...(typeof r.url === 'string' ? { url: r.url.slice(0, 8192) } : {}) }
        : undefined;
    default:
      // `file` references come only from the extension's own pages, never from content.
      return undefined;
  }
}

export function parsePageMessage(msg: unknown): PageToBackground | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  const int = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);
  switch (msg.type) {
    case 'tab-videos':
      return int(msg.tabId) !== undefined ? { type: 'tab-videos', tabId: msg.tabId as number } : undefined;
    case 'reveal':
      return int(msg.tabId) !== undefined && int(msg.frameId) !== undefined && typeof msg.videoId === 'string' && msg.videoId.length <= MAX_ID
        ? { type: 'reveal', tabId: msg.tabId as number, frameId: msg.frameId as number, videoId: msg.videoId }
        : undefined;
    case 'lookup-url':
      return isFetchableUrl(msg.url) ? { type: 'lookup-url', url: msg.url } : undefined;
    case 'lookup-upload':
      return typeof msg.uploadId === 'string' && /^[a-z0-9-]{8,64}$/i.test(msg.uploadId) && typeof msg.name === 'string' && int(msg.size) !== undefined
        ? { type: 'lookup-upload', uploadId: msg.uploadId, name: msg.name.slice(0, 260), size: msg.size as number }
        : undefined;
    case 'recheck':
      return typeof msg.key === 'string' && msg.key.length < 20000 ? { type: 'recheck', key: msg.key } : undefined;
    case 'trust-status':
    case 'trust-update-now':
    case 'stats':
    case 'lists-status':
    case 'backup-export':
    case 'settings-changed':
    case 'lists-changed':
      return { type: msg.type };
    case 'user-list-add':
      return typeof msg.key === 'string' && typeof msg.label === 'string' && msg.label.trim() && msg.label.length <= 500
        ? { type: 'user-list-add', key: msg.key, label: msg.label.trim(), notes: typeof msg.notes === 'string' ? msg.notes.slice(0, 5000) : undefined }
        : undefined;
    case 'user-list-remove':
      return typeof msg.entryId === 'string' && msg.entryId.length <= 200 ? { type: 'user-list-remove', entryId: msg.entryId } : undefined;
    case 'list-subscribe':
      return isFetchableUrl(msg.url) && typeof msg.publicKey === 'string' && msg.publicKey.length <= 200
        ? { type: 'list-subscribe', url: msg.url, publicKey: msg.publicKey.trim(), name: typeof msg.name === 'string' && msg.name.trim() ? msg.name.trim().slice(0, 200) : undefined }
        : undefined;
    case 'list-update':
      return msg.id === undefined || (typeof msg.id === 'string' && msg.id.length <= 100) ? { type: 'list-update', id: msg.id as string | undefined } : undefined;
    case 'list-remove':
      return typeof msg.id === 'string' && msg.id.length <= 100 ? { type: 'list-remove', id: msg.id } : undefined;
    case 'list-enable':
      return typeof msg.id === 'string' && typeof msg.enabled === 'boolean' ? { type: 'list-enable', id: msg.id, enabled: msg.enabled } : undefined;
    case 'list-confirm-key':
      return typeof msg.id === 'string' && typeof msg.key === 'string' && msg.key.length <= 200 ? { type: 'list-confirm-key', id: msg.id, key: msg.key } : undefined;
    case 'backup-import':
      return typeof msg.text === 'string' && msg.text.length <= 64 * 1024 * 1024 ? { type: 'backup-import', text: msg.text } : undefined;
    default:
      return undefined;
  }
}

/** Recomputes the key the background uses; a content script's own idea of it is never used. */
export const keyOf = mediaKey;

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export interface SenderLike {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

/**
 * Who sent a runtime message. Anything not from this extension is refused; the extension's
 * own pages (popup, options, offscreen) are told apart from content scripts by their address,
 * which a web page cannot forge.
 */
export function senderKind(sender: SenderLike, extensionId: string, extensionOrigin: string): 'page' | 'worker-host' | 'content' | undefined {
  if (sender.id !== extensionId) return undefined;
  const origin = extensionOrigin.replace(/\/+$/, '');
  if (sender.url && (sender.url === origin || sender.url.startsWith(origin + '/'))) {
    return new URL(sender.url).pathname === '/offscreen.html' ? 'worker-host' : 'page';
  }
  if (sender.tab && typeof sender.tab.id === 'number' && typeof sender.frameId === 'number') return 'content';
  return undefined;
}
