/**
 * It keeps working, loses nothing: hostile files through the extension, a page that keeps
 * adding videos, a service worker stopped mid-check, the worker context closed mid-check,
 * the network cut mid-download, and a browser restart.
 */
import { PROBE_BYTES } from '../../lib/media/source';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { test, expect, fresh, launchWithExtension, Ext } from './harness/extension';
import { readBadges } from './harness/badges';
import { FAIR_EXTRA } from '../../lib/background/queue';
import { ENGINE_CACHE } from '../../lib/worker/engine-store';
import { serveFile } from './harness/server';
import { extensionMemoryMiB, longestContentScriptTask } from './harness/metrics';
import { generateCorpus, type Variant } from '../support/hostile';
import { checkSource } from '../../cli/commands/check';
import { C2PA_FIXTURES } from '../paths';
import type { TabVideo } from '../../lib/messages';

/** Longest a hostile file may take from page load to its final badge in the extension. */
const EXTENSION_BOUND_MS = 30_000;

async function tabVerdicts(ext: Ext, page: Page): Promise<TabVideo[]> {
  return ext.send<TabVideo[]>({ type: 'tab-videos', tabId: await ext.tabId(page) });
}

/** Waits until every video of the tab has a final verdict (both stages); returns them. */
async function allFinal(ext: Ext, page: Page, count: number, timeout: number): Promise<TabVideo[]> {
  let videos: TabVideo[] = [];
  await expect
    .poll(
      async () => {
        videos = await tabVerdicts(ext, page);
        return videos.length >= count && videos.every((v) => v.verdict && v.verdict.headline !== 'checking' && v.verdict.fingerprint !== 'pending');
      },
      { timeout, intervals: [250] },
    )
    .toBe(true);
  return videos;
}

/** The extension's first ranged request for a check (lib/media/source.ts opens a file with PROBE_BYTES). */
const PROBE_RANGE = `bytes=0-${PROBE_BYTES - 1}`;
const isExtensionProbe = (req: IncomingMessage) => req.headers.range === PROBE_RANGE;

/** Serves the extension's check slowly (the page's own requests get the file at once). */
function slowly(file: string, bytesPerTick: number, tickMs: number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!isExtensionProbe(req)) return serveFile(req, res, file);
    const body = readFileSync(file);
    res.writeHead(206, { 'content-type': 'video/mp4', 'content-length': body.length, 'content-range': `bytes 0-${body.length - 1}/${body.length}`, 'cache-control': 'no-store' });
    let at = 0;
    const push = () => {
      if (res.destroyed) return;
      if (at >= body.length) return void res.end();
      res.write(body.subarray(at, (at += bytesPerTick)));
      setTimeout(push, tickMs);
    };
    push();
  };
}

test('a sample of 60 hostile files through the extension: each ends within the bound with the CLI\'s verdict', async ({ ext, server }) => {
  test.setTimeout(300_000);
  const corpus = await generateCorpus();
  // An even sample across kinds.
  const byKind = new Map<string, Variant[]>();
  for (const v of corpus) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
  const sample: Variant[] = [];
  for (let i = 0; sample.length < 60; i++) for (const list of byKind.values()) if (list[i] && sample.length < 60) sample.push(list[i]);
  for (const v of sample) server.route(`/hostile/${v.name}`, (req, res) => serveFile(req, res, v.file, 'video/mp4'));
  const expected = new Map<string, string>();
  for (const v of sample) expected.set(v.name, (await checkSource(v.file, { frames: false })).headline);

  const q = fresh();
  let slowest = 0;
  for (let p = 0; p < sample.length; p += 15) {
    const chunk = sample.slice(p, p + 15);
    const page = await ext.context.newPage();
    const t0 = Date.now();
    await page.goto(
      server.html(
        `/p/hostile-${p}-${q}.html`,
        `<!doctype html><html lang="en"><title>hostile</title><body>${chunk.map((v) => `<video width="160" height="90" muted src="/hostile/${v.name}?${q}"></video>`).join('')}</body></html>`,
      ),
    );
    const videos = await allFinal(ext, page, chunk.length, EXTENSION_BOUND_MS * 2);
    slowest = Math.max(slowest, Date.now() - t0);
    for (const v of chunk) {
      const got = videos.find((x) => x.key.includes(`/hostile/${v.name}?`))?.verdict;
      // What the file reads (the picture's binding is the hostile-page suite's subject).
      expect(got?.fileHeadline ?? got?.headline, `${v.name} (${v.what})`).toBe(expected.get(v.name));
    }
    // The page still answers (its main thread is not frozen).
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    await page.close();
  }
  console.log(`hostile sample through the extension: ${sample.length} files, slowest page of 15 settled in ${slowest} ms`);
  expect(slowest).toBeLessThan(EXTENSION_BOUND_MS * 2);
});

test('a page that keeps adding videos while scrolling, up to 300: every badge resolves, checks stay bounded, no long task from the content script', async ({ server }) => {
  test.setTimeout(420_000);
  // A browser of its own: the memory figure is this page's, not what the spec files before it left
  // in the shared one (with it, the peak ranged from 260 to 424 MiB from one CI run to the next).
  const own = await launchWithExtension();
  const ext = new Ext(own.context, own.id, own.userDataDir);
  // Closed whatever happens: a browser left running would weigh on every test after this one.
  try {
    const q = fresh();
    const page = await ext.context.newPage();
    await page.goto(
      server.html(
        `/p/load-${q}.html`,
        `<!doctype html><html lang="en"><title>load</title><body style="margin:0">
        <div id="feed" style="display:grid;grid-template-columns:repeat(5,200px);gap:8px"></div>
        <div id="end" style="height:10px"></div>
        <script>
          // Like an endless timeline: ten more videos each time the reader reaches the end.
          let n = 0;
          function more() {
            const feed = document.getElementById('feed');
            for (let i = 0; i < 10 && n < 300; i++, n++) {
              const v = document.createElement('video');
              v.width = 200; v.height = 112; v.muted = true; v.preload = 'none';
              v.src = '/c2pa/c2pa-rs__video1' + (n % 3 === 0 ? '_no_manifest' : '') + '.mp4?load=' + n + '&${q}';
              feed.appendChild(v);
            }
          }
          const end = document.getElementById('end');
          // Observing again after each batch: a sentinel still in view reports again.
          const io = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) { more(); io.unobserve(end); io.observe(end); } });
          io.observe(end);
        </script></body></html>`,
      ),
    );
    let peakMem = 0;
    const sampler = setInterval(() => (peakMem = Math.max(peakMem, extensionMemoryMiB(ext.userDataDir).total)), 500);
    const { longestMs, longestCpuMs, tasks, longest } = await longestContentScriptTask(page, ext.id, async () => {
      for (let i = 0; i < 80 && (await page.evaluate(() => document.querySelectorAll('video').length)) < 300; i++) {
        await page.mouse.wheel(0, 900);
        await page.waitForTimeout(150);
      }
    });
    expect(await page.evaluate(() => document.querySelectorAll('video').length)).toBe(300);
    // Waiting on the badges themselves (no extension page open, so the memory figure is the
    // extension's background, worker host and worker alone).
    await expect
      .poll(async () => (await readBadges(page)).filter((b) => b.headline !== 'checking').length, { timeout: 360_000, intervals: [1000] })
      .toBe(300);
    clearInterval(sampler);
    const videos = await allFinal(ext, page, 300, 60_000);
    const stats = await ext.send<{ peakRunning: number }>({ type: 'stats' });
    const counts: Record<string, number> = {};
    // What each file reads; preload=none draws nothing, so none of them is vouched for over its picture (issue 10).
    for (const v of videos) counts[v.verdict!.fileHeadline ?? v.verdict!.headline] = (counts[v.verdict!.fileHeadline ?? v.verdict!.headline] ?? 0) + 1;
    expect(new Set(videos.map((v) => v.verdict!.headline))).toEqual(new Set(['unconfirmed']));
    console.log(
      `load: 300 videos; verdicts ${JSON.stringify(counts)}; peak concurrent checks ${stats.peakRunning}; ` +
        `extension memory peak ${peakMem.toFixed(0)} MiB; longest content-script task ${longestCpuMs.toFixed(1)} ms of thread time, ${longestMs.toFixed(1)} ms of wall time, over ${tasks} traced calls (longest by wall time: ${longest})`,
    );
    expect(counts).toEqual({ 'credentials-valid': 200, 'no-credentials': 100 });
    // Bounded by the queue's own limit: the normal slots plus the fair extra ones (lib/background/queue.ts).
    expect(stats.peakRunning).toBeLessThanOrEqual(2 + FAIR_EXTRA);
    expect(peakMem).toBeLessThan(400);
    expect(tasks).toBeGreaterThan(0);
    // A long task is 50 ms of the script's own work. Its wall time also counts waiting for a core
    // (2 cores, busy with these 300 checks and the tracing): bounded too, only loosely, as a catch
    // for a synchronous wait. On CI a 5.2 ms-of-thread-time draw once took 104 ms of wall time.
    expect(longestCpuMs).toBeLessThan(50);
    expect(longestMs).toBeLessThan(250);
    // Every video on the page has its badge (badges of off-screen videos are hidden, but present).
    expect((await readBadges(page)).length).toBe(300);
  } finally {
    await own.context.close();
    rmSync(own.userDataDir, { recursive: true, force: true });
  }
});

test('a page of 55,000 elements: the scan never holds the page\'s thread 50 ms, and finds the video at the end and one added meanwhile', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  const card = '<div class="card"><div><span>a</span><a href="#">link</a><p>text <b>b</b> <i>i</i></p></div><ul><li>x</li><li>y</li></ul></div>';
  const url = server.html(
    `/p/huge-${q}.html`,
    `<!doctype html><html lang="en"><title>huge</title><body><div style="height:40px;overflow:hidden">${card.repeat(5000)}</div><video id="last" width="320" height="180" muted src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>
    <script>setTimeout(() => { const v = document.createElement('video'); v.id = 'added'; v.width = 320; v.height = 180; v.muted = true; v.src = '/c2pa/c2pa-rs__video1.mp4?${q}'; document.body.prepend(v); }, 0);</script></body></html>`,
  );
  const { longestCpuMs, longestMs, tasks, longest } = await longestContentScriptTask(page, ext.id, async () => {
    await page.goto(url);
    await expect.poll(async () => (await readBadges(page)).filter((b) => b.headline !== 'checking').length, { timeout: 45_000 }).toBe(2);
  });
  console.log(`huge page: longest content-script task ${longestCpuMs.toFixed(1)} ms of thread time, ${longestMs.toFixed(1)} ms of wall time, over ${tasks} calls (${longest})`);
  // The last element of the page (a video with no credentials, on screen: the cards are clipped) and the added one (signed) each have theirs.
  const headlines = (await readBadges(page)).map((b) => b.headline);
  expect(headlines).toContain('no-credentials');
  expect(['credentials-valid', 'unconfirmed']).toContain(headlines.find((h) => h !== 'no-credentials'));
  // One walk of this page took 63-219 ms of thread time before it was sliced (33,000-110,000 elements).
  expect(longestCpuMs).toBeLessThan(50);
  await page.close();
});

test('the service worker stopped in the middle of a check: the check finishes and the badge updates', async ({ ext, server }) => {
  const q = fresh();
  server.route('/slow/video1.mp4', slowly(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'), 64 * 1024, 250));
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/sw-stop-${q}.html`, `<!doctype html><html lang="en"><title>sw</title><video width="320" height="180" muted src="/slow/video1.mp4?${q}"></video></html>`));
  await expect.poll(async () => server.requests(`/slow/video1.mp4?${q}`).filter((r) => r.headers.range === PROBE_RANGE).length).toBeGreaterThan(0);
  const cdp = await ext.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await allFinal(ext, page, 1, 60_000);
  // Its picture is compared again too: the content script sends its frames again to the new worker.
  await expect.poll(async () => (await tabVerdicts(ext, page))[0]?.verdict?.headline).toBe('credentials-valid');
  await expect.poll(async () => (await readBadges(page))[0]?.headline).toBe('credentials-valid');
  await page.close();
});

test('the worker context closed in the middle of a check: it is run again, not left on "checking"', async ({ ext, server }) => {
  const q = fresh();
  server.route('/slow2/video1.mp4', slowly(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'), 64 * 1024, 250));
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/offscreen-${q}.html`, `<!doctype html><html lang="en"><title>offscreen</title><video width="320" height="180" muted src="/slow2/video1.mp4?${q}"></video></html>`));
  await expect.poll(async () => server.requests(`/slow2/video1.mp4?${q}`).filter((r) => r.headers.range === PROBE_RANGE).length).toBeGreaterThan(0);
  await ext.sw.evaluate(() => (globalThis as unknown as { chrome: { offscreen: { closeDocument(): Promise<void> } } }).chrome.offscreen.closeDocument());
  await allFinal(ext, page, 1, 60_000);
  await expect.poll(async () => (await tabVerdicts(ext, page))[0]?.verdict?.headline).toBe('credentials-valid');
  // Fetched again after the loss.
  expect(server.requests(`/slow2/video1.mp4?${q}`).filter((r) => r.headers.range === PROBE_RANGE).length).toBeGreaterThanOrEqual(2);
  await page.close();
});

test('the network cut during a download: "unavailable" with the reason, never stuck', async ({ ext, server }) => {
  const q = fresh();
  server.route('/cut/video1.mp4', (req, res) => {
    const file = join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4');
    if (!isExtensionProbe(req)) return serveFile(req, res, file);
    const body = readFileSync(file);
    res.writeHead(206, { 'content-type': 'video/mp4', 'content-length': body.length, 'content-range': `bytes 0-${body.length - 1}/${body.length}` });
    res.write(body.subarray(0, 100_000), () => setTimeout(() => res.destroy(), 100));
  });
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/cut-${q}.html`, `<!doctype html><html lang="en"><title>cut</title><video width="320" height="180" muted preload="none" src="/cut/video1.mp4?${q}"></video></html>`));
  const [v] = await allFinal(ext, page, 1, 60_000);
  expect(v.verdict!.headline).toBe('unavailable');
  expect(v.verdict!.reason).toMatch(/download failed|could not reach|network/i);
  await page.close();
});

test('a list update cut off by the network fails with a reason and keeps the old list', async ({ ext, server }) => {
  const { signedList } = await import('../support/media');
  const list = await signedList('resilience-v1', ['pattern-sd-grey-bar.mp4'], { sequence: 1 });
  let cut = false;
  server.route('/lists/cut.jsonl', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': list.bytes.length });
    if (!cut) return void res.end(list.bytes);
    res.write(list.bytes.subarray(0, 100), () => res.destroy());
  });
  server.route('/lists/cut.jsonl.sig', (_req, res) => void res.end(list.sig));
  const sub = await ext.send<{ status: { sequence?: number; entries?: number } }>({ type: 'list-subscribe', url: server.url('/lists/cut.jsonl'), publicKey: list.publicKey });
  expect(sub.status.entries).toBe(1);
  cut = true;
  const [outcome] = await ext.send<{ result: string; error?: string }[]>({ type: 'list-update' });
  const overview = await ext.send<{ lists: { id: string; subscription?: { url: string }; meta?: { entries: number; header: { sequence: number } }; status?: { lastError?: string } }[] }>({ type: 'lists-status' });
  const row = overview.lists.find((l) => l.subscription?.url === server.url('/lists/cut.jsonl'))!;
  expect(row.meta).toMatchObject({ entries: 1, header: { sequence: 1 } });
  expect(row.status?.lastError).toBeTruthy();
  expect(outcome.result).toBe('failed');
  // Leave the browser as the next spec files expect it (their lists only).
  await ext.send({ type: 'list-remove', id: row.id });
});

test('the C2PA engine copy: made by the first check, used after a restart; a damaged copy is replaced, never relied on', async ({ server }) => {
  test.setTimeout(120_000);
  const first = await launchWithExtension();
  const copies = (sw: { evaluate: typeof first.sw.evaluate }) =>
    sw.evaluate(async (name) => {
      const cache = await caches.open(name);
      const out: { url: string; bytes: number }[] = [];
      for (const req of await cache.keys()) out.push({ url: req.url, bytes: (await (await cache.match(req))!.arrayBuffer()).byteLength });
      return out;
    }, ENGINE_CACHE);
  const packaged = await first.sw.evaluate(async () => (await (await fetch('/c2pa.wasm')).arrayBuffer()).byteLength);
  const check = async (context: BrowserContext, ext: Ext, tag: string) => {
    const page = await context.newPage();
    await page.goto(server.html(`/p/engine-copy-${tag}.html`, `<!doctype html><html lang="en"><title>engine</title><video width="320" height="180" muted src="/c2pa/c2pa-rs__video1.mp4?${tag}"></video></html>`));
    const [video] = await allFinal(ext, page, 1, 60_000);
    expect(video.verdict!.fileHeadline ?? video.verdict!.headline).toBe('credentials-valid');
  };
  expect(await copies(first.sw)).toEqual([]);
  await check(first.context, new Ext(first.context, first.id, first.userDataDir), fresh());
  // The first engine start read the packaged file and kept its bytes under this build's name.
  await expect.poll(() => copies(first.sw), { timeout: 30_000 }).toEqual([{ url: expect.stringMatching(/^https:\/\/c2pa-engine\.invalid\/[0-9a-f]{16}\.wasm$/), bytes: packaged }]);
  const [{ url: name }] = await copies(first.sw);
  // Damaged (as a disk error or a bad write would leave it), beside a copy of an older build.
  await first.sw.evaluate(
    async ([cacheName, copyName]) => {
      const cache = await caches.open(cacheName);
      const wasm = { headers: { 'content-type': 'application/wasm' } };
      await cache.put(copyName, new Response(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]), wasm));
      await cache.put('https://c2pa-engine.invalid/0000000000000000.wasm', new Response(new Uint8Array(16), wasm));
    },
    [ENGINE_CACHE, name],
  );
  await first.context.close();

  const second = await launchWithExtension({ userDataDir: first.userDataDir });
  try {
    // The damaged copy did not compile: the packaged engine read the credentials.
    await check(second.context, new Ext(second.context, second.id, second.userDataDir), fresh());
    // And the copy is whole again, the older build's gone.
    await expect.poll(() => copies(second.sw), { timeout: 30_000 }).toEqual([{ url: name, bytes: packaged }]);
  } finally {
    await second.context.close();
    rmSync(first.userDataDir, { recursive: true, force: true });
  }
});

test('after a browser restart, lists and cached verdicts are intact', async ({ server }) => {
  test.setTimeout(120_000);
  const first = await launchWithExtension();
  const ext = new Ext(first.context, first.id, first.userDataDir);
  const { signedList } = await import('../support/media');
  const list = await signedList('restart-v1', ['pattern-sd-with-small-logo-bar.mp4'], { sequence: 1, notes: 'kept across restarts' });
  server.route('/lists/restart.jsonl', (_req, res) => void res.end(list.bytes));
  server.route('/lists/restart.jsonl.sig', (_req, res) => void res.end(list.sig));
  await ext.send({ type: 'list-subscribe', url: server.url('/lists/restart.jsonl'), publicKey: list.publicKey });
  const q = fresh();
  const url = server.html(`/p/restart-${q}.html`, `<!doctype html><html lang="en"><title>restart</title><video width="320" height="180" muted src="/gen/bad-signature.mp4?${q}"></video><video width="320" height="180" muted src="/pdq/pattern-sd-with-small-logo-bar.mp4?${q}"></video></html>`);
  const page = await first.context.newPage();
  await page.goto(url);
  const before = await allFinal(ext, page, 2, 60_000);
  expect(before.map((v) => v.verdict!.headline).sort()).toEqual(['credentials-invalid', 'listed']);
  await first.context.close();

  const second = await launchWithExtension({ userDataDir: first.userDataDir });
  expect(second.id).toBe(first.id);
  const ext2 = new Ext(second.context, second.id, second.userDataDir);
  const fetchedBefore = server.requests(`/gen/bad-signature.mp4?${q}`).length;
  const page2 = await second.context.newPage();
  await page2.goto(url);
  const after = await allFinal(ext2, page2, 2, 60_000);
  expect(after.map((v) => v.verdict!.headline).sort()).toEqual(['credentials-invalid', 'listed']);
  // The cached verdict was reused: the extension did not download the video again (the page's own requests are range/metadata ones).
  const extensionFetches = server.requests(`/gen/bad-signature.mp4?${q}`).slice(fetchedBefore).filter((r) => r.headers.range === PROBE_RANGE);
  expect(extensionFetches.length).toBe(0);
  const overview = await ext2.send<{ lists: { meta?: { entries: number } }[] }>({ type: 'lists-status' });
  expect(overview.lists.map((l) => l.meta?.entries)).toEqual([1]);
  await second.context.close();
});
