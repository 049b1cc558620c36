/**
 * The installed add-on as the Firefox specs see it — the same operations the Chromium harness's
 * `Ext` offers (extension pages, messages, settings, the popup for a tab, the toolbar number) —
 * and the badges, read from closed shadow roots through WebDriver BiDi serialization.
 */
import type { Browser, Page } from 'puppeteer-core';
import { badgeAt, badgesIn, type BadgeInfo, type DomNode } from '../../e2e/harness/badges';
import { bidi, contextId, FX_UUID, sleep, until } from './firefox';

// Evaluated inside the add-on's own pages, where `browser` is the WebExtension API.
declare const browser: any;

export class FxExt {
  private helper: Page | undefined;
  constructor(readonly browser: Browser) {}

  url(path: string): string {
    return `moz-extension://${FX_UUID}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /**
   * Opens an extension page in a new tab. `page.goto` of a moz-extension: address may never
   * resolve, so: BiDi navigate without waiting, then poll the document until it is ready.
   */
  async openPage(path: string): Promise<Page> {
    const page = await this.browser.newPage();
    await bidi(this.browser, 'browsingContext.navigate', { context: contextId(page), url: this.url(path), wait: 'none' });
    await until(
      () => page.evaluate(() => location.href + ' ' + document.readyState),
      (s) => s.startsWith('moz-extension:') && s.endsWith('complete'),
      `extension page ${path}`,
    );
    return page;
  }

  /** An extension page to send messages from, as the popup and options page do. */
  async page(): Promise<Page> {
    if (this.helper && !this.helper.isClosed()) return this.helper;
    this.helper = await this.openPage('/popup.html?tab=0');
    return this.helper;
  }

  async send<T = unknown>(msg: unknown): Promise<T> {
    const p = await this.page();
    return p.evaluate((m) => browser.runtime.sendMessage(m), msg as never) as Promise<T>;
  }

  async tabId(page: Page): Promise<number> {
    const url = page.url();
    const p = await this.page();
    const id = await p.evaluate(async (u) => (await browser.tabs.query({})).find((t: { url?: string }) => t.url === u)?.id, url);
    if (id === undefined) throw new Error(`no tab shows ${url}`);
    return id;
  }

  async openPopup(page: Page): Promise<Page> {
    const tabId = await this.tabId(page);
    const popup = await this.openPage(`/popup.html?tab=${tabId}`);
    // The popup's width (Firefox 140's BiDi lacks part of what setViewport sends: then the default size).
    await popup.setViewport({ width: 460, height: 800 }).catch(() => undefined);
    return popup;
  }

  async toolbarText(page: Page): Promise<string> {
    const tabId = await this.tabId(page);
    const p = await this.page();
    return p.evaluate((t) => browser.action.getBadgeText({ tabId: t }), tabId);
  }

  /** Waits until the add-on's background has registered the content script for the test build's local hosts. */
  async ready(): Promise<void> {
    const p = await this.page();
    await until(() => p.evaluate(async () => (await browser.scripting.getRegisteredContentScripts()).length), (n) => n > 0, 'content script registration');
  }
}

interface BidiNode {
  type: string;
  value?: {
    nodeType: number;
    localName?: string;
    nodeValue?: string;
    attributes?: Record<string, string>;
    children?: BidiNode[];
    shadowRoot?: BidiNode | null;
  };
}

let nodeIds = 0;
/** A BiDi-serialized node in the DevTools protocol's shape, so the Chromium harness's badge reading applies. */
function toDomNode(n: BidiNode): DomNode {
  const v = n.value ?? { nodeType: 0 };
  return {
    nodeId: ++nodeIds,
    nodeType: v.nodeType,
    nodeName: v.nodeType === 1 ? (v.localName ?? '').toUpperCase() : v.nodeType === 3 ? '#text' : '#fragment',
    nodeValue: v.nodeValue,
    attributes: Object.entries(v.attributes ?? {}).flat(),
    children: (v.children ?? []).map(toDomNode),
    shadowRoots: v.shadowRoot ? [toDomNode(v.shadowRoot)] : [],
  };
}

/** Badges in every frame of a page (frame 0 = top), closed shadow roots included. */
export async function readBadges(browser: Browser, page: Page): Promise<BadgeInfo[]> {
  const out: BadgeInfo[] = [];
  const frames = page.frames();
  for (let i = 0; i < frames.length; i++) {
    const context = (frames[i] as unknown as { _id: string })._id;
    const r = await bidi<{ result?: { value?: BidiNode[] } }>(browser, 'script.evaluate', {
      expression: `[...document.querySelectorAll('provenance-lens-badge')]`,
      target: { context },
      awaitPromise: false,
      resultOwnership: 'none',
      serializationOptions: { maxDomDepth: 30, includeShadowTree: 'all' },
    }).catch(() => undefined);
    const hosts = (r?.result?.value ?? []).map(toDomNode);
    out.push(...badgesIn({ nodeId: 0, nodeType: 9, nodeName: '#document', children: hosts }, i));
  }
  return out;
}

/** The badge drawn at a video's top-left corner (top document only). */
export async function badgeFor(browser: Browser, page: Page, selector: string): Promise<BadgeInfo | undefined> {
  const rect = await page.$eval(selector, (v) => {
    const r = v.getBoundingClientRect();
    return { top: r.top + window.scrollY, left: r.left + window.scrollX };
  });
  return badgeAt(await readBadges(browser, page), rect);
}

/** A badge once its check has settled (any headline but "checking"). */
/** A badge once checked and its picture compared (not "unconfirmed", unless that is the headline expected). */
export async function settledBadge(browser: Browser, page: Page, selector: string, timeout = 45_000, expected?: string, label?: RegExp): Promise<BadgeInfo> {
  const settled = (x: BadgeInfo) =>
    x.headline !== 'checking' && (x.headline !== 'unconfirmed' || expected === 'unconfirmed') && (expected !== 'unconfirmed' || (x.headline === expected && (!label || label.test(x.label))));
  const b = await until(() => badgeFor(browser, page, selector), (x) => !!x && settled(x), `badge of ${selector}`, timeout);
  return b!;
}

export async function popupEntries(popup: Page): Promise<{ headline: string | null; key: string; text: string }[]> {
  return popup.$$eval('li.pl-video', (els) => els.map((e) => ({ headline: e.getAttribute('data-headline'), key: e.getAttribute('data-key') ?? '', text: e.textContent ?? '' })));
}

export { sleep };
