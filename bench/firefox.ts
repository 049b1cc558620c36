/**
 * The extension benchmark's Firefox half (bench/extension.bench.ts prints it beside Chromium's):
 * in one Firefox binary, the test build installed as in the Firefox e2e suite, against the same
 * local pages — navigation → final badge (warm), load event with and without the add-on on pages
 * of 0 and 100 videos (a second Firefox without it, interleaved), the add-on's memory (PSS of the
 * "WebExtensions" process, which holds the background page and the checker worker) and the time
 * to a video's finished fingerprint.
 */
import type { Page } from 'puppeteer-core';
import type { FixtureServer } from '../tests/e2e/harness/server';
import { bidi, contextId, launchFirefox, sleep } from '../tests/e2e-firefox/harness/firefox';
import { FxExt, readBadges } from '../tests/e2e-firefox/harness/extension';
import type { TabVideo } from '../lib/messages';
import { firefoxExtensionMemoryMiB } from '../tests/e2e/harness/metrics';

export interface BrowserFigures {
  name: string;
  badgeMs: number[];
  load: { videos: number; without: number[]; with: number[] }[];
  peakMemMiB: number;
  fingerprintMs: number[];
}

async function idle(ext: FxExt): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await ext.send<{ waiting: number; running: number }>({ type: 'stats' });
    if (!s.waiting && !s.running) return;
    await sleep(200);
  }
  throw new Error('the add-on did not become idle');
}

/** Starts a navigation without waiting for any load state. */
async function navigate(page: Page, url: string): Promise<void> {
  await bidi(page.browser(), 'browsingContext.navigate', { context: contextId(page), url, wait: 'none' });
}

async function timeToBadge(page: Page, url: string): Promise<number> {
  const t0 = performance.now();
  await navigate(page, url);
  for (;;) {
    const b = await readBadges(page.browser(), page).catch(() => []);
    if (b[0] && b[0].headline !== 'checking') {
      if (b[0].headline !== 'credentials-valid') throw new Error(`unexpected ${b[0].headline}`);
      return performance.now() - t0;
    }
    if (performance.now() - t0 > 30_000) throw new Error('no badge within 30 s');
    await sleep(5);
  }
}

async function loadEvent(page: Page, url: string, settleMs: number): Promise<number> {
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  await sleep(settleMs);
  return page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventStart);
}

/** Navigation → the fingerprint stage of the page's one video is finished (the background's verdict). */
export async function timeToFingerprint(start: (url: string) => Promise<void>, videos: () => Promise<TabVideo[]>, url: string): Promise<number> {
  const t0 = performance.now();
  await start(url);
  for (;;) {
    const v = (await videos().catch(() => []))[0]?.verdict;
    if (v && v.headline !== 'checking' && v.fingerprint !== 'pending') {
      if (v.fingerprint !== 'done') throw new Error(`fingerprint ${v.fingerprint}: ${v.fingerprintNote ?? ''}`);
      return performance.now() - t0;
    }
    if (performance.now() - t0 > 120_000) throw new Error('no fingerprint within 120 s');
    await sleep(50);
  }
}

export async function benchFirefox(
  binary: string,
  server: FixtureServer,
  pageWith: (videos: number) => string,
  fingerprintPage: () => string,
  runs: number,
): Promise<BrowserFigures> {
  const withExt = await launchFirefox(binary);
  const without = await launchFirefox(binary, { extension: false });
  try {
    const ext = new FxExt(withExt.browser);
    await ext.ready();
    const page = await withExt.browser.newPage();
    await timeToBadge(page, pageWith(1)); // warms the worker and WASM
    const badgeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      await idle(ext);
      badgeMs.push(await timeToBadge(page, pageWith(1)));
    }

    let peakMemMiB = 0;
    const pid = withExt.browser.process()!.pid!;
    const sampler = setInterval(() => (peakMemMiB = Math.max(peakMemMiB, firefoxExtensionMemoryMiB(pid))), 250);
    const load: BrowserFigures['load'] = [];
    const plain = await without.browser.newPage();
    for (const videos of [0, 100]) {
      const row = { videos, without: [] as number[], with: [] as number[] };
      for (let i = 0; i < runs; i++) {
        await idle(ext);
        row.without.push(await loadEvent(plain, pageWith(videos), 1500));
        await idle(ext);
        row.with.push(await loadEvent(page, pageWith(videos), 1500));
      }
      load.push(row);
    }
    await idle(ext);
    clearInterval(sampler);

    const fingerprintMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await idle(ext);
      fingerprintMs.push(
        await timeToFingerprint(
          (url) => navigate(page, url),
          async () => ext.send<TabVideo[]>({ type: 'tab-videos', tabId: await ext.tabId(page) }),
          fingerprintPage(),
        ),
      );
    }
    return { name: `Firefox ${withExt.version.replace(/^firefox\//, '')}`, badgeMs, load, peakMemMiB, fingerprintMs };
  } finally {
    await withExt.close();
    await without.close();
  }
}
