import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real built extension (test build) in Debian's Chromium, against
 * local pages. One worker: the machine has two cores and each worker runs a whole browser.
 */
export default defineConfig({
  testDir: 'tests/e2e',
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
});
