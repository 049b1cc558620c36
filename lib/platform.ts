/**
 * What differs between Chrome and Firefox, decided in one place (the entrypoints pass the
 * browser; see README "Browsers"). Pure: tested in tests/unit/platform.test.ts.
 */

/**
 * When the content script is injected. Chrome: `document_start`, and the script waits for
 * DOMContentLoaded itself (entrypoints/in-page.ts). Injected at `document_idle` or `document_end`,
 * even an empty content script held the page's load event back: on a page of 3,000 elements
 * +76 to +114 ms against none, and nothing beyond noise at `document_start` (111 against 117 ms;
 * Chromium 156, medians of 11 interleaved loads; `npm run bench -- extension` measures an empty
 * content script beside ours). Firefox:
 * `document_end`, because its `document_idle` waits for the load event, which a `<video>` whose
 * metadata never arrives (a stalled or unreadable file) delays for ever. The spotter finds videos
 * added later either way.
 */
export function contentRunAt(firefox: boolean): 'document_start' | 'document_end' {
  return firefox ? 'document_end' : 'document_start';
}

/**
 * How long checks wait for the page's load event (its own media requests come first). Chrome
 * fires it whatever its videos do: no limit. Firefox holds it while a `<video>` waits for
 * metadata, possibly for ever: 4 s.
 */
export function contentLoadWaitMs(firefox: boolean): number | undefined {
  return firefox ? 4000 : undefined;
}

/**
 * The host permission that reads one address's host: scheme and host, any port and path.
 * Firefox's match patterns cannot carry a port (`http://127.0.0.1:8080/*` is refused); Chrome
 * ignores ports anyway.
 */
export function hostAccessPattern(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}/*`;
}
