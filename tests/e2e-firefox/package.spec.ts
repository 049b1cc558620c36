/**
 * The Firefox store package (`npm run zip`): its manifest says what addons.mozilla.org requires
 * (the gecko id, the minimum version, the data-collection declaration) and nothing of the test
 * build, and the zip itself installs and runs in this project's Firefox.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import JSZip from 'jszip';
import { test, expect } from '@playwright/test';
import type { FirefoxOptions } from './harness/fixtures';
import { bidi, extensionErrors, FIREFOX_CURRENT, GECKO_ID, launchFirefox, until } from './harness/firefox';
import { FxExt } from './harness/extension';
import { C2PA_FIXTURES, ROOT } from '../paths';
import { LOOK } from '../../lib/present';
import { LOCAL_TEST_HOSTS } from '../../lib/hosts';

// Evaluated inside the add-on's pages.
declare const browser: any;

const version = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).version as string;
const ZIP = resolve(ROOT, `.output/provenance-lens-${version}-firefox.zip`);

const fxTest = test.extend<{}, FirefoxOptions>({ firefox: [FIREFOX_CURRENT, { option: true, scope: 'worker' }] });

fxTest.beforeAll(() => {
  fxTest.setTimeout(180_000);
  // Built once per run (both Firefox projects use it): the same command as `npm run zip`'s Firefox half.
  const started = Number(process.env.PL_RUN_STARTED ?? Date.now());
  if (!existsSync(ZIP) || statSync(ZIP).mtimeMs < started) {
    execFileSync('npx', ['wxt', 'zip', '-b', 'firefox'], { cwd: ROOT, stdio: 'ignore' });
  }
});

fxTest('the Firefox package: gecko id, minimum version, data-collection declaration, release permissions', async () => {
  const zip = await JSZip.loadAsync(readFileSync(ZIP));
  const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
  expect(manifest.manifest_version).toBe(3);
  expect(manifest.browser_specific_settings.gecko).toEqual({
    id: GECKO_ID,
    strict_min_version: '140.0',
    data_collection_permissions: { required: ['none'] },
  });
  // Firefox runs an event page (background scripts), not a service worker, and has no offscreen documents.
  expect(manifest.background.scripts).toEqual(['background.js']);
  expect(manifest.background.service_worker).toBeUndefined();
  expect(manifest.permissions).not.toContain('offscreen');
  // The release package never pre-grants the test hosts.
  for (const h of LOCAL_TEST_HOSTS) expect(manifest.host_permissions).not.toContain(h);
  expect(manifest.optional_host_permissions).toEqual(['*://*/*']);
  for (const f of ['background.js', 'checker-worker.js', 'c2pa.wasm', 'in-page.js', 'popup.html', 'options.html']) {
    expect(zip.file(f), f).not.toBeNull();
  }
});

fxTest('the zip installs in Firefox, and its pages and checks run', async ({ firefox }) => {
  const fx = await launchFirefox(firefox, { extension: false });
  try {
    const installed = await bidi<{ extension: string }>(fx.browser, 'webExtension.install', { extensionData: { type: 'archivePath', path: ZIP } });
    expect(installed.extension).toBe(GECKO_ID);
    const ext = new FxExt(fx.browser);
    const options = await ext.openPage('/options.html');
    expect(await options.evaluate(() => browser.runtime.getManifest().version)).toBe(version);
    await expect.poll(() => options.$$eval('h2', (hs) => hs.map((h) => h.textContent)), { timeout: 20_000 }).toContain('Sites');
    // The whole pipeline of the release build runs: a file chosen on the options page is checked
    // by the background's worker (c2pa-wasm) and its verdict shown.
    const input = await options.$('#options-file');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'));
    await until(
      () => options.$(`.pl-lookup-result section.pl-card[aria-label="${LOOK['credentials-valid'].title}"]`).then((e) => !!e),
      (ok) => ok,
      'the verdict of a chosen file',
    );
    expect(extensionErrors(fx.output)).toEqual([]);
  } finally {
    await fx.close();
  }
});
