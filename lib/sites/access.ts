/**
 * Site access: which granted host permissions are *pages* the content script should run on.
 * Host access is granted for three different reasons — a site the user wants videos checked
 * on, a media host the extension downloads from, a list or trust-list address it reads — and
 * only the first kind gets a content script. So the sites a user allows for pages are recorded
 * (storage.local `pageSites`) by the popup and options page when they ask, and a grant made for
 * anything else (say the host of a subscribed list) never puts a script on that host's pages.
 * Test: tests/unit/sites/access.test.ts.
 */

/** The content script's file (entrypoints/in-page.ts): declared, registered and injected by this name. */
export const CONTENT_SCRIPT_FILE = 'in-page.js';

export const PAGE_SITES_KEY = 'pageSites';
/** "Allow on every site". */
export const ALL_SITES = '*://*/*';

/**
 * The match patterns to register the content script on: granted, recorded as a page site (or a
 * pre-granted test/demo host), and not one of the hosts served statically or used for media/lists.
 */
export function pageScriptMatches(granted: readonly string[], pageSites: readonly string[], opts: { notPages: readonly string[]; preGrantedPages?: readonly string[] }): string[] {
  const notPages = new Set(opts.notPages);
  const pages = new Set([...pageSites, ...(opts.preGrantedPages ?? [])]);
  return [...new Set(granted)].filter((o) => !notPages.has(o) && pages.has(o));
}

/**
 * The match pattern for a site the user types ("example.com", "https://www.example.com/watch"):
 * the host and its subdomains, any scheme. Undefined for anything that is not a plain hostname.
 */
export function sitePattern(input: string): string | undefined {
  let host = input.trim().toLowerCase();
  if (!host) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) {
    try {
      const u = new URL(host);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
      host = u.hostname;
    } catch {
      return undefined;
    }
  } else {
    host = host.split(/[/?#]/)[0];
  }
  host = host.replace(/^www\./, '').replace(/\.$/, '');
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  if (!new RegExp(`^(?:${label}\\.)+${label}$`).test(host) && host !== 'localhost') return undefined;
  return `*://*.${host}/*`;
}

/** The hostname a page-site pattern stands for, for showing it ("example.com"), or "every site". */
export function siteLabel(pattern: string): string {
  if (pattern === ALL_SITES) return 'every site';
  const m = /^[^:]+:\/\/(?:\*\.)?([^/]+)\//.exec(pattern);
  return m ? m[1] : pattern;
}
