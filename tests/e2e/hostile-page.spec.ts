/**
 * A hostile page against its own badges (issue 10). The page controls its DOM, its server and what
 * plays; every test is one attack, tagged with what it would be if it worked — a *lie* (a verdict
 * that vouches for something else), a *hide* (a video with no verdict in the badge or the
 * extension's own UI), a *starvation* (a video left unchecked) or a *leak* (a verdict read back by
 * the page) — plus controls that must stay right. The suite ends with its report: attacks tried,
 * and how many of each kind got through (0, or the suite is red).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect, fresh, type Ext } from './harness/extension';
import { badgeFor, readBadges, settledBadge } from './harness/badges';
import { serveFile } from './harness/server';
import { C2PA_FIXTURES, PDQ_FIXTURES, ROOT } from '../paths';
import { aiDeclaredVideo } from '../support/signing';
import type { Page } from '@playwright/test';

const V = 'width="320" height="180" muted preload="metadata"';
const SIGNED = join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4');
const PLAIN = join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4');
const OTHER = join(PDQ_FIXTURES, 'videos', 'pattern-hd-no-bar.mp4');
const VOUCHING = ['credentials-trusted', 'credentials-valid', 'no-credentials'];

type Kind = 'lie' | 'hide' | 'starvation' | 'leak' | 'control';
function kindOf(title: string): Kind {
  return (/^\[(lie|hide|starvation|leak|control)\]/.exec(title)?.[1] as Kind) ?? 'control';
}
// One record per test for the whole run (a failed test restarts the worker, so memory would not do).
const RECORD = join(ROOT, '.cache', `hostile-report-${process.env.PL_RUN_STARTED ?? 'local'}.jsonl`);
test.afterEach(async ({}, info) => {
  mkdirSync(dirname(RECORD), { recursive: true });
  appendFileSync(RECORD, JSON.stringify({ kind: kindOf(info.title), failed: info.status !== info.expectedStatus }) + '\n');
});
test.afterAll(() => {
  const rows = readFileSync(RECORD, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: Kind; failed: boolean });
  const count = (k: Kind) => rows.filter((r) => r.kind === k && r.failed).length;
  const attacks = rows.filter((r) => r.kind !== 'control');
  const controls = rows.filter((r) => r.kind === 'control');
  console.log(
    `hostile pages: attacks tried ${attacks.length}, lies ${count('lie')}, hides ${count('hide')}, starvations ${count('starvation')}, leaks ${count('leak')}; controls ${controls.length} (${count('control')} wrong)`,
  );
});

/** A route that gives the page's player one file and everyone else (the extension's fetch) another: server cloaking. */
function cloak(toPlayer: string, toOthers: string) {
  return (req: IncomingMessage, res: ServerResponse) => serveFile(req, res, req.headers['sec-fetch-dest'] === 'video' ? toPlayer : toOthers, 'video/mp4');
}

/** The verdict the extension's own UI (the popup's data) holds for the tab's only video at `part` of its address. */
async function ownUiHeadline(ext: Ext, page: Page, part: string): Promise<string | undefined> {
  const videos = (await ext.send({ type: 'tab-videos', tabId: await ext.tabId(page) })) as { ref: { url?: string }; verdict?: { headline: string } }[];
  return videos.find((v) => v.ref.url?.includes(part))?.verdict?.headline;
}

test('[hide] 501 empty videos do not hide a real one: the frame report is truncated, the real video still gets its verdict', async ({ ext, server }) => {
  const q = fresh();
  const empties = Array.from({ length: 501 }, () => '<video width="2" height="2"></video>').join('');
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/decoys-${q}.html`, `<!doctype html><title>decoys</title><video id="real" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video><div>${empties}</div>`));
  await expect.poll(async () => (await badgeFor(page, '#real'))?.headline, { timeout: 45_000 }).toBe('credentials-valid');
  await page.close();
});

test('[hide] a video alone in a closed shadow root is found and checked (a div, a custom element, one inside a list item, one inside an SVG foreignObject, a declarative root, an element added with its root)', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  // The scan asks about shadow roots only on elements that can host one (lib/content/spotter.ts):
  // one host of each kind it must not skip.
  const video = `<video ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>`;
  await page.goto(
    server.html(
      `/p/closed-${q}.html`,
      `<!doctype html><title>closed</title><div id="host"></div><x-player></x-player>
      <ul><li><x-player></x-player></li></ul>
      <svg width="330" height="190"><foreignObject width="330" height="190"><x-player></x-player></foreignObject></svg>
      <section><template shadowrootmode="closed">${video}</template></section>
      <script>
        document.getElementById('host').attachShadow({ mode: 'closed' }).innerHTML = '${video}';
        customElements.define('x-player', class extends HTMLElement { constructor() { super(); this.attachShadow({ mode: 'closed' }).innerHTML = '${video}'; } });
        // Made (its constructor attaches the root) and only then added, after the page's load: the
        // added element is itself the host, not one of its descendants.
        customElements.define('x-late', class extends HTMLElement { constructor() { super(); this.attachShadow({ mode: 'closed' }).innerHTML = '${video}'; } });
        addEventListener('load', () => setTimeout(() => document.body.append(document.createElement('x-late')), 300));
      </script>`,
    ),
  );
  await expect.poll(async () => (await readBadges(page)).map((b) => b.headline), { timeout: 45_000 }).toEqual(Array(6).fill('no-credentials'));
  await page.close();
});

test('[lie] a stream played through srcObject is treated as a stream, never as the signed file its src names', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/stream-${q}.html`,
      `<!doctype html><title>stream</title>
      <video id="source" width="160" height="90" muted autoplay loop src="/c2pa/c2pa-rs__video1_no_manifest.mp4?s&${q}"></video>
      <video id="shown" ${V} muted autoplay src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <script>
        const s = document.getElementById('source');
        s.addEventListener('playing', () => { document.getElementById('shown').srcObject = s.captureStream(); }, { once: true });
      </script>`,
    ),
  );
  // Whatever was checked first, the badge ends on what plays: a stream, not "Signed".
  await expect.poll(async () => (await badgeFor(page, '#shown'))?.headline, { timeout: 45_000 }).toBe('unavailable');
  expect((await badgeFor(page, '#shown'))!.label).toMatch(/stream it makes itself \(srcObject\)/);
  await page.close();
});

test('[leak] no oracle: badges have the same geometry whatever their verdict, as a page hit-testing them sees it', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/oracle-${q}.html`,
      `<!doctype html><title>oracle</title><style>video{display:block;margin:20px}</style>
      <video id="a" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <video id="b" ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>
      <video id="c" ${V} src="/c2pa/no-such-file.mp4?${q}"></video>`,
    ),
  );
  for (const id of ['#a', '#b', '#c']) await expect.poll(async () => (await badgeFor(page, id))?.headline ?? 'checking', { timeout: 45_000 }).not.toBe('checking');
  // What a page can measure: where elementFromPoint lands on a badge host, across and down from the video's corner.
  const extents = await page.evaluate(() =>
    ['a', 'b', 'c'].map((id) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      const hit = (x: number, y: number) => document.elementFromPoint(x, y)?.localName === 'provenance-lens-badge';
      let w = 0;
      let h = 0;
      for (let x = 0; x < 200; x++) if (hit(r.left + x, r.top + 12)) w++;
      for (let y = 0; y < 60; y++) if (hit(r.left + 30, r.top + y)) h++;
      return { w, h };
    }),
  );
  expect(new Set((await readBadges(page)).map((b) => b.headline)).size).toBe(3);
  expect(extents[0].w).toBeGreaterThan(50);
  expect(extents[1]).toEqual(extents[0]);
  expect(extents[2]).toEqual(extents[0]);
  await page.close();
});

test('[lie] server cloaking: the extension is given a signed file, the player another video → the badge says the playing video is not the file checked', async ({ ext, server }) => {
  const q = fresh();
  server.route(`/cloak/signed-${q}.mp4`, cloak(OTHER, SIGNED));
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/cloak-${q}.html`, `<!doctype html><title>cloak</title><video id="v" ${V} src="/cloak/signed-${q}.mp4"></video>`));
  const b = await settledBadge(page, '#v');
  expect(b.headline).toBe('picture-mismatch');
  expect(b.label).toMatch(/^The playing video is not the file that was checked/);
  // The extension's own UI says the same, and the toolbar names it first.
  expect(await ownUiHeadline(ext, page, `signed-${q}`)).toBe('picture-mismatch');
  await expect.poll(() => ext.toolbarText(page)).toBe('DIFF');
  await page.close();
});

test('[lie] server cloaking the other way: the player gets an AI-declared video, the extension a plain one → not "None"', async ({ ext, server }) => {
  const q = fresh();
  server.route(`/cloak/ai-${q}.mp4`, cloak(await aiDeclaredVideo(), OTHER));
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/cloak-ai-${q}.html`, `<!doctype html><title>cloak</title><video id="v" ${V} src="/cloak/ai-${q}.mp4"></video>`));
  expect((await settledBadge(page, '#v')).headline).toBe('picture-mismatch');
  await page.close();
});

test('[lie] a poster of another video with preload=none: no vouching verdict on the still', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(`/p/poster-${q}.html`, `<!doctype html><title>poster</title><video id="v" width="320" height="180" muted preload="none" poster="/c2pa/c2pa-rs__C.jpg" src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>`),
  );
  await expect.poll(async () => (await badgeFor(page, '#v'))?.label ?? '', { timeout: 30_000 }).toMatch(/The file itself reads Content Credentials/);
  const b = (await badgeFor(page, '#v'))!;
  expect(b.headline).toBe('unconfirmed');
  expect(b.label).toMatch(/^Not confirmed: /);
  await page.waitForTimeout(2000);
  expect(VOUCHING).not.toContain((await badgeFor(page, '#v'))!.headline);
  await page.close();
});

/** A signed video, confirmed, then something painted over it by the page. */
async function coveredAfterwards(ext: Ext, page: Page, server: import('./harness/server').FixtureServer, q: string, cover: string): Promise<void> {
  await page.goto(
    server.html(
      `/p/cover-${q}.html`,
      `<!doctype html><title>cover</title><style>body{margin:0} #wrap{position:relative;width:320px;height:180px;margin:20px}</style>
      <div id="wrap"><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video></div>
      <script>window.addCover = () => { ${cover} };</script>`,
    ),
  );
  expect((await settledBadge(page, '#v')).headline).toBe('credentials-valid'); // the control: a plain signed video reads Signed
  await page.evaluate(() => (window as unknown as { addCover(): void }).addCover());
  await expect.poll(async () => (await badgeFor(page, '#v'))?.headline, { timeout: 15_000 }).toBe('unconfirmed');
  expect((await badgeFor(page, '#v'))!.label).toMatch(/something else .* is shown on top of this video/);
  expect(await ownUiHeadline(ext, page, `video1.mp4?${q}`)).toBe('unconfirmed');
}

/** Covers a page paints over a checked video, after its verdict came. */
const COVERS: [string, string][] = [
  [
    'a canvas painting a fake over a signed video: the covered video does not vouch for the cover',
    `const c = document.createElement('canvas'); c.width = 320; c.height = 180; c.style.cssText = 'position:absolute;left:0;top:0'; c.getContext('2d').fillRect(0, 0, 320, 180); document.getElementById('wrap').appendChild(c);`,
  ],
  [
    'a fake video in a closed shadow root laid over a signed video',
    `const h = document.createElement('div'); h.style.cssText = 'position:absolute;left:0;top:0;width:320px;height:180px'; h.attachShadow({ mode: 'closed' }).innerHTML = '<video width="320" height="180" muted autoplay loop src="/pdq/pattern-hd-no-bar.mp4"></video>'; document.getElementById('wrap').appendChild(h);`,
  ],
  [
    'a second video moved over the signed one with translate',
    `const v = document.createElement('video'); v.id = 'mover'; v.width = 320; v.height = 180; v.muted = true; v.src = '/pdq/pattern-hd-no-bar.mp4'; v.style.cssText = 'display:block;position:relative;z-index:5'; document.body.appendChild(v); const r = v.getBoundingClientRect(), t = document.getElementById('v').getBoundingClientRect(); v.style.translate = (t.left - r.left) + 'px ' + (t.top - r.top) + 'px';`,
  ],
];
for (const [name, cover] of COVERS) {
  test(`[lie] ${name}`, async ({ ext, server }) => {
    const q = fresh();
    const page = await ext.context.newPage();
    await coveredAfterwards(ext, page, server, q, cover);
    await page.close();
  });
}

test('[hide] a page that forges the content script\'s "a newer script started" event: its badges stay, and a video added afterwards is still checked', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/forge-${q}.html`, `<!doctype html><title>forge</title><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>`));
  expect((await settledBadge(page, '#v')).headline).toBe('credentials-valid');
  // The page knows the extension's id (its store listing says it) and the event WXT's content-script
  // context listened for on the document to stop an older copy of itself (the script no longer uses it).
  await page.evaluate((id) => {
    for (const type of [`${id}:content:wxt:content-script-started`, 'wxt:content-script-started']) {
      document.dispatchEvent(new CustomEvent(type, { detail: { contentScriptName: 'content', messageId: 'forged' } }));
      window.postMessage({ type, contentScriptName: 'content', messageId: 'forged' }, '*');
    }
  }, ext.id);
  await page.evaluate((src) => {
    const w = document.createElement('video');
    Object.assign(w, { id: 'w', width: 320, height: 180, muted: true, preload: 'metadata', src });
    document.body.appendChild(w);
  }, `/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}`);
  expect((await settledBadge(page, '#w')).headline).toBe('no-credentials');
  expect((await badgeFor(page, '#v'))?.headline).toBe('credentials-valid');
  await page.close();
});

test('[hide] a page that stops its DOMContentLoaded and load events, and fires its own copies early, still gets its badges', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  // The content script waits for these events (entrypoints/in-page.ts). This page's first script
  // stops them wherever it can, and fires untrusted copies before its video exists.
  await page.goto(
    server.html(
      `/p/events-${q}.html`,
      `<!doctype html><title>events</title><script>
        for (const type of ['DOMContentLoaded', 'load', 'readystatechange']) {
          for (const t of [window, document]) for (const capture of [true, false]) t.addEventListener(type, (e) => e.stopImmediatePropagation(), capture);
          window.dispatchEvent(new Event(type));
          document.dispatchEvent(new Event(type, { bubbles: true }));
        }
      </script>
      <video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>`,
    ),
  );
  expect((await settledBadge(page, '#v')).headline).toBe('credentials-valid');
  await page.close();
});

test('[leak] the page hears nothing from the extension: no window message, no event on its document names it or its content script', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  // A page that knows the extension's id (a store listing gives it) listens where a content
  // script framework announces itself: WXT's start-up event on the document used to name the id.
  const events = [`${ext.id}:content:wxt:content-script-started`, 'wxt:content-script-started', `${ext.id}:content:wxt:locationchange`];
  await page.goto(
    server.html(
      `/p/listen-${q}.html`,
      `<!doctype html><title>listen</title><script>
        window.heard = [];
        addEventListener('message', (e) => heard.push(JSON.stringify(e.data)));
        for (const type of ${JSON.stringify(events)}) { document.addEventListener(type, () => heard.push(type)); window.addEventListener(type, () => heard.push(type)); }
      </script><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>`,
    ),
  );
  expect((await settledBadge(page, '#v')).headline).toBe('credentials-valid');
  const heard = await page.evaluate(() => (window as unknown as { heard: string[] }).heard);
  expect(heard.filter((m) => m.includes(ext.id) || /wxt|provenance/i.test(m))).toEqual([]);
  await page.close();
});

test('[hide] a page that hides, moves or removes badge hosts: the badge comes back, and the toolbar and popup keep the verdicts', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/tamper-${q}.html`, `<!doctype html><title>tamper</title><video id="v" ${V} src="/gen/ai-declared.mp4?${q}"></video>`));
  await aiDeclaredVideo();
  expect((await settledBadge(page, '#v')).headline).toBe('ai-declared');
  await page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = 'provenance-lens-badge { display: none !important; opacity: 0 !important; transform: translate(-9999px) !important }';
    document.head.appendChild(style);
    for (const h of document.querySelectorAll('provenance-lens-badge')) {
      (h as HTMLElement).style.display = 'none';
      h.setAttribute('hidden', '');
    }
  });
  await page.waitForTimeout(300);
  await page.evaluate(() => document.querySelectorAll('provenance-lens-badge').forEach((h) => h.remove()));
  await page.waitForTimeout(300);
  const b = (await badgeFor(page, '#v'))!;
  expect(b.headline).toBe('ai-declared');
  expect(b.shown).toBe(true);
  const shown = await page.evaluate(() => {
    const h = document.querySelector('provenance-lens-badge') as HTMLElement | null;
    if (!h) return null;
    const cs = getComputedStyle(h);
    return { display: cs.display, opacity: cs.opacity, transform: cs.transform };
  });
  expect(shown).toEqual({ display: 'block', opacity: '1', transform: 'none' });
  expect(await ownUiHeadline(ext, page, `ai-declared.mp4?${q}`)).toBe('ai-declared');
  await expect.poll(() => ext.toolbarText(page)).toBe('AI');
  await page.close();
});

test('[starvation] a dozen trickling decoys in one tab cannot keep a video in a new tab waiting', async ({ ext, server }) => {
  const q = fresh();
  // One byte every 5 s, for ever: a server that holds the extension's download slots.
  server.route(`/trickle-${q}.mp4`, (req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 1_000_000 });
    const t = setInterval(() => res.write(Buffer.from([0])), 5000);
    req.on('close', () => clearInterval(t));
  });
  const decoys = Array.from({ length: 12 }, (_, i) => `<video width="40" height="30" src="/trickle-${q}.mp4?d${i}"></video>`).join('');
  const hostile = await ext.context.newPage();
  // Under another host name: the browser allows 6 connections per host, and the decoys' own players
  // take them all — a page can only do that to its own host, so the victim is on another one.
  await hostile.goto(server.html(`/p/trickle-${q}.html`, `<!doctype html><title>trickle</title>${decoys}`).replace('127.0.0.1', 'localhost'));
  await hostile.waitForTimeout(1500); // the decoys hold every slot
  const page = await ext.context.newPage();
  const start = Date.now();
  await page.goto(server.html(`/p/victim-${q}.html`, `<!doctype html><title>victim</title><video id="v" ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>`));
  expect((await settledBadge(page, '#v')).headline).toBe('no-credentials');
  expect(Date.now() - start).toBeLessThan(20_000);
  await page.close();
  await hostile.close();
});

test('[control] a <source> list reads the source that plays, and a changed src is checked again', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/sources-${q}.html`,
      `<!doctype html><title>sources</title><video id="v" ${V}><source src="/c2pa/none.webm?${q}" type="video/x-not-playable"><source src="/c2pa/c2pa-rs__video1.mp4?${q}" type="video/mp4"></video>`,
    ),
  );
  expect((await settledBadge(page, '#v')).headline).toBe('credentials-valid');
  await page.evaluate((q) => {
    const v = document.getElementById('v') as HTMLVideoElement;
    v.src = `/gen/ai-declared.mp4?${q}`;
  }, q);
  await aiDeclaredVideo();
  await expect.poll(async () => (await badgeFor(page, '#v'))?.headline, { timeout: 30_000 }).toBe('ai-declared');
  await page.close();
});
