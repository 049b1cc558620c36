/**
 * The foundation, end to end: the built extension in Chromium on a local page of real
 * fixture videos. Each video gets the right badge (headline and accessible name) and
 * popup entry, the page's videos keep playing, and the page cannot change a verdict.
 */
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, fresh } from './harness/extension';
import { badgeFor, readBadges, settledBadge } from './harness/badges';
import type { Page } from '@playwright/test';

const V = 'width="320" height="180" muted controls preload="metadata"';

async function popupEntries(popup: Page) {
  return popup.locator('li.pl-video').evaluateAll((els) =>
    els.map((e) => ({ headline: e.getAttribute('data-headline'), key: e.getAttribute('data-key') ?? '', text: e.textContent ?? '' })),
  );
}

test.describe('foundation: fixture page', () => {
  test('every fixture video gets the right badge and popup entry, and still plays', async ({ ext, server }) => {
    const q = fresh();
    server.text('/random.mp4', randomBytes(64 * 1024), 'video/mp4');
    const frame = server.html(
      `/p/frame-${q}.html`,
      `<!doctype html><title>frame</title><video id="framed" ${V} src="/gen/bad-signature.mp4?frame&${q}"></video>`,
    );
    const url = server.html(
      `/p/foundation-${q}.html`,
      `<!doctype html><html lang="en"><head><title>Fixture videos</title>
      <style>body{font:14px sans-serif} .grid{display:grid;grid-template-columns:repeat(3,340px);gap:16px}</style></head><body>
      <h1>Fixture videos</h1>
      <div class="grid">
        <video id="valid" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
        <video id="invalid" ${V}><source src="/gen/bad-signature.mp4?${q}" type="video/mp4"></video>
        <video id="none" ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>
        <video id="mov" ${V} src="/c2pa/c2pa-rs__c.mov?${q}"></video>
        <video id="ai" ${V} src="/gen/ai-declared.mp4?${q}"></video>
        <video id="missing" ${V} src="/c2pa/no-such-video.mp4?${q}"></video>
        <video id="random" ${V} src="/random.mp4?${q}"></video>
        <div id="shadow-host"></div>
        <div id="later"></div>
      </div>
      <iframe id="frame" src="${frame}" width="360" height="220"></iframe>
      <script>
        const host = document.getElementById('shadow-host');
        host.attachShadow({ mode: 'open' }).innerHTML = \`<video id="in-shadow" ${V} src="/c2pa/c2pa-rs__video1.mp4?shadow&${q}"></video>\`;
        setTimeout(() => {
          const v = document.createElement('video');
          v.id = 'added'; v.width = 320; v.height = 180; v.muted = true;
          v.src = '/gen/ai-declared.mp4?added&${q}';
          document.getElementById('later').appendChild(v);
        }, 400);
      </script></body></html>`,
    );
    const page = await ext.context.newPage();
    await page.goto(url);

    const expectations: [string, string, RegExp][] = [
      ['#valid', 'credentials-valid', /^Content Credentials valid: signed by a certificate that names itself “C2PA Test Signing Cert”/],
      ['#invalid', 'credentials-invalid', /^Content Credentials invalid: claimSignature\.mismatch/],
      ['#none', 'no-credentials', /No Content Credentials/],
      ['#mov', 'no-credentials', /No Content Credentials/],
      ['#ai', 'ai-declared', /^AI-generated: declared by OpenAI Sora, signed by a certificate that names itself “C2PA Test Signing Cert”$/],
      ['#missing', 'unavailable', /Could not check this video: the server answered 404/],
      ['#random', 'error', /Error reading this video: not a video or image format/],
      ['#added', 'ai-declared', /AI-generated/],
    ];
    for (const [sel, headline, label] of expectations) {
      await page.locator(sel).scrollIntoViewIfNeeded();
      const b = await settledBadge(page, sel);
      expect(b.headline, sel).toBe(headline);
      expect(b.label, sel).toMatch(label);
    }

    // Inside an open shadow root and inside an iframe.
    const all = await readBadges(page);
    const shadowRect = await page.evaluate(() => {
      const r = document.getElementById('shadow-host')!.shadowRoot!.getElementById('in-shadow')!.getBoundingClientRect();
      return { top: r.top + scrollY, left: r.left + scrollX };
    });
    await expect
      .poll(async () => (await readBadges(page)).find((b) => b.frame === 0 && Math.abs(b.top - shadowRect.top - 6) < 3 && Math.abs(b.left - shadowRect.left - 6) < 3)?.headline)
      .toBe('credentials-valid');
    await expect.poll(async () => (await readBadges(page)).filter((b) => b.frame > 0).map((b) => b.headline)).toEqual(['credentials-invalid']);
    expect(all.length).toBeGreaterThanOrEqual(8);

    // The popup lists every video of the tab, all frames, with the same headlines.
    const popup = await ext.openPopup(page);
    await expect.poll(async () => (await popupEntries(popup)).length).toBe(10);
    const entries = await popupEntries(popup);
    const byFile = (part: string) => entries.filter((e) => e.key.includes(part)).map((e) => e.headline).sort();
    expect(byFile(`c2pa-rs__video1.mp4?${q}`)).toEqual(['credentials-valid']);
    expect(byFile('shadow&')).toEqual(['credentials-valid']);
    expect(byFile('bad-signature.mp4')).toEqual(['credentials-invalid', 'credentials-invalid']);
    expect(byFile('ai-declared.mp4')).toEqual(['ai-declared', 'ai-declared']);
    expect(byFile('no-such-video')).toEqual(['unavailable']);
    expect(byFile('random.mp4')).toEqual(['error']);
    expect(byFile('c.mov')).toEqual(['no-credentials']);
    // Evidence in words: signer, issuer, AI source type, validation codes.
    const aiEntry = popup.locator('li.pl-video[data-headline="ai-declared"]').first();
    await aiEntry.locator('summary').first().click();
    await expect(aiEntry).toContainText('OpenAI Sora');
    await expect(aiEntry).toContainText('generated by a trained AI model');
    await expect(aiEntry).toContainText('C2PA Test Intermediate Root CA');
    const invalidEntry = popup.locator('li.pl-video[data-headline="credentials-invalid"]').first();
    await invalidEntry.locator('summary').first().click();
    await expect(invalidEntry).toContainText('the signature does not match the claim');

    // Toolbar: flagged = AI-declared (2) + invalid (2).
    await expect.poll(() => ext.toolbarText(page)).toBe('4');

    // The popup has no serious accessibility violations.
    const axe = await new AxeBuilder({ page: popup }).analyze();
    const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    // Clicking an entry scrolls the page to that video and highlights it.
    await page.evaluate(() => window.scrollTo(0, 0));
    const addedEntry = popup.locator('li.pl-video', { hasText: 'ai-declared.mp4' }).last();
    await addedEntry.getByRole('button', { name: /Show video/ }).click();
    await expect.poll(async () => page.locator('#added').evaluate((v) => {
      const r = v.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    })).toBe(true);
    await expect.poll(async () => (await badgeFor(page, '#added'))?.ring).toBe(true);
    await popup.close();

    // The page keeps working: videos still play.
    for (const sel of ['#valid', '#ai']) {
      const state = await page.locator(sel).evaluate(async (v: HTMLVideoElement) => {
        v.muted = true;
        await v.play();
        await new Promise((r) => setTimeout(r, 700));
        return { t: v.currentTime, paused: v.paused, error: v.error?.code ?? null };
      });
      expect(state.error, sel).toBeNull();
      expect(state.paused, sel).toBe(false);
      expect(state.t, sel).toBeGreaterThan(0.2);
    }
    await page.close();
  });

  test('badge: click opens details, Escape closes; it follows the video; removed videos lose it', async ({ ext, server }) => {
    const q = fresh();
    const url = server.html(
      `/p/badge-${q}.html`,
      `<!doctype html><html lang="en"><title>badge</title><body style="margin:0">
      <div id="spacer" style="height:40px"></div>
      <video id="v" width="400" height="225" muted src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <div style="height:2000px"></div></body></html>`,
    );
    const page = await ext.context.newPage();
    await page.goto(url);
    const b = await settledBadge(page, '#v');
    expect(b.headline).toBe('credentials-valid');
    expect(b.shown).toBe(true);

    await page.mouse.click(b.left - page.viewportSize()!.width * 0 + 12, b.top + 8);
    await expect.poll(async () => (await badgeFor(page, '#v'))?.panel).toBe(true);
    const opened = (await badgeFor(page, '#v'))!;
    expect(opened.expanded).toBe(true);
    expect(opened.panelText).toContain('C2PA Test Signing Cert');
    expect(opened.panelText).toContain('Provenance history');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await badgeFor(page, '#v'))?.panel).toBe(false);

    // The page moves the video: the badge follows.
    await page.evaluate(() => (document.getElementById('spacer')!.style.height = '300px'));
    await expect.poll(async () => (await badgeFor(page, '#v'))?.headline, { timeout: 5000 }).toBe('credentials-valid');
    // The page changes the source: the badge follows the new verdict.
    await page.evaluate((q) => ((document.getElementById('v') as HTMLVideoElement).src = `/gen/bad-signature.mp4?${q}`), q);
    await expect.poll(async () => (await badgeFor(page, '#v'))?.headline).toBe('credentials-invalid');
    // Removed from the page: the badge goes too.
    await page.evaluate(() => document.getElementById('v')!.remove());
    await expect.poll(async () => (await readBadges(page)).length).toBe(0);
    await page.close();
  });

  test('a page that opts out of injected UI gets no badges but the popup lists its videos', async ({ ext, server }) => {
    const q = fresh();
    const url = server.html(
      `/p/optout-${q}.html`,
      `<!doctype html><html lang="en"><head><title>opt-out</title><meta name="CR-allow-UI-injection" content="false"></head>
      <body><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video></body></html>`,
    );
    const page = await ext.context.newPage();
    await page.goto(url);
    const popup = await ext.openPopup(page);
    await expect.poll(async () => (await popupEntries(popup)).map((e) => e.headline)).toEqual(['credentials-valid']);
    expect(await readBadges(page)).toEqual([]);
    await popup.close();
    await page.close();
  });

  test('the page cannot change a verdict: posted messages, fake badges and DOM tricks are ignored', async ({ ext, server }) => {
    const q = fresh();
    const url = server.html(
      `/p/hostile-${q}.html`,
      `<!doctype html><html lang="en"><title>hostile</title><body>
      <video id="v" ${V} src="/gen/bad-signature.mp4?${q}" data-verdict="credentials-trusted"></video>
      <provenance-lens-badge id="fake">Trusted</provenance-lens-badge>
      <script>
        // A page trying to talk its way into a better verdict.
        for (const type of ['verdict', 'videos', 'check-result']) {
          window.postMessage({ type, key: 'url:' + location.origin + '/gen/bad-signature.mp4?${q}', stage: 'c2pa',
            verdict: { headline: 'credentials-trusted', summary: 'forged' }, evidence: { source: 'x', c2pa: { state: 'trusted' } } }, '*');
        }
        document.dispatchEvent(new CustomEvent('provenance-lens', { detail: { headline: 'credentials-trusted' } }));
        window.__extensionReachable = typeof chrome !== 'undefined' && !!(chrome.runtime && chrome.runtime.sendMessage);
      </script></body></html>`,
    );
    const page = await ext.context.newPage();
    await page.goto(url);
    const b = await settledBadge(page, '#v');
    expect(b.headline).toBe('credentials-invalid');
    // A page cannot message the extension at all (no externally_connectable).
    expect(await page.evaluate(() => (window as unknown as { __extensionReachable: boolean }).__extensionReachable)).toBe(false);
    // A closed shadow root: the page cannot read the real badge's verdict.
    const hostRead = await page.evaluate(() => {
      const hosts = [...document.querySelectorAll('provenance-lens-badge')].filter((h) => h.id !== 'fake');
      return hosts.map((h) => ({ shadow: (h as HTMLElement).shadowRoot, text: h.textContent }));
    });
    expect(hostRead.length).toBe(1);
    expect(hostRead[0]).toEqual({ shadow: null, text: '' });
    const popup = await ext.openPopup(page);
    await expect.poll(async () => (await popupEntries(popup)).map((e) => e.headline)).toEqual(['credentials-invalid']);
    await popup.close();
    await page.close();
  });
});

test.describe('foundation: trust and streaming', () => {
  test('trust lists: unknown until loaded; ITL lists load from their (local) addresses; own anchors make the test signer trusted', async ({ ext, server }) => {
    const q = fresh();
    const page = await ext.context.newPage();
    const url = server.html(`/p/trust-${q}.html`, `<!doctype html><html lang="en"><title>trust</title><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video></html>`);
    await page.goto(url);
    const before = await settledBadge(page, '#v');
    expect(before.label).toContain('trust not known yet');

    const status = (await ext.useLocalTrustLists(server)) as { loaded: boolean; sources: { loaded: boolean; lastError?: string }[] };
    expect(status.sources.map((s) => s.lastError ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(status.loaded).toBe(true);

    // The user adds the c2pa-rs test roots as their own anchors, in the options page.
    const options = await ext.context.newPage();
    await options.goto(ext.url('/options.html'));
    await expect(options.locator('[data-trust-loaded="yes"]')).toBeVisible();
    const pem = await (await fetch(server.url('/trust/c2pa-rs__sdk-test__test_cert_root_bundle.pem'))).text();
    await options.getByLabel('Your own trust anchors (PEM certificates)').fill(pem);
    await options.getByRole('button', { name: 'Save my anchors' }).click();
    await expect(options.getByText(/Saved \d+ certificates? of your own/)).toBeVisible();
    const axe = await new AxeBuilder({ page: options }).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await options.close();

    const q2 = fresh();
    await page.goto(server.html(`/p/trust2-${q2}.html`, `<!doctype html><html lang="en"><title>trust</title><video id="v" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q2}"></video></html>`));
    const after = await settledBadge(page, '#v');
    expect(after.headline).toBe('credentials-trusted');
    expect(after.label).toMatch(/^Content Credentials valid and trusted: signed by C2PA Test Signing Cert \(trusted via one of the configured trust lists: .*your own anchors\)/);
    await ext.setSettings({ userAnchors: '' });
    await page.close();
  });

  test('fragmented MP4: an HLS playlist of init + fragment reads valid; the init segment alone reads as a hash mismatch', async ({ ext, server }) => {
    const q = fresh();
    server.text(
      '/hls/dash.m3u8',
      `#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="/c2pa/c2pa-rs__dashinit.mp4"\n#EXTINF:4.000,\n/c2pa/c2pa-js__dash1.m4s\n#EXT-X-ENDLIST\n`,
      'application/vnd.apple.mpegurl',
    );
    const page = await ext.context.newPage();
    await page.goto(
      server.html(
        `/p/frag-${q}.html`,
        `<!doctype html><html lang="en"><title>fmp4</title>
        <video id="stream" ${V} src="/hls/dash.m3u8?${q}"></video>
        <video id="init" ${V} src="/c2pa/c2pa-rs__dashinit.mp4?${q}"></video></html>`,
      ),
    );
    const stream = await settledBadge(page, '#stream');
    expect(stream.headline).toBe('credentials-valid');
    const init = await settledBadge(page, '#init');
    expect(init.headline).toBe('credentials-invalid');
    expect(init.label).toContain('assertion.bmffHash.mismatch');
    await page.close();
  });
});
