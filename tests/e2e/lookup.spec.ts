/**
 * Manual lookup and one-off access, end to end: an address pasted in the popup, a local file
 * chosen in the popup and dropped on the options page, the context menu's "Check video
 * provenance" on a link to a Hugging Face file page, on a video with an address and on X's blob:
 * video, the options page's Sites section, and "Check this page once" on a site without access.
 *
 * The context menu: Chrome's native menu cannot be opened in headless mode, so the test fires the
 * extension's registered `contextMenus.onClicked` listeners with `chrome.contextMenus.onClicked.dispatch`
 * from the service worker, passing the OnClickData and Tab that Chrome would pass for that click
 * (menuItemId, linkUrl/srcUrl, pageUrl, frameId; the tab from tabs.get). That runs the real
 * listener in background/index.ts and the real handler; what it does not exercise is Chrome's own
 * menu UI and the activeTab grant a real click adds (the hosts here are granted already).
 */
import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect, clickToolbarButton } from './harness/imitation/fixture';
import { badgeFor } from './harness/badges';
import type { Ext } from './harness/extension';
import { mountFilePage, mountModelCard } from './harness/imitation/hf-site';
import { mountXTimeline } from './harness/imitation/x-site';
import { signedStream } from './harness/imitation/streams';
import { aiDeclaredVideo, badSignatureVideo } from '../support/signing';
import { C2PA_FIXTURES } from '../paths';
import { LOOK } from '../../lib/present';

// Evaluated in the service worker, where `chrome` exists.
declare const chrome: any;

let ai: string;
test.beforeAll(async () => {
  ai = await aiDeclaredVideo();
});

const card = (within: Page | Locator, headline: keyof typeof LOOK) => within.locator(`section.pl-card[aria-label="${LOOK[headline].title}"]`);

test('popup and options: an address, a chosen file, a dropped file', async ({ ext, web }) => {
  mountModelCard(web, 'acme/lookup', { readme: ai, upload: join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4') });
  const page = await ext.context.newPage();
  await page.goto('https://huggingface.co/acme/lookup');
  const popup = await ext.openPopup(page);
  // A /resolve/ address: the check follows its 302 to the CDN.
  await popup.getByLabel('Video address').fill('https://huggingface.co/acme/lookup/resolve/main/videos/final.mp4');
  await popup.getByRole('button', { name: 'Check address' }).click();
  const result = popup.locator('.pl-lookup-result');
  await expect(card(result, 'ai-declared')).toBeVisible({ timeout: 30_000 });
  await expect(result).toContainText('OpenAI Sora');
  await popup.locator('#popup-file').setInputFiles(await badSignatureVideo());
  await expect(card(result, 'credentials-invalid')).toBeVisible({ timeout: 30_000 });
  await expect(result).toContainText('bad-signature.mp4');
  await popup.close();

  const options = await ext.context.newPage();
  await options.goto(ext.url('/options.html'));
  const bytes = [...readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'))];
  const dataTransfer = await options.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped-clip.mp4', { type: 'video/mp4' }));
    return dt;
  }, bytes);
  await options.locator('.pl-drop').dispatchEvent('drop', { dataTransfer });
  const optResult = options.locator('.pl-lookup-result');
  await expect(card(optResult, 'credentials-valid')).toBeVisible({ timeout: 30_000 });
  await expect(optResult).toContainText('dropped-clip.mp4');
  await options.close();
  await page.close();
});

/** Fires the registered onClicked listeners as Chrome does for a click in `page`'s tab. */
async function clickMenu(ext: Ext, page: Page, info: Record<string, unknown>): Promise<Page> {
  const tabId = await ext.tabId(page);
  const opened = ext.context.waitForEvent('page', { predicate: (p) => p.url().includes('/lookup.html'), timeout: 20_000 });
  await ext.sw.evaluate(
    async ({ tabId, info }) => {
      const tab = await chrome.tabs.get(tabId);
      chrome.contextMenus.onClicked.dispatch({ editable: false, pageUrl: tab.url, frameId: 0, ...info }, tab);
    },
    { tabId, info },
  );
  const lookup = await opened;
  await lookup.waitForLoadState();
  return lookup;
}

test('context menu "Check video provenance": on a link to a file page, on a video, on X’s blob: video', async ({ ext, web }) => {
  // Both items exist (update fails for an unknown id).
  for (const id of ['check-video-provenance', 'check-linked-video-provenance']) {
    await ext.sw.evaluate((id) => chrome.contextMenus.update(id, {}), id);
  }
  const filePage = mountFilePage(web, 'acme/menu', 'videos/plain.mp4', join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4'));
  mountModelCard(web, 'acme/menu', { readme: ai, upload: join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4') });
  const page = await ext.context.newPage();
  await page.goto('https://huggingface.co/acme/menu');

  // A link to the file page of the README video: /blob/ becomes /resolve/, followed to the CDN.
  let lookup = await clickMenu(ext, page, { menuItemId: 'check-linked-video-provenance', linkUrl: 'https://huggingface.co/acme/menu/blob/main/videos/final.mp4' });
  await expect(card(lookup, 'ai-declared')).toBeVisible({ timeout: 30_000 });
  await expect(lookup.locator('.pl-source')).toHaveText('Video: https://huggingface.co/acme/menu/resolve/main/videos/final.mp4');
  const axe = await new AxeBuilder({ page: lookup }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await lookup.close();

  // A video element with an address.
  await page.goto(filePage);
  lookup = await clickMenu(ext, page, { menuItemId: 'check-video-provenance', srcUrl: 'https://huggingface.co/acme/menu/resolve/main/videos/plain.mp4', mediaType: 'video' });
  await expect(card(lookup, 'no-credentials')).toBeVisible({ timeout: 30_000 });
  await lookup.close();

  // X's player: the element only has blob:; the content script says which stream it found for it.
  const url = mountXTimeline(web, '/menu', [{ kind: 'stream', media: { kind: 'amplify_video', id: '2056268160056082499' }, stream: signedStream(), key: 'menu1', player: 'mse-source' }]);
  await page.goto(url);
  await expect.poll(() => page.locator('video source').getAttribute('src')).toMatch(/^blob:/);
  const blob = (await page.locator('video').evaluate((v: HTMLVideoElement) => v.currentSrc))!;
  await expect.poll(async () => (await ext.send<{ key: string }[]>({ type: 'tab-videos', tabId: await ext.tabId(page) })).map((v) => v.key).join()).toContain('x-media:amplify_video/2056268160056082499');
  lookup = await clickMenu(ext, page, { menuItemId: 'check-video-provenance', srcUrl: blob, mediaType: 'video' });
  await expect(card(lookup, 'credentials-valid')).toBeVisible({ timeout: 30_000 });
  await expect(lookup.locator('.pl-source')).toContainText('https://video.twimg.com/amplify_video/2056268160056082499/pl/menu1.m3u8');
  await lookup.close();

  // A blob: the page cannot explain (no poster id): the lookup says why, in words.
  await page.evaluate(() => {
    const v = document.createElement('video');
    v.id = 'nameless';
    v.src = URL.createObjectURL(new MediaSource());
    document.body.prepend(v);
  });
  const nameless = await page.locator('#nameless').evaluate((v: HTMLVideoElement) => v.src);
  await expect.poll(async () => (await ext.send<{ key: string }[]>({ type: 'tab-videos', tabId: await ext.tabId(page) })).length).toBe(2);
  lookup = await clickMenu(ext, page, { menuItemId: 'check-video-provenance', srcUrl: nameless, mediaType: 'video' });
  await expect(card(lookup, 'unavailable')).toBeVisible({ timeout: 30_000 });
  await expect(lookup.locator('section.pl-card')).toContainText('its poster names no media id');
  await lookup.close();
  await page.close();
});

test('options page: a Sites section explains access, and the registered content script covers only page sites', async ({ ext }) => {
  const options = await ext.context.newPage();
  await options.goto(ext.url('/options.html'));
  const sites = options.locator('section[aria-labelledby="sites-h"]');
  await expect(sites.getByRole('heading', { name: 'Sites' })).toBeVisible();
  await expect(sites).toContainText('For other sites it needs your permission');
  await expect(sites.getByLabel('Allow a site')).toBeVisible();
  await sites.getByLabel('Allow a site').fill('not a site');
  await sites.getByRole('button', { name: 'Allow', exact: true }).click();
  await expect(sites.getByRole('status')).toHaveText('Enter a site name such as example.com.');
  const axe = await new AxeBuilder({ page: options }).include('section[aria-labelledby="sites-h"]').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  // Recording a site without its permission registers nothing there; the test build's local hosts stay.
  await options.evaluate(() => chrome.storage.local.set({ pageSites: ['*://*.videos.example.net/*'] }));
  await expect
    .poll(() => ext.sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s: { matches: string[]; excludeMatches?: string[] }) => [s.matches, s.excludeMatches?.length])))
    .toEqual([[['http://127.0.0.1/*', 'http://localhost/*'], 7]]);
  await options.evaluate(() => chrome.storage.local.remove('pageSites'));
  await options.close();
});

test('a site without access: the toolbar button grants activeTab, "Check this page once" injects the script, and the video is read', async ({ ext, web }) => {
  web.file('videos.example.net', '/clips/signed.mp4', join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4')); // no CORS headers: read only thanks to activeTab
  web.html('videos.example.net', '/watch', '<!doctype html><html lang="en"><title>Some video site</title><video id="v" src="/clips/signed.mp4" width="320" height="568" muted></video></html>');
  const page = await ext.context.newPage();
  await page.goto('https://videos.example.net/watch');
  // No access yet: no content script, and the extension cannot even see the tab's address.
  await expect(ext.tabId(page)).rejects.toThrow(/no tab shows/);
  await clickToolbarButton(ext, page);
  const popup = await ext.openPopup(page);
  await expect(popup.getByText('For other sites it needs your permission')).toBeVisible();
  // The status lives in the "no videos" panel, which goes as soon as the injected script lists the
  // video (the popup polls every 700 ms): it may show for only a moment, so it is recorded as it comes.
  await popup.evaluate(() => {
    const seen: string[] = ((globalThis as { statusesSeen?: string[] }).statusesSeen = []);
    new MutationObserver(() => {
      const s = document.querySelector('[role=status]')?.textContent;
      if (s) seen.push(s);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await popup.getByRole('button', { name: 'Check this page once' }).click();
  await expect.poll(() => popup.evaluate(() => ((globalThis as { statusesSeen?: string[] }).statusesSeen ?? []).join('\n'))).toContain('Checking the videos of this page once');
  await expect.poll(async () => (await popup.locator('li.pl-video').evaluateAll((els) => els.map((e) => e.getAttribute('data-headline')))).join(), { timeout: 30_000 }).toBe('credentials-valid');
  await expect.poll(async () => (await badgeFor(page, '#v'))?.headline).toBe('credentials-valid');
  expect(web.log.some((r) => r.fromExtension && r.host === 'videos.example.net' && r.path === '/clips/signed.mp4')).toBe(true);
  // The grant was for this tab only: no content script was registered for the site.
  expect(await ext.sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).flatMap((s: { matches: string[] }) => s.matches))).not.toContain('*://*.videos.example.net/*');
  await popup.close();
  await page.close();
});
