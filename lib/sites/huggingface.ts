/**
 * Hugging Face adapter.
 * Pages: huggingface.co model and dataset cards (README <video>), file pages
 * (`…/blob/<rev>/<file>.mp4`), the dataset viewer's video cells, Spaces (the page on
 * huggingface.co/spaces/… and the app itself in its `<owner>-<name>.hf.space` iframe, e.g.
 * Gradio's `file=` / `gradio_api/file=` addresses), and uploads on cdn-uploads.huggingface.co.
 * Test: tests/unit/sites/huggingface.test.ts (address forms), tests/e2e/sites-hf.spec.ts
 *       (imitation card, file page, viewer and Space under the real hostnames over HTTPS).
 *
 * Hugging Face plays plain files, so most addresses are checked as they are: `/resolve/`
 * answers 302 to a CDN (cas-bridge.xethub.hf.co, cdn-lfs*.hf.co, us.aws.cdn.hf.co…), which the
 * extension's fetch follows (lib/hosts.ts grants those hosts). A `/blob/` file-page address
 * (a link, or a player pointed at it) is the HTML page around the file, so it is turned into the
 * `/resolve/` address of the same file. `blob:` videos (Gradio streaming) go to element sampling
 * like on any other site.
 */
import type { MediaRef } from '../media/ref';
import { refFromAddress, videoAddress } from './generic';
import type { PageContext, SiteAdapter } from './types';

export function isHuggingFaceHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'huggingface.co' || h.endsWith('.huggingface.co') || h.endsWith('.hf.space') || h === 'hf.co' || h.endsWith('.hf.co');
}

export type HfAddressKind =
  /** `huggingface.co/[datasets|spaces/]<ns>/<repo>/resolve/<rev>/<path>`: 302 to the CDN. */
  | 'repo-file'
  /** The same file's HTML page, `…/blob/<rev>/<path>`. */
  | 'repo-file-page'
  /** A Gradio app's file: `<space>.hf.space/file=…` (Gradio 4) or `/gradio_api/file=…` (Gradio 5). */
  | 'gradio-file'
  /** An attachment uploaded to a card or discussion: `cdn-uploads.huggingface.co/…`. */
  | 'upload'
  /** A dataset viewer asset: `datasets-server.huggingface.co/(cached-)assets/…`. */
  | 'viewer-asset'
  /** Where `/resolve/` redirects to (signed, short-lived addresses). */
  | 'cdn'
  | 'other';

export interface HfAddress {
  kind: HfAddressKind;
  /** The address to fetch for the video's bytes. */
  url: string;
  /** Repository files: `models`, `datasets` or `spaces`, the repo id, the revision and the path. */
  repo?: { type: 'models' | 'datasets' | 'spaces'; id: string; revision: string; path: string };
}

/** `/[datasets/|spaces/]<ns>/<repo>/(resolve|blob)/<rev>/<path>` (also legacy namespace-less repos such as `/gpt2/…`). */
const REPO_FILE = /^\/(?:(datasets|spaces)\/)?((?:[^/]+\/)?[^/]+)\/(resolve|blob)\/([^/]+)\/(.+)$/;

/** What a Hugging Face address is, and the address whose bytes are the video. */
export function describeHfAddress(address: string): HfAddress | undefined {
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  const host = u.hostname.toLowerCase();
  if (host === 'huggingface.co' || host === 'hf.co') {
    const m = REPO_FILE.exec(u.pathname);
    if (!m) return { kind: 'other', url: u.href };
    const type = (m[1] ?? 'models') as 'models' | 'datasets' | 'spaces';
    const repo = { type, id: m[2], revision: m[4], path: m[5] };
    if (m[3] === 'resolve') return { kind: 'repo-file', url: u.href, repo };
    const resolved = new URL(u.href);
    resolved.pathname = `${m[1] ? `/${m[1]}` : ''}/${m[2]}/resolve/${m[4]}/${m[5]}`;
    return { kind: 'repo-file-page', url: resolved.href, repo };
  }
  if (host.endsWith('.hf.space')) {
    return /^\/(?:gradio_api\/)?file=/.test(u.pathname) ? { kind: 'gradio-file', url: u.href } : { kind: 'other', url: u.href };
  }
  if (host === 'cdn-uploads.huggingface.co') return { kind: 'upload', url: u.href };
  if (host === 'datasets-server.huggingface.co' && /^\/(?:cached-)?assets\//.test(u.pathname)) return { kind: 'viewer-asset', url: u.href };
  if (host.endsWith('.hf.co') || host === 'cdn-lfs.huggingface.co') return { kind: 'cdn', url: u.href };
  return undefined;
}

/** The address to check for a Hugging Face link or player source (file pages become `/resolve/`). */
export function hfMediaAddress(address: string): string {
  return describeHfAddress(address)?.url ?? address;
}

export const huggingface: SiteAdapter = {
  name: 'huggingface',
  matches: isHuggingFaceHost,
  resolve(video: HTMLVideoElement, page: PageContext): MediaRef | undefined {
    const address = videoAddress(video);
    if (!address) return undefined;
    let absolute: string;
    try {
      absolute = new URL(address, page.url).href;
    } catch {
      return refFromAddress(address, page);
    }
    return refFromAddress(hfMediaAddress(absolute), page);
  },
};
