/**
 * "Check video provenance" in the context menu, on videos and on links to video files.
 * A click runs the same lookup as the popup (Service.lookup), and opens the lookup page
 * (entrypoints/lookup/) which shows the Verdict as it arrives. The result travels through
 * storage.session (extension contexts only), so the page needs no message of its own.
 */
import type { Browser } from 'wxt/browser';
import type { Service } from '../../lib/background/service';
import { parseRef } from '../../lib/messages';
import { isFetchableUrl, refSource, type MediaRef } from '../../lib/media/ref';
import { mediaAddressFor } from '../../lib/sites';
import { decideVerdict, type Verdict } from '../../lib/verdict';

export const MENU_VIDEO = 'check-video-provenance';
export const MENU_LINK = 'check-linked-video-provenance';
const TITLE = 'Check video provenance';

/** Links worth the menu item: video files and playlists by extension, and Hugging Face file addresses. */
export const VIDEO_LINK_PATTERNS = [
  ...['mp4', 'm4v', 'mov', 'webm', 'mkv', 'm3u8'].flatMap((ext) => [`*://*/*.${ext}`, `*://*/*.${ext}?*`]),
  '*://huggingface.co/*/resolve/*',
  '*://huggingface.co/*/blob/*',
  '*://*.hf.space/*file=*',
];

/** What a lookup page shows: storage.session key `lookup:<id>`. */
export interface MenuLookup {
  source: string;
  verdict: Verdict;
  /** When the lookup started (ms), to keep only the latest few. */
  at: number;
}

export const LOOKUP_KEY_PREFIX = 'lookup:';
const KEEP_LOOKUPS = 20;

/** Called from onInstalled / onStartup: menu items persist, so they are replaced, never duplicated. */
export async function setupContextMenu(): Promise<void> {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({ id: MENU_VIDEO, title: TITLE, contexts: ['video'] });
  browser.contextMenus.create({ id: MENU_LINK, title: TITLE, contexts: ['link'], targetUrlPatterns: VIDEO_LINK_PATTERNS });
}

type ClickInfo = Pick<Browser.contextMenus.OnClickData, 'menuItemId' | 'srcUrl' | 'linkUrl' | 'frameId' | 'pageUrl'>;

/** What the user pointed at: the element's address, or the link's; site rules applied (HF `/blob/` → `/resolve/`). */
export function menuTarget(info: ClickInfo): string | undefined {
  const raw = info.menuItemId === MENU_LINK ? info.linkUrl : info.srcUrl;
  return raw ? mediaAddressFor(raw) : undefined;
}

/** A reference for an http(s) address (playlists by their extension, as the lookup form does). */
export function refForAddress(address: string): MediaRef | undefined {
  if (!isFetchableUrl(address)) return undefined;
  return /\.m3u8$/i.test(new URL(address).pathname) ? { kind: 'hls', url: address } : { kind: 'url', url: address };
}

/**
 * The click handler. A `blob:` video has no address to fetch, so the content script of that
 * frame is asked which reference it reported for it (X: the stream found from the poster's id;
 * elsewhere: unresolvable with its reason, and the frames it sampled).
 */
export async function onContextMenuClick(service: Service, info: ClickInfo, tab?: Browser.tabs.Tab): Promise<string | undefined> {
  if (info.menuItemId !== MENU_VIDEO && info.menuItemId !== MENU_LINK) return undefined;
  const target = menuTarget(info);
  let ref: MediaRef | undefined = target ? refForAddress(target) : undefined;
  if (!ref && target?.startsWith('blob:') && tab?.id !== undefined) ref = await refReportedFor(tab.id, info.frameId ?? 0, target);
  ref ??= {
    kind: 'unresolvable',
    url: target,
    reason: target?.startsWith('blob:')
      ? 'the page plays this video from memory (a blob: address) and gives no file address to check'
      : 'this is not an http(s) address of a video',
  };
  const id = crypto.randomUUID();
  const source = refSource(ref);
  const at = Date.now();
  await saveLookup(id, { source, verdict: decideVerdict({ source, checking: true }), at });
  await browser.tabs.create({ url: browser.runtime.getURL(`/lookup.html?id=${id}`), index: tab?.index !== undefined ? tab.index + 1 : undefined });
  const verdict = await service.lookup(ref, source);
  await saveLookup(id, { source, verdict, at });
  return id;
}

/** Asks the frame's content script (in its isolated world, out of the page's reach) for the reference of the video playing `src`. */
async function refReportedFor(tabId: number, frameId: number, src: string): Promise<MediaRef | undefined> {
  try {
    const [res] = await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      func: (s: string) => (globalThis as { __provenanceLensRefFor?: (s: string) => unknown }).__provenanceLensRefFor?.(s),
      args: [src],
    });
    // The answer comes from a page's frame: validated like any content report.
    return parseRef(res?.result);
  } catch {
    return undefined;
  }
}

async function saveLookup(id: string, value: MenuLookup): Promise<void> {
  const key = LOOKUP_KEY_PREFIX + id;
  const all = (await browser.storage.session.get(null)) as Record<string, unknown>;
  const older = Object.entries(all)
    .filter(([k]) => k.startsWith(LOOKUP_KEY_PREFIX) && k !== key)
    .sort(([, a], [, b]) => ((a as MenuLookup).at ?? 0) - ((b as MenuLookup).at ?? 0))
    .map(([k]) => k);
  if (older.length >= KEEP_LOOKUPS) await browser.storage.session.remove(older.slice(0, older.length - KEEP_LOOKUPS + 1));
  await browser.storage.session.set({ [key]: value });
}
