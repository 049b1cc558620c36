/**
 * Playwright fixtures for the Firefox specs: one Firefox (the project's `firefox` option) with
 * the test build installed, per test worker, and the same local fixture server as the Chromium
 * suite.
 */
import { test as base, expect } from '@playwright/test';
import type { FixtureServer } from '../../e2e/harness/server';
import { serverFixture } from '../../e2e/harness/extension';
import { FIREFOX_CURRENT, launchFirefox, type FirefoxLaunch } from './firefox';
import { FxExt } from './extension';

export interface FirefoxOptions {
  /** The Firefox binary this project runs (playwright.config.ts). */
  firefox: string;
}

type Workers = FirefoxOptions & { fx: FirefoxLaunch; ext: FxExt; server: FixtureServer };

export const test = base.extend<{}, Workers>({
  firefox: [FIREFOX_CURRENT, { option: true, scope: 'worker' }],
  server: serverFixture,
  fx: [
    async ({ firefox }, use) => {
      const fx = await launchFirefox(firefox);
      await use(fx);
      await fx.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  ext: [
    async ({ fx }, use) => {
      const ext = new FxExt(fx.browser);
      await ext.ready();
      await use(ext);
    },
    { scope: 'worker' },
  ],
});

export { expect };
