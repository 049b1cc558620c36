/**
 * The hosts the extension may read, in one place: what the manifest asks for at install,
 * where the content script runs statically, and what a test build adds.
 */

/** Sites with their own adapter: the content script runs there from install. */
export const STATIC_CONTENT_MATCHES = [
  '*://x.com/*',
  '*://*.x.com/*',
  '*://twitter.com/*',
  '*://*.twitter.com/*',
  '*://huggingface.co/*',
  '*://*.huggingface.co/*',
  '*://*.hf.space/*',
] as const;

/**
 * Where those sites keep their media (read from the extension side, never the page).
 * X: playlists, segments and GIF MP4s on video.twimg.com (posters on pbs.twimg.com are only read
 * from the page's markup, never fetched, so that host is not asked for).
 * Hugging Face (../shared/sites/FACTS.md §6–9): `/resolve/` answers 302 to cdn-lfs*.hf.co (older
 * LFS), cas-bridge.xethub.hf.co (Xet) or us.aws.cdn.hf.co/xet-bridge-us/… — all under `*.hf.co`,
 * which also matches hf.co itself; uploads and viewer assets are under `*.huggingface.co`
 * (cdn-uploads, cdn-lfs, datasets-server), already in STATIC_CONTENT_MATCHES and repeated here
 * so the media hosts stay readable in one list.
 */
export const MEDIA_HOSTS = [
  '*://video.twimg.com/*',
  '*://cdn-uploads.huggingface.co/*',
  '*://cdn-lfs.huggingface.co/*',
  '*://datasets-server.huggingface.co/*',
  '*://*.hf.co/*',
] as const;

/** The trust lists' default addresses. */
export const TRUST_HOSTS = ['https://raw.githubusercontent.com/c2pa-org/*', 'https://contentcredentials.org/trust/*'] as const;

/** Any other site: asked for when the user first wants it. */
export const OPTIONAL_HOSTS = ['*://*/*'] as const;

/**
 * Test and demo builds (`--mode e2e`) pre-grant local addresses, because a permission prompt
 * cannot be answered in headless Chromium; the release build never has them.
 */
export const LOCAL_TEST_HOSTS = ['http://127.0.0.1/*', 'http://localhost/*'] as const;
