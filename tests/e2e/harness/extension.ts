/**
 * Playwright fixtures: the built extension (test build, `wxt build --mode e2e`) loaded into
 * Debian's Chromium, one browser per test worker, plus the local fixture server.
 */
import { test as base, chromium, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../../paths';
import { FixtureServer } from './server';
import { netLog, noteExtensionId, recordExtensionRequests } from './privacy';

// Evaluated inside the extension's own contexts, where `chrome` exists.
declare const chrome: any;

export const EXT_DIR = resolve(ROOT, '.output/chrome-mv3-e2e');
export const CHROMIUM = process.env.PL_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchOptions {
  extraArgs?: string[];
  userDataDir?: string;
  /** Show a real window (needs a display); headless otherwise. */
  headed?: boolean;
  /** Another unpacked extension instead of the test build (the benchmark's bare-extension baseline). */
  extensionDir?: string;
}

/** The browser as the suite starts it; `extension: false` is the benchmarks' control (the same flags, no extension). */
function launchBrowser(userDataDir: string, o: LaunchOptions & { extension?: boolean; netLogArgs?: string[] }) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false,
    viewport: { width: 1280, height: 900 },
    args: [
      ...(o.headed ? [] : ['--headless=new']),
      ...(o.extension === false ? ['--disable-extensions'] : [`--disable-extensions-except=${o.extensionDir ?? EXT_DIR}`, `--load-extension=${o.extensionDir ?? EXT_DIR}`]),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...(o.netLogArgs ?? []),
      ...(o.extraArgs ?? []),
    ],
  });
}

/** A control browser for side-by-side measurements: launched exactly as launchWithExtension, without the extension. */
export async function launchWithoutExtension(o: LaunchOptions = {}) {
  const userDataDir = o.userDataDir ?? mkdtempSync(join(tmpdir(), 'pl-control-'));
  return { context: await launchBrowser(userDataDir, { ...o, extension: false }), userDataDir };
}

export async function launchWithExtension(o: LaunchOptions = {}) {
  const userDataDir = o.userDataDir ?? mkdtempSync(join(tmpdir(), 'pl-e2e-'));
  const log = netLog();
  const context = await launchBrowser(userDataDir, { ...o, netLogArgs: log.args });
  let sw = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  sw ??= await context.waitForEvent('serviceworker', { timeout: 20_000 });
  const id = new URL(sw.url()).host;
  // The test build's local hosts get the content script by run-time registration; wait for it.
  for (let i = 0; i < 100 && !o.extensionDir; i++) {
    const n = await sw.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length).catch(() => 0);
    if (n > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The privacy check reads this browser's NetLog when it closes (or, if Chromium is still
  // finishing it then, at the end of the run).
  noteExtensionId(log.file, id);
  context.on('close', () => recordExtensionRequests(log.file, id));
  return { context, id, sw, userDataDir };
}

export class Ext {
  private helper: Page | undefined;
  constructor(
    readonly context: BrowserContext,
    readonly id: string,
    readonly userDataDir: string,
  ) {}

  get sw(): Worker {
    const w = this.context.serviceWorkers().find((x) => x.url().startsWith(`chrome-extension://${this.id}/`));
    if (!w) throw new Error('the extension service worker is not running');
    return w;
  }

  url(path: string): string {
    return `chrome-extension://${this.id}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /** An extension page to send messages from, as the popup and options page do. */
  async page(): Promise<Page> {
    if (this.helper && !this.helper.isClosed()) return this.helper;
    this.helper = await this.context.newPage();
    await this.helper.goto(this.url('/popup.html?tab=0'));
    return this.helper;
  }

  async send<T = unknown>(msg: unknown): Promise<T> {
    const p = await this.page();
    return p.evaluate((m) => chrome.runtime.sendMessage(m), msg) as Promise<T>;
  }

  async setSettings(patch: Record<string, unknown>): Promise<void> {
    const p = await this.page();
    await p.evaluate(async (patch) => {
      const { settings } = await chrome.storage.local.get('settings');
      await chrome.storage.local.set({ settings: { ...(settings ?? {}), ...patch } });
    }, patch);
    await this.send({ type: 'settings-changed' });
  }

  /** Points the trust list addresses at the local server (as a user could in the options). */
  async useLocalTrustLists(server: FixtureServer): Promise<unknown> {
    const files: Record<string, string> = {
      'c2pa-trust-list': 'conformance-public__C2PA-TRUST-LIST.pem',
      'c2pa-tsa-trust-list': 'conformance-public__C2PA-TSA-TRUST-LIST.pem',
      'cai-itl-anchors': 'verify-site-ITL__anchors.pem',
      'cai-itl-allowed': 'verify-site-ITL__allowed.pem',
      'cai-itl-config': 'verify-site-ITL__store.cfg',
    };
    const p = await this.page();
    const sources = await p.evaluate(async () => (await chrome.storage.local.get('settings')).settings?.trustSources);
    const defaults = [
      ['c2pa-trust-list', 'C2PA trust list', 'anchors'],
      ['c2pa-tsa-trust-list', 'C2PA time-stamping authority trust list', 'anchors'],
      ['cai-itl-anchors', 'CAI interim trust list (anchors)', 'anchors'],
      ['cai-itl-allowed', 'CAI interim trust list (allowed certificates)', 'allowed'],
      ['cai-itl-config', 'CAI interim trust list (EKU configuration)', 'config'],
    ].map(([id, name, role]) => ({ id, name, role, url: server.url(`/trust/${files[id]}`) }));
    void sources;
    await this.setSettings({ trustSources: defaults });
    return this.send({ type: 'trust-update-now' });
  }

  async tabId(page: Page): Promise<number> {
    const url = page.url();
    const id = await this.sw.evaluate(async (u) => (await chrome.tabs.query({})).find((t: { url?: string }) => t.url === u)?.id, url);
    if (id === undefined) throw new Error(`no tab shows ${url}`);
    return id;
  }

  /** The popup for a page's tab (opened as a page; `?tab=` says which tab it describes). */
  async openPopup(page: Page): Promise<Page> {
    const tabId = await this.tabId(page);
    const popup = await this.context.newPage();
    await popup.setViewportSize({ width: 460, height: 800 });
    await popup.goto(this.url(`/popup.html?tab=${tabId}`));
    return popup;
  }

  /** The toolbar number for a tab. */
  async toolbarText(page: Page): Promise<string> {
    const tabId = await this.tabId(page);
    return this.sw.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId);
  }
}

type WorkerFixtures = { ext: Ext; server: FixtureServer };

/** The local fixture server, one per test worker (shared by the imitation-site fixtures). */
export const serverFixture: [({}: object, use: (s: FixtureServer) => Promise<void>) => Promise<void>, { scope: 'worker' }] = [
  async ({}, use) => {
    const s = await new FixtureServer().start();
    await use(s);
    await s.stop();
  },
  { scope: 'worker' },
];

export const test = base.extend<{}, WorkerFixtures>({
  server: serverFixture,
  ext: [
    async ({}, use) => {
      const { context, id, userDataDir } = await launchWithExtension();
      await use(new Ext(context, id, userDataDir));
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect };

let runCounter = 0;
/** A query string that makes a test's video addresses its own (no verdict cached by an earlier test). */
export function fresh(): string {
  return `r=${process.pid}-${Date.now()}-${++runCounter}`;
}
