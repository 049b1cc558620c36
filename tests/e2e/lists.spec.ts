/**
 * Hash lists end to end: a list built and signed with the CLI from fixture videos, served
 * locally, subscribed to in the options page; re-encoded copies get `listed` badges; a higher
 * sequence brings a new entry after "Update now"; a tampered list is refused, the old one kept.
 */
import type { Page } from '@playwright/test';
import { test, expect, fresh } from './harness/extension';
import { badgeFor } from './harness/badges';
import { signedList, type SignedList } from '../support/media';
import { knownListV1, LIST_PATH, LISTED_COPY, LISTED_EXACT, LISTED_EXACT_SMALL, mountListRoutes, mountListsPage, UNLISTED_COPY_HEADLINE } from './scenarios/lists';
import type { Ext } from './harness/extension';
import type { TabVideo } from '../../lib/messages';

let v1: SignedList;
let v2: SignedList;
let served: { bytes: Buffer; sig: Buffer };

test.beforeAll(async () => {
  test.setTimeout(240_000);
  v1 = await knownListV1();
  v2 = await signedList('known-v2', ['pattern-hd-no-bar.mp4', 'doorknob-hd-no-bar.mp4'], { sequence: 2, notes: 'second batch' });
  served = { bytes: v1.bytes, sig: v1.sig };
});

async function settled(page: Page, sel: string) {
  await expect
    .poll(async () => {
      const b = await badgeFor(page, sel);
      return !b || b.headline === 'checking' || b.headline === 'unconfirmed' ? 'pending' : b.headline;
    }, { timeout: 45_000 })
    .not.toBe('pending');
  return (await badgeFor(page, sel))!;
}

test('subscribe, match re-encoded copies, update to a higher sequence, refuse a tampered list', async ({ ext, server }) => {
  test.setTimeout(180_000);
  mountListRoutes(server, () => served);

  // A new user subscribes in the options page with the list address and the publisher key.
  const options = await ext.context.newPage();
  await options.goto(ext.url('/options.html'));
  await options.getByLabel('List address (.jsonl)').fill(server.url(LIST_PATH));
  await options.getByLabel('Publisher public key').fill(v1.publicKey);
  await options.getByRole('button', { name: 'Subscribe' }).click();
  await expect(options.locator('.pl-list-note')).toHaveText('Subscribe: done.');
  const row = options.locator('table.pl-lists tbody tr').first();
  await expect(row).toContainText('Known test clips');
  await expect(row.locator('td').nth(1)).toHaveText('1'); // entries
  await expect(row.locator('td').nth(2)).toHaveText('1'); // sequence

  // A page with an exact copy and re-encoded copies.
  const q = fresh();
  const page = await ext.context.newPage();
  const pageUrl = (qq: string) => mountListsPage(server, qq);
  await page.goto(pageUrl(q));
  // The C2PA part comes before the frames: wait for the final word.
  await expect.poll(async () => (await badgeFor(page, '#exact'))?.headline, { timeout: 45_000 }).toBe('listed');
  expect((await badgeFor(page, '#exact'))!.label).toMatch(LISTED_EXACT);
  await expect.poll(async () => (await badgeFor(page, '#copy'))?.headline, { timeout: 45_000 }).toBe('listed');
  expect((await badgeFor(page, '#copy'))!.label).toMatch(LISTED_COPY);
  expect(await finalHeadline(ext, page, 'doorknob.mp4')).toBe(UNLISTED_COPY_HEADLINE);
  expect(await finalHeadline(ext, page, 'copies/pattern.mp4')).toBe('listed');

  // The popup shows the list, the entry's label and notes, the source link and the strength.
  const popup = await ext.openPopup(page);
  const copyEntry = popup.locator('li.pl-video', { hasText: 'pattern.mp4' }).first();
  await copyEntry.locator('summary').first().click();
  await expect(copyEntry).toContainText('pattern-hd-no-bar');
  await expect(copyEntry).toContainText('Known test clips');
  await expect(copyEntry).toContainText('Prompt: "a test pattern drifting"; published 2024-11-26');
  await expect(copyEntry.getByRole('link', { name: 'https://example.org/clips/pattern' })).toBeVisible();
  await expect(copyEntry).toContainText(/perceptual match: \d+% of this video's frames, \d+% of the listed video's/);
  await popup.close();

  // The publisher adds an entry (sequence 2); "Update now" brings it in.
  served = { bytes: v2.bytes, sig: v2.sig };
  await options.bringToFront();
  await options.getByRole('button', { name: 'Update now' }).click();
  await expect(row.locator('td').nth(2)).toHaveText('2');
  await expect(row.locator('td').nth(1)).toHaveText('2');
  await page.bringToFront();
  await expect.poll(async () => (await badgeFor(page, '#other'))?.headline, { timeout: 20_000 }).toBe('listed');
  // A small file is read whole: the listed original is found as an exact copy.
  await expect.poll(async () => (await badgeFor(page, '#exact-small'))?.label, { timeout: 20_000 }).toMatch(LISTED_EXACT_SMALL);

  // A tampered list (one byte changed, old signature) is refused; version 2 stays.
  const tampered = Buffer.from(v2.bytes.toString('utf8').replace('second batch', 'second bAtch'));
  served = { bytes: tampered, sig: v2.sig };
  await options.bringToFront();
  await options.getByRole('button', { name: 'Update now' }).click();
  await expect(row).toContainText(/Last error: .*signature/i);
  await expect(row.locator('td').nth(2)).toHaveText('2');
  // A rollback to sequence 1 is refused too.
  served = { bytes: v1.bytes, sig: v1.sig };
  await options.getByRole('button', { name: 'Update now' }).click();
  await expect(row).toContainText(/Last error: .*sequence/i);
  await expect(row.locator('td').nth(2)).toHaveText('2');
  const q2 = fresh();
  await page.goto(pageUrl(q2));
  await expect.poll(async () => (await badgeFor(page, '#other'))?.headline, { timeout: 45_000 }).toBe('listed');
  await options.close();
  await page.close();
});

/** The background's final verdict (C2PA and fingerprint stages done) for the tab's video whose address contains `part`. */
async function finalHeadline(ext: Ext, page: Page, part: string): Promise<string> {
  const tabId = await ext.tabId(page);
  let headline = '';
  await expect
    .poll(
      async () => {
        const v = (await ext.send<TabVideo[]>({ type: 'tab-videos', tabId })).find((x) => x.key.includes(part))?.verdict;
        headline = v?.headline ?? '';
        return v && v.headline !== 'checking' && v.headline !== 'unconfirmed' && v.fingerprint !== 'pending';
      },
      { timeout: 45_000 },
    )
    .toBe(true);
  return headline;
}
