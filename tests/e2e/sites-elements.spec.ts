/**
 * Any other site: `blob:` videos with no address to fetch. The content script samples frames from
 * the element itself (lib/content/element-frames.ts) and the background matches them against the
 * lists: a Blob-backed video is read through a detached copy seeked second by second; an MSE video
 * (hls.js) while it plays. C2PA stays "unavailable" with the reason in words; a listed clip is
 * `listed`. Playback is not disturbed, and the sampling adds no long task to the page.
 */
import { test, expect, fresh } from './harness/extension';
import { badgeFor } from './harness/badges';
import { finalVerdict, playback, sitesList, subscribe } from './harness/imitation/checks';
import { encodedStream } from './harness/imitation/streams';
import { HLS_JS } from './harness/imitation/players';
import { reencoded, SAMPLE, type SignedList } from '../support/media';

let list: SignedList;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  [list] = await Promise.all([
    sitesList(),
    reencoded('pattern-hd-no-bar.mp4', 'pattern-480p-crf35', ['-vf', 'scale=-2:480', '-crf', '35']),
    encodedStream('x-chair-360p', SAMPLE('chair-19-sd-bar.mp4'), ['-vf', 'scale=-2:360', '-crf', '30', '-t', '8']),
  ]);
});

test('blob: videos on an unknown site: frames from the element itself are matched against the lists', async ({ ext, server }) => {
  test.setTimeout(120_000);
  await subscribe(ext, server, list);
  server.text('/hls.min.js', HLS_JS, 'text/javascript');
  const q = fresh();
  const url = server.html(
    `/p/elements-${q}.html`,
    `<!doctype html><html lang="en"><head><title>blob videos</title><script src="/hls.min.js"></script></head><body>
    <video id="file-blob" width="320" height="568" muted autoplay loop></video>
    <video id="mse-blob" width="320" height="480" muted></video>
    <script>
      window.longTasks = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
      // A clip kept in memory (e.g. an upload preview): blob: backed by a Blob.
      fetch('/gen/copies/pattern-480p-crf35.mp4?${q}').then((r) => r.blob()).then((b) => (document.getElementById('file-blob').src = URL.createObjectURL(b)));
      // A stream played through MSE.
      const mse = document.getElementById('mse-blob');
      const hls = new Hls({ enableWorker: false });
      hls.loadSource('/gen/streams/x-chair-360p/v/video.m3u8?${q}');
      hls.attachMedia(mse);
      hls.on(Hls.Events.MANIFEST_PARSED, () => mse.play());
    </script></body></html>`,
  );
  const page = await ext.context.newPage();
  await page.goto(url);
  await expect.poll(() => page.evaluate(() => [...document.querySelectorAll('video')].map((v) => v.src.slice(0, 5)))).toEqual(['blob:', 'blob:']);

  // The Blob-backed copy of a listed clip: listed, through its sampled frames.
  const fileVideo = await page.locator('#file-blob').evaluate((v: HTMLVideoElement) => v.src);
  // Reports come in batches (2 frames, then more): a match can show before the last frame.
  await expect.poll(async () => (await finalVerdict(ext, page, fileVideo, 60_000)).frames?.length, { timeout: 30_000 }).toBe(7); // 6.9 s: frames at 0, 1, … 6 s, like vPDQ
  const listed = await finalVerdict(ext, page, fileVideo);
  expect(listed.headline).toBe('listed');
  expect(listed.matches[0]).toMatchObject({ kind: 'perceptual', label: 'pattern-hd-no-bar' });
  expect(listed.fingerprint).toBe('done');
  expect(listed.sha256).toBeUndefined(); // no bytes were read
  await expect.poll(async () => (await badgeFor(page, '#file-blob'))?.label).toMatch(/^Listed: "pattern-hd-no-bar" in Known test clips, perceptual match/);

  // The MSE stream of a clip on no list: unavailable, with the reason in words, frames taken while it played.
  const mseSrc = await page.locator('#mse-blob').evaluate((v: HTMLVideoElement) => v.src);
  await expect.poll(async () => (await finalVerdict(ext, page, mseSrc)).frames?.length ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  const unavailable = await finalVerdict(ext, page, mseSrc);
  expect(unavailable.headline).toBe('unavailable');
  expect(unavailable.reason).toBe('the page plays this video from memory (a blob: address) and gives no file address to check');
  expect((await badgeFor(page, '#mse-blob'))?.label).toBe(
    'Could not check this video: the page plays this video from memory (a blob: address) and gives no file address to check',
  );

  // Playback untouched: both still play; the page saw no long task from the sampling.
  for (const sel of ['#file-blob', '#mse-blob']) {
    const p = await playback(page, sel);
    expect(p.error, sel).toBeNull();
    expect(p.played, sel).toBeGreaterThan(0.5);
  }
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`long tasks on the page (ms): ${JSON.stringify(longTasks)}`);
  expect(Math.max(0, ...longTasks)).toBeLessThan(100);
  await page.close();
});
