/** Reading and writing the user's settings from the extension's pages. */
import { sanitizeSettings, type Settings } from '../settings';

export async function readSettings(): Promise<Settings> {
  return sanitizeSettings((await browser.storage.local.get('settings')).settings);
}

export async function writeSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = sanitizeSettings({ ...(await readSettings()), ...patch });
  await browser.storage.local.set({ settings: next });
  await browser.runtime.sendMessage({ type: 'settings-changed' });
  return next;
}
