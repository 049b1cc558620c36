/**
 * The Firefox side of the end-to-end suite: the test build (`wxt build -b firefox --mode e2e`)
 * installed as a temporary add-on in Debian's `firefox-esr`, driven by puppeteer-core over
 * WebDriver BiDi (Playwright cannot drive a stock Firefox). See ../shared/firefox/FACTS.md.
 *
 * Which Firefox: the Playwright project's `firefox` option (playwright.config.ts) — the
 * installed current ESR, and the oldest supported ESR unpacked by scripts/setup.sh.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT } from '../../paths';

export const FX_EXT_DIR = resolve(ROOT, '.output/firefox-mv3-e2e');
export const GECKO_ID = 'provenance-lens@example.org';
/** Fixed before install (pref `extensions.webextensions.uuids`), so extension page addresses are known. */
export const FX_UUID = '5f1d7c0e-8a2b-4c3d-9e4f-0a1b2c3d4e5f';
/** The current ESR from apt, and the oldest supported one (the manifest's strict_min_version) unpacked by setup.sh. */
export const FIREFOX_CURRENT = process.env.PL_FIREFOX ?? '/usr/bin/firefox-esr';
export const FIREFOX_OLDEST = process.env.PL_FIREFOX_140 ?? resolve(ROOT, '.cache/firefox-140/usr/lib/firefox-esr/firefox-esr');

/** What the browser printed that an uncaught error of the extension looks like. */
const EXTENSION_ERROR = /(?:Uncaught|JavaScript error|Error:|TypeError|ReferenceError|Xray wrapper)/;

export interface FirefoxLaunch {
  browser: Browser;
  version: string;
  /** Lines the browser printed (console of pages, content scripts and the add-on, and its own errors). */
  output: string[];
  profile: string;
  close(): Promise<void>;
}

export async function launchFirefox(executablePath: string, o: { extension?: string | false } = {}): Promise<FirefoxLaunch> {
  if (!existsSync(executablePath)) {
    throw new Error(`no Firefox at ${executablePath}: run \`bash scripts/setup.sh\` (it installs firefox-esr and unpacks the oldest supported ESR into .cache/)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'pl-fx-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    userDataDir: profile,
    defaultViewport: { width: 1280, height: 900 },
    // Extension pages can be opened by the driver only with system access.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FX_UUID }),
      // Optional permissions: a real click on an extension page grants them without a prompt.
      'extensions.webextOptionalPermissionPrompts': false,
      'devtools.console.stdout.chrome': true,
      'devtools.console.stdout.content': true,
      'media.autoplay.default': 0,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'app.update.enabled': false,
    },
  });
  const output: string[] = [];
  const proc = browser.process();
  for (const stream of [proc?.stdout, proc?.stderr]) {
    let partial = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    });
  }
  const version = await browser.version();
  if (o.extension !== false) await browser.installExtension(o.extension ?? FX_EXT_DIR);
  return {
    browser,
    version,
    output,
    profile,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Lines of browser output that are errors raised by the extension's own code (content script, background, pages). */
export function extensionErrors(output: readonly string[]): string[] {
  return output.filter((l) => EXTENSION_ERROR.test(l) && (l.includes(`moz-extension://${FX_UUID}`) || /Xray wrapper/.test(l)));
}

/** The BiDi browsing context id of a page (its main frame). */
export function contextId(page: Page): string {
  return (page.mainFrame() as unknown as { _id: string })._id;
}

/** Raw WebDriver BiDi command. */
export async function bidi<T = unknown>(browser: Browser, method: string, params: Record<string, unknown>): Promise<T> {
  const conn = (browser as unknown as { connection: { send(m: string, p: unknown): Promise<{ result: T }> } }).connection;
  return (await conn.send(method, params)).result;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until `ok` holds; throws with the last value after `timeout`. */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 30_000): Promise<T> {
  const end = Date.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      lastError = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`);
}
