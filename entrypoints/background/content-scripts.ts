/**
 * The content script runs statically on the sites with adapters; on every other origin the
 * user has granted, it is registered at run time (and unregistered when access is removed).
 */
import { STATIC_CONTENT_MATCHES, TRUST_HOSTS, MEDIA_HOSTS } from '../../lib/hosts';

const ID = 'provenance-lens-granted-sites';
const SCRIPT = 'content-scripts/content.js';

export async function syncContentScripts(): Promise<void> {
  const granted = (await browser.permissions.getAll()).origins ?? [];
  const notPages = new Set<string>([...STATIC_CONTENT_MATCHES, ...TRUST_HOSTS, ...MEDIA_HOSTS]);
  const matches = granted.filter((o) => !notPages.has(o));
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [ID] }).catch(() => []);
  if (existing.length) await browser.scripting.unregisterContentScripts({ ids: [ID] }).catch(() => {});
  if (!matches.length) return;
  await browser.scripting.registerContentScripts([
    { id: ID, matches, js: [SCRIPT], allFrames: true, runAt: 'document_idle', persistAcrossSessions: true },
  ]);
}
