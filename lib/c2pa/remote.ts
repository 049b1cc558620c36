/**
 * Remote manifests under the extension's own network policy. The C2PA engine never fetches
 * (its `verify.remote_manifest_fetch` is off, see `readerContext`); instead, when an asset
 * points to its manifest store — an HTTP `Link: <…>; rel="c2pa-manifest"` header on the response
 * that served it, or a reference inside the file (XMP `dcterms:provenance`) — this module decides
 * whether to fetch it (the video's own origin by default; another host only when the user allows
 * it), fetches it through the caller's fetch function (the extension's capped, timed, cookie-less
 * helper), and has the engine validate it against the asset's own bytes.
 *
 * Validation, against the asset's own bytes, by the engine:
 * - a reference inside the file: the engine is let follow it, and is served the store this module
 *   fetched (lib/c2pa/engine-fetch.ts) — its own remote path, for every format it reads;
 * - a `Link` header only: the engine has no "manifest data + asset" entry point (c2pa-wasm 0.15),
 *   so the store is appended to an ISO BMFF asset (MP4, MOV) as the C2PA box it would have been,
 *   had it been embedded. The BMFF hash binding excludes C2PA boxes and covers every other box at
 *   its offset, so appending changes nothing it covers: a store made for this asset reads valid,
 *   one made for another reads `assertion.bmffHash.mismatch`. Other formats bind by byte ranges
 *   that a store placed after the fact cannot satisfy: for them a store named only by a `Link`
 *   header is not fetched, and the verdict says why (`linkOnlyNote`).
 */
import type { C2paEvidence, RemoteManifest } from '../verdict';
import type { RoutedStore } from './read';
import { C2PA_UUID, checkStructure, findC2paBox } from '../media/bmff';

/** Largest remote manifest store fetched (c2pa-rs's own default response cap is of this order). */
export const MAX_REMOTE_MANIFEST_BYTES = 10 * 1024 * 1024;

export interface RemotePolicy {
  /** Fetch remote manifests kept on another host than the video's (off by default: it tells that host you watched). */
  allowOtherHosts: boolean;
  /** Never fetch (the CLI's --no-remote). */
  never?: boolean;
  /** Why another host is not fetched from, in words for the reader (the extension points to its setting). */
  otherHostNote?: string;
}

/** Formats whose remote store can be checked when only a `Link` header names it. */
export function linkHeaderCheckable(mime: string): boolean {
  return mime === 'video/mp4' || mime === 'video/quicktime';
}

/** Why a store named only by a Link header is not fetched for other formats. */
export function linkOnlyNote(mime: string): string {
  return `the file does not name them itself, and for ${formatWords(mime)} the C2PA reader can check credentials kept apart from the file only when the file names them (only MP4 and MOV videos can be checked from a Link header)`;
}

function formatWords(mime: string): string {
  const [kind, sub] = mime.split('/');
  const name = (sub ?? mime).replace(/^x-/, '').toUpperCase();
  return kind === 'image' ? `${name} images` : kind === 'video' ? `${name} videos` : `${name} files`;
}

export const EXTENSION_OTHER_HOST_NOTE = "it is another host than the video's; allow it in the options to read them";

export interface RemoteContext {
  /** The asset's address (after redirects), when it came from the network. */
  assetUrl?: string;
  /** The `Link` header of the response that served the asset. */
  link?: string | null;
  policy: RemotePolicy;
  /** Fetches a remote manifest store (capped, timed out, no credentials); throws with a message in words. */
  fetchManifest: (url: string) => Promise<Uint8Array>;
}

/** The manifest address from an HTTP `Link` header (`<url>; rel="c2pa-manifest"`), resolved against the asset's address. */
export function manifestFromLinkHeader(link: string | null | undefined, base?: string): string | undefined {
  if (!link) return undefined;
  for (const part of splitLinks(link.slice(0, 8192))) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (!m) continue;
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(m[2]);
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('c2pa-manifest')) continue;
    const url = absolute(m[1], base);
    if (url) return url;
  }
  return undefined;
}

/** Parameters may quote commas; split on commas outside `<…>` and quotes. */
function splitLinks(h: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inAngle = false;
  let inQuote = false;
  for (const ch of h) {
    if (ch === '<' && !inQuote) inAngle = true;
    else if (ch === '>' && !inQuote) inAngle = false;
    else if (ch === '"' && !inAngle) inQuote = !inQuote;
    if (ch === ',' && !inAngle && !inQuote) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function absolute(u: string, base?: string): string | undefined {
  try {
    const url = new URL(u.trim(), base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unknown host';
  }
}

/** Same scheme, host and port as the asset (the only place fetched from by default). */
export function sameOrigin(a: string, b?: string): boolean {
  if (!b) return false;
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The C2PA manifest box the store would have been, had it been embedded (BMFF `uuid`, purpose "manifest"). */
export function c2paManifestBox(store: Uint8Array): Uint8Array {
  const purpose = new TextEncoder().encode('manifest\0');
  const size = 8 + 16 + 4 + purpose.length + 8 + store.length;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set([0x75, 0x75, 0x69, 0x64], 4); // 'uuid'
  for (let i = 0; i < 16; i++) out[8 + i] = parseInt(C2PA_UUID.slice(i * 2, i * 2 + 2), 16);
  // 4 bytes version/flags (0), the purpose, 8 bytes of Merkle offset (0), then the store.
  out.set(purpose, 28);
  out.set(store, 28 + purpose.length + 8);
  return out;
}

/** The asset with a remote store appended as its C2PA box, or undefined when the format cannot carry it that way. */
export function withRemoteStore(asset: Uint8Array, mime: string, store: Uint8Array): Uint8Array | undefined {
  if (!linkHeaderCheckable(mime)) return undefined;
  if (findC2paBox(checkStructure(asset))) return undefined; // already embedded: the embedded one is what was read
  const box = c2paManifestBox(store);
  const out = new Uint8Array(asset.length + box.length);
  out.set(asset);
  out.set(box, asset.length);
  return out;
}

/** Where the asset says its credentials are, if it says so at all (the in-file reference first: it is signed-over). */
export function remoteReference(evidence: C2paEvidence, ctx: Pick<RemoteContext, 'assetUrl' | 'link'>): Omit<RemoteManifest, 'status'> | undefined {
  if (evidence.state !== 'absent') return undefined;
  if (evidence.remote) return { url: evidence.remote.url, host: evidence.remote.host, via: evidence.remote.via };
  const url = manifestFromLinkHeader(ctx.link, ctx.assetUrl);
  return url ? { url, host: hostOf(url), via: 'link-header' } : undefined;
}

/** Why a remote manifest was not fetched or read, in words (also what the badge says). */
export function remoteWords(r: RemoteManifest): string {
  if (r.status === 'not-fetched') return `credentials stored at ${r.host}, not fetched${r.note ? `: ${r.note}` : ''}`;
  if (r.status === 'failed') return `credentials stored at ${r.host} could not be read: ${r.note ?? 'unknown reason'}`;
  return `credentials fetched from ${r.host}`;
}

/**
 * Follows a remote reference if the policy allows: returns the evidence read from the fetched
 * store (validated against `asset`), or the absent evidence annotated with why it was not read.
 * `read` runs the engine on bytes (with its usual trust settings), serving it `routed` when given.
 */
export async function followRemote(
  evidence: C2paEvidence,
  asset: Uint8Array,
  mime: string,
  ctx: RemoteContext,
  read: (bytes: Uint8Array, routed?: RoutedStore) => Promise<C2paEvidence>,
): Promise<C2paEvidence> {
  const ref = remoteReference(evidence, ctx);
  if (!ref) return evidence;
  // A local file has no origin: the reference is followed only when other hosts are allowed (the CLI's default).
  if (!/^https?:\/\//i.test(ref.url)) return { ...evidence, remote: { ...ref, status: 'failed', note: 'the reference is not a web (http or https) address' } };
  if (ctx.policy.never) return { ...evidence, remote: { ...ref, status: 'not-fetched', note: 'remote references are not followed (--no-remote)' } };
  if (!sameOrigin(ref.url, ctx.assetUrl) && !ctx.policy.allowOtherHosts) {
    return { ...evidence, remote: { ...ref, status: 'not-fetched', note: ctx.policy.otherHostNote ?? EXTENSION_OTHER_HOST_NOTE } };
  }
  if (ref.via === 'link-header' && !linkHeaderCheckable(mime)) return { ...evidence, remote: { ...ref, status: 'not-fetched', note: linkOnlyNote(mime) } };
  let store: Uint8Array;
  try {
    store = await ctx.fetchManifest(ref.url);
  } catch (err) {
    return { ...evidence, remote: { ...ref, status: 'failed', note: fetchWords(err) } };
  }
  let read2: C2paEvidence;
  if (ref.via === 'in-file') read2 = await read(asset, { url: ref.url, bytes: store });
  else {
    const joined = withRemoteStore(asset, mime, store);
    if (!joined) return { ...evidence, remote: { ...ref, status: 'not-fetched', note: linkOnlyNote(mime) } };
    read2 = await read(joined);
  }
  if (read2.state === 'absent' || read2.state === 'error') {
    const why = read2.error ?? 'it holds no manifest store';
    return { ...evidence, remote: { ...ref, status: 'failed', note: `what it serves is not a C2PA manifest store (${why})` } };
  }
  return { ...read2, remote: { ...ref, status: 'fetched' } };
}

function fetchWords(err: unknown): string {
  const m = (err as Error)?.message;
  return typeof m === 'string' && m ? m.slice(0, 200) : 'the download failed';
}
