/**
 * Generic adapter — serves every site without an adapter of its own.
 * Pages: any http(s) page with <video> elements (src, <source> children, in open shadow roots).
 * Test: tests/e2e/foundation.spec.ts (local fixture page), tests/unit/sites.test.ts.
 */
import type { MediaRef } from '../media/ref';
import type { PageContext, SiteAdapter } from './types';

export const generic: SiteAdapter = {
  name: 'generic',
  matches: () => true,
  resolve: (video, page) => refFromAddress(videoAddress(video), page),
};

/** The address the element plays, or would play: currentSrc, then src, then the first <source>. */
export function videoAddress(video: HTMLVideoElement): string | undefined {
  if (video.currentSrc) return video.currentSrc;
  const attr = video.getAttribute('src');
  if (attr) return video.src || attr;
  for (const s of Array.from(video.querySelectorAll('source'))) {
    const src = s.getAttribute('src');
    if (src) return (s as HTMLSourceElement).src || src;
  }
  return undefined;
}

export function refFromAddress(address: string | undefined, page: PageContext): MediaRef | undefined {
  if (!address) return undefined;
  let url: URL;
  try {
    url = new URL(address, page.url);
  } catch {
    return { kind: 'unresolvable', reason: 'the video address is not valid', url: address.slice(0, 200) };
  }
  if (url.protocol === 'blob:') {
    return {
      kind: 'unresolvable',
      url: url.href,
      reason: 'the page plays this video from memory (a blob: address) and gives no file address to check',
    };
  }
  if (url.protocol === 'data:') return { kind: 'unresolvable', reason: 'the video is embedded in the page as data', url: 'data:' };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'unresolvable', reason: `videos from ${url.protocol} addresses cannot be checked`, url: url.href };
  }
  if (/\.m3u8$/i.test(url.pathname)) return { kind: 'hls', url: url.href };
  return { kind: 'url', url: url.href };
}
