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

/** Where those sites keep their media (read from the extension side, never the page). */
export const MEDIA_HOSTS = [
  '*://video.twimg.com/*',
  '*://pbs.twimg.com/*',
  '*://cdn-uploads.huggingface.co/*',
  '*://cdn-lfs.huggingface.co/*',
  '*://*.hf.co/*',
  '*://cas-bridge.xethub.hf.co/*',
  '*://datasets-server.huggingface.co/*',
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
