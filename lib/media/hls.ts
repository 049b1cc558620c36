/**
 * HLS playlists: enough of RFC 8216 to turn a master or media playlist into the fMP4 init
 * segment and media segments of one video rendition, which the checker then reads as
 * init + fragment (C2PA) and init + fragments (frames).
 */
import { fetchText, type FetchOptions } from './fetch';
import type { MediaRef } from './ref';

export interface HlsVariant {
  uri: string;
  bandwidth?: number;
  resolution?: { width: number; height: number };
  codecs?: string;
}

export interface HlsSegment {
  uri: string;
  duration: number;
  byteRange?: { length: number; offset?: number };
}

export type Playlist =
  | { kind: 'master'; variants: HlsVariant[] }
  | { kind: 'media'; map?: { uri: string; byteRange?: { length: number; offset?: number } }; segments: HlsSegment[]; endList: boolean };

export class PlaylistError extends Error {
  override name = 'PlaylistError';
}

const MAX_LINES = 200_000;
const MAX_SEGMENTS = 2000;

/** Parses a playlist; URIs are resolved against `base`. Throws PlaylistError on malformed input. */
export function parsePlaylist(text: string, base: string): Playlist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > MAX_LINES) throw new PlaylistError('the playlist is too long');
  if (lines[0]?.trim() !== '#EXTM3U') throw new PlaylistError('not an HLS playlist (no #EXTM3U header)');
  const abs = (u: string) => {
    try {
      return new URL(u.trim(), base).href;
    } catch {
      throw new PlaylistError(`bad address in playlist: "${u.slice(0, 80)}"`);
    }
  };
  const variants: HlsVariant[] = [];
  const segments: HlsSegment[] = [];
  let map: { uri: string; byteRange?: { length: number; offset?: number } } | undefined;
  let pendingVariant: Omit<HlsVariant, 'uri'> | undefined;
  let pendingDuration: number | undefined;
  let pendingRange: { length: number; offset?: number } | undefined;
  let endList = false;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const a = attributes(line.slice(18));
      const res = /^(\d+)x(\d+)$/.exec(a.RESOLUTION ?? '');
      pendingVariant = {
        bandwidth: a.BANDWIDTH ? Number(a.BANDWIDTH) : undefined,
        resolution: res ? { width: Number(res[1]), height: Number(res[2]) } : undefined,
        codecs: a.CODECS,
      };
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const a = attributes(line.slice(11));
      if (!a.URI) throw new PlaylistError('#EXT-X-MAP without URI');
      map = { uri: abs(a.URI), byteRange: a.BYTERANGE ? byteRange(a.BYTERANGE) : undefined };
    } else if (line.startsWith('#EXTINF:')) {
      const d = parseFloat(line.slice(8));
      if (!Number.isFinite(d) || d < 0) throw new PlaylistError(`bad segment duration: ${line.slice(0, 40)}`);
      pendingDuration = d;
    } else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      pendingRange = byteRange(line.slice(17));
    } else if (line === '#EXT-X-ENDLIST') {
      endList = true;
    } else if (!line.startsWith('#')) {
      if (pendingVariant) {
        variants.push({ uri: abs(line), ...pendingVariant });
        pendingVariant = undefined;
      } else {
        if (pendingDuration === undefined) throw new PlaylistError('a segment has no #EXTINF duration');
        segments.push({ uri: abs(line), duration: pendingDuration, byteRange: pendingRange });
        if (segments.length > MAX_SEGMENTS) throw new PlaylistError(`more than ${MAX_SEGMENTS} segments`);
        pendingDuration = undefined;
        pendingRange = undefined;
      }
    }
  }
  if (variants.length) return { kind: 'master', variants };
  if (!segments.length) throw new PlaylistError('the playlist lists no segments');
  return { kind: 'media', map, segments, endList };
}

/**
 * The rendition to check: a video one (not audio-only), the LOWEST that still hashes reliably —
 * at least 360 lines, where PDQ's 64×64 downsample loses nothing a list entry keeps — so a check
 * costs the fewest bytes. Without resolutions, the lowest bandwidth above 500 kbit/s.
 */
export const MIN_HASH_HEIGHT = 360;
export function pickVariant(variants: HlsVariant[]): HlsVariant {
  const video = variants.filter((v) => v.resolution || !v.codecs || /avc1|hvc1|hev1|av01|vp09|vp9/i.test(v.codecs));
  const pool = video.length ? video : variants;
  const sized = pool.filter((v) => v.resolution);
  if (sized.length) {
    const enough = sized.filter((v) => v.resolution!.height >= MIN_HASH_HEIGHT);
    // None tall enough: the tallest there is.
    if (!enough.length) return sized.reduce((best, v) => (v.resolution!.height > best.resolution!.height ? v : best));
    return enough.reduce((best, v) => (v.resolution!.height < best.resolution!.height || (v.resolution!.height === best.resolution!.height && (v.bandwidth ?? 0) < (best.bandwidth ?? 0)) ? v : best));
  }
  const fair = pool.filter((v) => (v.bandwidth ?? 0) >= 500_000);
  const list = fair.length ? fair : pool;
  return list.reduce((best, v) => ((v.bandwidth ?? Infinity) < (best.bandwidth ?? Infinity) ? v : best), list[0]);
}

/** Resolves a playlist address to an fMP4 init + segments reference (or a plain file). */
export async function resolveHls(url: string, opts: FetchOptions = {}, depth = 0): Promise<MediaRef> {
  if (depth > 2) throw new PlaylistError('playlists nest too deep');
  const { text, url: finalUrl } = await fetchText(url, { ...opts, maxBytes: 4 * 1024 * 1024 });
  const p = parsePlaylist(text, finalUrl);
  if (p.kind === 'master') return resolveHls(pickVariant(p.variants).uri, opts, depth + 1);
  if (!p.map) {
    // Without an init segment the stream is MPEG-TS, which has no place for a C2PA manifest.
    return { kind: 'unresolvable', url, reason: 'this stream uses MPEG-TS segments, which cannot carry Content Credentials' };
  }
  if (p.map.byteRange || p.segments.some((s) => s.byteRange)) {
    // One file addressed by byte ranges: the file itself is the video.
    return { kind: 'url', url: p.map.uri };
  }
  return { kind: 'fragments', init: p.map.uri, fragments: p.segments.map((s) => s.uri), durations: p.segments.map((s) => s.duration) };
}

function attributes(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
  return out;
}

function byteRange(s: string): { length: number; offset?: number } {
  const m = /^(\d+)(?:@(\d+))?$/.exec(s.trim());
  if (!m) throw new PlaylistError(`bad byte range: ${s.slice(0, 40)}`);
  return { length: Number(m[1]), offset: m[2] ? Number(m[2]) : undefined };
}
