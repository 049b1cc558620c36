import { defineConfig } from '@playwright/test';
import type { FirefoxOptions } from './tests/e2e-firefox/harness/fixtures';
import { FIREFOX_CURRENT, FIREFOX_OLDEST } from './tests/e2e-firefox/harness/firefox';

/**
 * End-to-end tests: the real built extension (test build) in Debian's Chromium (tests/e2e,
 * Playwright) and in Firefox (tests/e2e-firefox, puppeteer-core over WebDriver BiDi) — the
 * current ESR from apt and the oldest supported ESR, unpacked by scripts/setup.sh — against
 * local pages. One worker: the machine has two cores and each worker runs a whole browser.
 */
export default defineConfig<FirefoxOptions>({
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './tests/e2e/global-setup.ts',
  globalTeardown: './tests/e2e/global-teardown.ts',
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: '.cache/test-results',
  use: { trace: 'off' },
  projects: [
    { name: 'chromium', testDir: 'tests/e2e' },
    { name: 'firefox-esr', testDir: 'tests/e2e-firefox', use: { firefox: FIREFOX_CURRENT } },
    { name: 'firefox-140', testDir: 'tests/e2e-firefox', use: { firefox: FIREFOX_OLDEST } },
  ],
});
