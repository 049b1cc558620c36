/**
 * MediaRef: a page's best description of where a video's bytes are, as a site adapter
 * found it. It is only a *reference*: the extension fetches and checks the bytes itself,
 * so nothing a page says can change a verdict, only which address gets checked.
 */
export type MediaRef =
  /** A plain file address (progressive MP4/MOV/WebM…). */
  | { kind: 'url'; url: string }
  /** An HLS playlist (master or media); the checker picks a rendition and reads init + segments. */
  | { kind: 'hls'; url: string }
  /** A fragmented MP4 given as an init segment plus one or more media fragments. */
  | { kind: 'fragments'; init: string; fragments: string[]; /** Seconds per fragment, when a playlist said (never taken from a page). */ durations?: number[] }
  /** A local file chosen by the user (bytes travel with the request, never a page). */
  | { kind: 'file'; name: string; size: number }
  /** Frames sampled from the element itself (blob: video on an unknown site), no bytes. */
  | { kind: 'element'; pageUrl: string; reason: string }
  /** Nothing checkable; `reason` says why in words. */
  | { kind: 'unresolvable'; reason: string; url?: string };

const MAX_URL = 8192;

/** Only http(s) addresses are ever fetched; anything else is refused here, once. */
export function isFetchableUrl(u: unknown): u is string {
  if (typeof u !== 'string' || u.length > MAX_URL) return false;
  try {
    const p = new URL(u);
    return p.protocol === 'https:' || p.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The cache and de-duplication key of a reference: two videos with the same key share one check. */
export function mediaKey(ref: MediaRef): string {
  switch (ref.kind) {
    case 'url':
    case 'hls':
      return `${ref.kind}:${stripFragment(ref.url)}`;
    case 'fragments':
      return `fragments:${stripFragment(ref.init)}|${ref.fragments.map(stripFragment).join('|')}`;
    case 'file':
      return `file:${ref.name}:${ref.size}`;
    case 'element':
      return `element:${ref.pageUrl}`;
    case 'unresolvable':
      return `unresolvable:${ref.url ?? ''}:${ref.reason}`;
  }
}

/** The address shown to people for a reference. */
export function refSource(ref: MediaRef): string {
  switch (ref.kind) {
    case 'url':
    case 'hls':
      return ref.url;
    case 'fragments':
      return ref.init;
    case 'file':
      return ref.name;
    case 'element':
      return ref.pageUrl;
    case 'unresolvable':
      return ref.url ?? '(no address)';
  }
}

function stripFragment(u: string): string {
  const i = u.indexOf('#');
  return i < 0 ? u : u.slice(0, i);
}
