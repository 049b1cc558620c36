/**
 * X, as it really serves video (../shared/sites/FACTS.md §1–5), under the real hostnames over
 * HTTPS (x.com, pbs.twimg.com, video.twimg.com, abs.twimg.com → a local server; see
 * harness/tls.ts and harness/imitation/). A timeline with:
 *  (a) a signed fMP4 stream played by a small MSE loader with the blob: on a <source> child,
 *  (b) a plain re-encoded stream played by hls.js (blob: on video.src), with its own audio rendition,
 *  (c) GIFs as plain MP4s (one AI-declared, one an exact copy of a listed clip),
 *  (d) a re-encoded copy of a listed clip, added when the reader scrolls to the end.
 * The page shrinks its Resource Timing buffer (as a long-lived SPA fills it), so the streams
 * are found only through the content script's PerformanceObserver. Each video gets the right
 * badge and popup entry, keeps playing, and nothing is asked of X but the media bytes.
 */
import { test, expect } from './harness/imitation/fixture';
import { badgeFor } from './harness/badges';
import { evaluateInContentWorld, finalVerdict, playback, popupEntries, sitesList, subscribe } from './harness/imitation/checks';
import { encodedStream, signedStream, type Stream } from './harness/imitation/streams';
import { mountXTimeline } from './harness/imitation/x-site';
import { aiDeclaredVideo } from '../support/signing';
import { SAMPLE, type SignedList } from '../support/media';

const SIGNED = { kind: 'amplify_video' as const, id: '2056268160056082432' };
const PLAIN = { kind: 'ext_tw_video' as const, id: '1930425322333229056' };
const COPY = { kind: 'amplify_video' as const, id: '1944360728472764416' };

let list: SignedList;
let plain: Stream;
let copy: Stream;
let ai: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  [list, plain, copy, ai] = await Promise.all([
    sitesList(),
    encodedStream('x-chair-360p', SAMPLE('chair-19-sd-bar.mp4'), ['-vf', 'scale=-2:360', '-crf', '30', '-t', '8']),
    encodedStream('x-pattern-480p', SAMPLE('pattern-hd-no-bar.mp4'), ['-vf', 'scale=-2:480', '-crf', '32']),
    aiDeclaredVideo(),
  ]);
});

test('X timeline: blob: streams resolved from the poster id and the page’s own requests, GIFs, a video added on scroll', async ({ ext, web, server }) => {
  test.setTimeout(180_000);
  await subscribe(ext, server, list);
  const logStart = web.log.length; // the server (and its log) may have served other spec files
  const url = mountXTimeline(
    web,
    '/home',
    [
      { kind: 'stream', media: SIGNED, stream: signedStream(), key: 'k9KR2GGJaeMTYP-q', player: 'mse-source' },
      { kind: 'stream', media: PLAIN, stream: plain, key: 'qK94KXWtWMof4vpn', player: 'hlsjs' },
      { kind: 'gif', key: 'HHNDEg1WEAAYyWi', file: ai },
      { kind: 'gif', key: 'GAbcDEfGHIJklmn', file: SAMPLE('doorknob-hd-no-bar.mp4') },
      { kind: 'stream', media: COPY, stream: copy, key: 'IWf6NpBkJH7sKCmM', player: 'hlsjs', laterOnScroll: true },
    ],
    { fillTimingBuffer: true },
  );
  const page = await ext.context.newPage();
  await page.goto(url);

  // (a) blob: on a <source> child, MSE; resolved to the master playlist the player fetched.
  await expect.poll(() => page.locator('#t0 video source').getAttribute('src')).toMatch(/^blob:https:\/\/x\.com\//);
  const signed = await finalVerdict(ext, page, `amplify_video/${SIGNED.id}/pl/`);
  // Keyed by X's media id: the same video behind another playlist address or post costs nothing more.
  expect(signed.key).toBe(`x-media:amplify_video/${SIGNED.id}`);
  expect(signed.headline).toBe('credentials-valid');
  expect(signed.c2pa?.fragmented).toBe(true);
  await expect.poll(async () => (await badgeFor(page, '#t0 video'))?.headline).toBe('credentials-valid');
  expect((await badgeFor(page, '#t0 video'))!.label).toMatch(/^Content Credentials valid: signed by a certificate that names itself “Media Publisher Company”/);

  // (b) blob: on video.src (hls.js), /pu/ upload with an audio rendition: plain, fingerprinted, on no list.
  expect(await page.locator('#t1 video').evaluate((v: HTMLVideoElement) => v.src)).toMatch(/^blob:https:\/\/x\.com\//);
  const plainVerdict = await finalVerdict(ext, page, `ext_tw_video/${PLAIN.id}/pu/pl/`);
  // What the stream reads; its hls.js picture may stay "not confirmed" (another rendition than the one checked).
  expect(plainVerdict.fileHeadline ?? plainVerdict.headline).toBe('no-credentials');
  expect(plainVerdict.fingerprint).toBe('done');
  // Frames come from the playing element (no download; at least the two a match needs) or, before it plays, from the stream's first fragments.
  expect(plainVerdict.frames?.length).toBeGreaterThanOrEqual(plainVerdict.basis?.frames?.from === 'element' ? 2 : 4);
  expect(['no-credentials', 'unconfirmed']).toContain((await badgeFor(page, '#t1 video'))?.headline);

  // (c) GIFs: plain MP4 addresses on video.twimg.com.
  await page.locator('#t2 video').scrollIntoViewIfNeeded();
  await expect.poll(async () => (await badgeFor(page, '#t2 video'))?.headline, { timeout: 30_000 }).toBe('ai-declared');
  expect((await badgeFor(page, '#t2 video'))!.label).toBe('AI-generated: declared by OpenAI Sora, signed by a certificate that names itself “C2PA Test Signing Cert”');
  await page.locator('#t3 video').scrollIntoViewIfNeeded();
  await expect.poll(async () => (await badgeFor(page, '#t3 video'))?.headline, { timeout: 30_000 }).toBe('listed');
  expect((await badgeFor(page, '#t3 video'))!.label).toMatch(/^Listed: "doorknob-hd-no-bar" in Known test clips, exact copy/);

  // (d) added while scrolling: a re-encoded (480p, crf 32) copy of a listed clip → a perceptual match.
  await page.locator('#sentinel').scrollIntoViewIfNeeded();
  await expect(page.locator('#t4 video')).toHaveCount(1);
  await page.locator('#t4 video').scrollIntoViewIfNeeded();
  const listed = await finalVerdict(ext, page, `amplify_video/${COPY.id}/pl/`, 90_000);
  expect(listed.headline).toBe('listed');
  expect(listed.matches[0]).toMatchObject({ kind: 'perceptual', label: 'pattern-hd-no-bar', listName: 'Known test clips' });
  await expect.poll(async () => (await badgeFor(page, '#t4 video'))?.label).toMatch(/^Listed: "pattern-hd-no-bar" in Known test clips, perceptual match \d+% of frames/);

  // The popup lists all five, with the same headlines.
  const popup = await ext.openPopup(page);
  await expect.poll(async () => (await popupEntries(popup)).length).toBe(5);
  const entries = await popupEntries(popup);
  const byKey = (part: string) => entries.filter((e) => e.key.includes(part)).map((e) => e.headline);
  expect(byKey(`amplify_video/${SIGNED.id}`)).toEqual(['credentials-valid']);
  expect(['no-credentials', 'unconfirmed']).toContain(byKey(`ext_tw_video/${PLAIN.id}`)[0]);
  expect(byKey('tweet_video/HHNDEg1WEAAYyWi.mp4')).toEqual(['ai-declared']);
  expect(byKey('tweet_video/GAbcDEfGHIJklmn.mp4')).toEqual(['listed']);
  expect(byKey(`amplify_video/${COPY.id}`)).toEqual(['listed']);
  const copyEntry = popup.locator('li.pl-video', { hasText: `${COPY.id}` }).first();
  await copyEntry.locator('summary').first().click();
  await expect(copyEntry).toContainText('Leaked clips, re-posted on X and Hugging Face');
  await popup.close();

  // Playback goes on (MSE <source>, hls.js, GIF).
  for (const sel of ['#t0 video', '#t1 video', '#t2 video', '#t4 video']) {
    const p = await playback(page, sel);
    expect(p.error, sel).toBeNull();
    expect(p.played, sel).toBeGreaterThan(0.5);
  }

  // The content script saw the page's entries in its own world, but the buffer is full: the
  // playlists reached it only through its PerformanceObserver.
  const inBuffer = await evaluateInContentWorld<string[]>(page, `performance.getEntriesByType('resource').map((e) => e.name)`);
  expect(inBuffer.some((n) => n.startsWith('https://abs.twimg.com/'))).toBe(true);
  expect(inBuffer.some((n) => n.includes('/pl/'))).toBe(false);

  // Nothing was asked of X itself by the extension (no API), and only media bytes of video.twimg.com.
  expect(web.log.slice(logStart).filter((r) => r.host === 'x.com' && r.path.startsWith('/i/api'))).toEqual([]);
  const byExtension = web.log.slice(logStart).filter((r) => r.fromExtension);
  expect(byExtension.length).toBeGreaterThan(0);
  expect([...new Set(byExtension.map((r) => r.host))]).toEqual(['video.twimg.com']);
  expect(byExtension.every((r) => /\.(m3u8|mp4|m4s)$/.test(r.path.split('?')[0]))).toBe(true);
  await page.close();
});

test('X: a stream already in the page’s timing buffer, on twitter.com, resolves too; a blob: video with no poster id says why', async ({ ext, web }) => {
  const url = mountXTimeline(web, '/buffered', [{ kind: 'stream', media: { kind: 'ext_tw_video', id: '1930425322333229057' }, stream: signedStream(), key: 'buf1', player: 'mse-source' }], {
    host: 'twitter.com',
  });
  const page = await ext.context.newPage();
  await page.goto(url);
  const v = await finalVerdict(ext, page, 'ext_tw_video/1930425322333229057/pu/pl/buf1.m3u8');
  expect(v.headline).toBe('credentials-valid');
  const inBuffer = await evaluateInContentWorld<string[]>(page, `performance.getEntriesByType('resource').map((e) => e.name)`);
  expect(inBuffer.some((n) => n.includes('/ext_tw_video/1930425322333229057/pu/pl/buf1.m3u8'))).toBe(true);

  // A player whose poster names no media: the blob stays unresolvable, with the reason in words.
  await page.evaluate(() => {
    const v = document.createElement('video');
    v.id = 'nameless';
    v.muted = true;
    v.width = 320;
    v.height = 180;
    v.src = URL.createObjectURL(new MediaSource());
    document.querySelector('main')!.prepend(v);
  });
  await expect.poll(async () => (await badgeFor(page, '#nameless'))?.label, { timeout: 30_000 }).toBe(
    'Could not check this video: X plays this video from memory (a blob: address) and its poster names no media id',
  );
  await page.close();
});
