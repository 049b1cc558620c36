/**
 * Hugging Face, as it really serves video (../shared/sites/FACTS.md §6–9), under the real
 * hostnames over HTTPS: a model card (README video through `/resolve/` → 302 → the Xet CDN, and
 * an upload on cdn-uploads), a file page (`/blob/` page, `/resolve/` → older LFS CDN), a dataset
 * viewer cell (`/resolve/<sha>/<encoded path>` → us.aws.cdn.hf.co) and a Space whose Gradio app
 * runs in an `*.hf.space` iframe. Each video gets the right badge and popup entry, the redirect
 * is followed from the extension side, and the pages' players keep playing.
 */
import { test, expect } from './harness/imitation/fixture';
import { badgeFor } from './harness/badges';
import { badgeHeadlinesInFrame, finalVerdict, playback, popupEntries, sitesList, subscribe } from './harness/imitation/checks';
import { mountDatasetViewer, mountFilePage, mountModelCard, mountSpace } from './harness/imitation/hf-site';
import { aiDeclaredVideo } from '../support/signing';
import { reencoded, SAMPLE, type SignedList } from '../support/media';
import { join } from 'node:path';
import { C2PA_FIXTURES } from '../paths';

let list: SignedList;
let ai: string;
let copy: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  [list, ai, copy] = await Promise.all([
    sitesList(),
    aiDeclaredVideo(),
    reencoded('pattern-hd-no-bar.mp4', 'pattern-480p-crf35', ['-vf', 'scale=-2:480', '-crf', '35']),
  ]);
});

test('model card, file page and dataset viewer: /resolve/ redirects followed to the CDN; right badges and popup entries', async ({ ext, web, server }) => {
  test.setTimeout(150_000);
  await subscribe(ext, server, list);
  const card = mountModelCard(web, 'acme/sora-clips', { readme: ai, upload: join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4') });
  const filePage = mountFilePage(web, 'acme/sora-clips', 'videos/plain.mp4', join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4'));
  const viewer = mountDatasetViewer(web, 'acme/leak', 'clips/doorknob.mp4', SAMPLE('doorknob-hd-no-bar.mp4'));

  const page = await ext.context.newPage();
  await page.goto(card);
  const readme = await finalVerdict(ext, page, '/acme/sora-clips/resolve/main/videos/final.mp4');
  expect(readme.headline).toBe('ai-declared');
  expect(readme.key).toBe('url:https://huggingface.co/acme/sora-clips/resolve/main/videos/final.mp4');
  await expect.poll(async () => (await badgeFor(page, '#readme-video'))?.label).toBe('AI-generated: declared by OpenAI Sora, signed by a certificate that names itself “C2PA Test Signing Cert”');
  const upload = await finalVerdict(ext, page, 'cdn-uploads.huggingface.co/production/uploads/');
  expect(upload.headline).toBe('credentials-valid');
  await expect.poll(async () => (await badgeFor(page, '#upload-video'))?.headline).toBe('credentials-valid');
  let popup = await ext.openPopup(page);
  await expect.poll(async () => (await popupEntries(popup)).map((e) => e.headline).sort()).toEqual(['ai-declared', 'credentials-valid']);
  const aiEntry = popup.locator('li.pl-video[data-headline="ai-declared"]');
  await aiEntry.locator('summary').first().click();
  await expect(aiEntry).toContainText('OpenAI Sora');
  await popup.close();
  // The extension followed the 302 itself (host access to the Xet CDN), reading only the video.
  const fromExt = web.log.filter((r) => r.fromExtension);
  expect(fromExt.some((r) => r.host === 'huggingface.co' && r.path === '/acme/sora-clips/resolve/main/videos/final.mp4')).toBe(true);
  expect(fromExt.some((r) => r.host === 'cas-bridge.xethub.hf.co' && r.path.includes('X-Amz-Signature'))).toBe(true);
  for (const sel of ['#readme-video', '#upload-video']) {
    const p = await playback(page, sel);
    expect(p.error, sel).toBeNull();
    expect(p.played, sel).toBeGreaterThan(0.5);
  }

  await page.goto(filePage);
  const plain = await finalVerdict(ext, page, '/acme/sora-clips/resolve/main/videos/plain.mp4');
  expect(plain.headline).toBe('no-credentials');
  expect(plain.fingerprint).toBe('done');
  await expect.poll(async () => (await badgeFor(page, '#file-video'))?.headline).toBe('no-credentials');
  expect(web.log.some((r) => r.fromExtension && r.host === 'cdn-lfs-us-1.hf.co')).toBe(true);

  await page.goto(viewer);
  const cell = await finalVerdict(ext, page, '/datasets/acme/leak/resolve/');
  expect(cell.headline).toBe('listed');
  expect(cell.matches[0]).toMatchObject({ kind: 'exact', label: 'doorknob-hd-no-bar' });
  expect(cell.key).toContain('clips%2Fdoorknob.mp4');
  await expect.poll(async () => (await badgeFor(page, '#cell-video'))?.label).toMatch(/^Listed: "doorknob-hd-no-bar" in Known test clips, exact copy/);
  popup = await ext.openPopup(page);
  await expect.poll(async () => (await popupEntries(popup)).map((e) => e.headline)).toEqual(['listed']);
  await popup.close();
  expect(web.log.some((r) => r.fromExtension && r.host === 'us.aws.cdn.hf.co')).toBe(true);
  const p = await playback(page, '#cell-video');
  expect(p.error).toBeNull();
  expect(p.played).toBeGreaterThan(0.5);
  await page.close();
});

test('a Space: the Gradio app in its *.hf.space iframe, gradio_api/file= address, crossorigin video — a re-encoded listed clip', async ({ ext, web, server }) => {
  test.setTimeout(150_000);
  await subscribe(ext, server, list);
  const space = mountSpace(web, 'PR-Puppets/PR-Puppet-Sora', copy);
  expect(space.app).toBe('https://pr-puppets-pr-puppet-sora.hf.space/');
  const page = await ext.context.newPage();
  await page.goto(space.page);
  const frame = page.frame({ url: /pr-puppets-pr-puppet-sora\.hf\.space/ })!;
  expect(frame).toBeTruthy();
  const v = await finalVerdict(ext, page, '/gradio_api/file=/tmp/gradio/', 90_000);
  expect(v.key).toBe(`url:${space.fileUrl}`);
  expect(v.frameId).toBeGreaterThan(0);
  expect(v.headline).toBe('listed');
  expect(v.matches[0]).toMatchObject({ kind: 'perceptual', label: 'pattern-hd-no-bar', notes: 'Leaked clips, re-posted on X and Hugging Face' });
  await expect.poll(() => badgeHeadlinesInFrame(page, frame)).toEqual(['listed']);
  const popup = await ext.openPopup(page);
  await expect.poll(async () => (await popupEntries(popup)).map((e) => e.headline)).toEqual(['listed']);
  const entry = popup.locator('li.pl-video').first();
  await entry.locator('summary').first().click();
  await expect(entry).toContainText(/perceptual match: \d+% of this video's frames/);
  await popup.close();
  const p = await playback(frame, '#gradio-video');
  expect(p.error).toBeNull();
  expect(p.played).toBeGreaterThan(0.5);
  await page.close();
});
