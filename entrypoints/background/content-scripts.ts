/**
 * The content script runs statically on the sites with adapters; on every other origin the
 * user has allowed *for pages*, it is registered at run time (and unregistered when access is
 * removed). Hosts granted for other reasons (a list's address, a media host) get no script:
 * see lib/sites/access.ts.
 */
import { STATIC_CONTENT_MATCHES, TRUST_HOSTS, MEDIA_HOSTS, LOCAL_TEST_HOSTS } from '../../lib/hosts';
import { CONTENT_SCRIPT_FILE, pageScriptMatches, PAGE_SITES_KEY } from '../../lib/sites/access';
import { contentRunAt } from '../../lib/platform';

const ID = 'provenance-lens-granted-sites';

let last: Promise<void> = Promise.resolve();

/** Serialised: permission and storage events can arrive together, and registration is not atomic. */
export function syncContentScripts(): Promise<void> {
  last = last.then(sync, sync);
  return last;
}

async function sync(): Promise<void> {
  const granted = (await browser.permissions.getAll()).origins ?? [];
  const pageSites = ((await browser.storage.local.get(PAGE_SITES_KEY))[PAGE_SITES_KEY] as string[] | undefined) ?? [];
  const matches = pageScriptMatches(granted, pageSites, {
    notPages: [...STATIC_CONTENT_MATCHES, ...TRUST_HOSTS, ...MEDIA_HOSTS],
    // Pre-granted only in the test/demo build (`--mode e2e`), where they are the pages under test.
    preGrantedPages: LOCAL_TEST_HOSTS,
  });
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [ID] }).catch(() => []);
  if (existing.length) await browser.scripting.unregisterContentScripts({ ids: [ID] }).catch(() => {});
  if (!matches.length) return;
  await browser.scripting.registerContentScripts([
    // X and Hugging Face have the static script already; "every site" must not inject it twice.
    {
      id: ID,
      matches,
      excludeMatches: [...STATIC_CONTENT_MATCHES],
      js: [CONTENT_SCRIPT_FILE],
      allFrames: true,
      // blob: and data: frames made by an allowed page (Chrome; Firefox's registered scripts take no such option).
      ...(import.meta.env.FIREFOX ? {} : { matchOriginAsFallback: true }),
      runAt: contentRunAt(!!import.meta.env.FIREFOX),
      persistAcrossSessions: true,
    },
  ]);
}
