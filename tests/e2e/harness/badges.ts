/**
 * Reading badges as assistive technology would. Each badge sits in a CLOSED shadow root, so
 * page scripts (and Playwright's selectors) cannot see inside it; the DevTools protocol can,
 * which is how these helpers read the button's headline and accessible name.
 */
import { expect, type CDPSession, type Page } from '@playwright/test';

export interface BadgeInfo {
  headline: string;
  label: string;
  expanded: boolean;
  /** Host position in document coordinates (px), and whether it is shown. */
  top: number;
  left: number;
  shown: boolean;
  /** The details panel is open. */
  panel: boolean;
  /** Text of the details panel when open. */
  panelText: string;
  /** Highlight ring shown. */
  ring: boolean;
  /** Index of the frame document it was found in (0 = top). */
  frame: number;
}

/** A DOM node as the DevTools protocol describes it (the Firefox harness converts WebDriver BiDi nodes to it). */
export interface DomNode {
  nodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: (DomNode & { shadowRootType?: string })[];
  contentDocument?: DomNode;
}

const sessions = new WeakMap<Page, CDPSession>();

async function cdp(page: Page): Promise<CDPSession> {
  let s = sessions.get(page);
  if (!s) {
    s = await page.context().newCDPSession(page);
    sessions.set(page, s);
  }
  return s;
}

const attr = (n: DomNode, name: string) => {
  const a = n.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
  return undefined;
};

function find(n: DomNode, pred: (n: DomNode) => boolean, out: DomNode[] = []): DomNode[] {
  if (pred(n)) out.push(n);
  for (const c of n.children ?? []) find(c, pred, out);
  for (const s of n.shadowRoots ?? []) find(s, pred, out);
  return out;
}

function text(n: DomNode): string {
  if (n.nodeType === 3) return n.nodeValue ?? '';
  if (n.nodeName === 'STYLE') return '';
  return [...(n.children ?? []), ...(n.shadowRoots ?? [])].map(text).join(' ').replace(/\s+/g, ' ');
}

export async function readBadges(page: Page): Promise<BadgeInfo[]> {
  const s = await cdp(page);
  const { root } = (await s.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
  const docs: DomNode[] = [root];
  for (const d of [root]) find(d, (n) => !!n.contentDocument).forEach((f) => docs.push(f.contentDocument!));
  return docs.flatMap((doc, frame) => badgesIn(doc, frame));
}

/** The badges whose hosts are in one document (not those of nested frames, read as their own documents). */
export function badgesIn(doc: DomNode, frame: number): BadgeInfo[] {
  const out: BadgeInfo[] = [];
  const hosts = find(doc, (n) => n.nodeName === 'PROVENANCE-LENS-BADGE' && !n.contentDocument);
  for (const host of hosts) {
    const sr = host.shadowRoots?.[0];
    if (!sr) continue;
    const style = attr(host, 'style') ?? '';
    const btn = find(sr, (n) => n.nodeName === 'BUTTON' && (attr(n, 'class') ?? '').includes('pl-badge'))[0];
    if (!btn) continue;
    const panel = find(sr, (n) => attr(n, 'role') === 'dialog')[0];
    const ring = find(sr, (n) => attr(n, 'class') === 'pl-ring')[0];
    out.push({
      headline: attr(btn, 'data-headline') ?? '',
      label: attr(btn, 'aria-label') ?? '',
      expanded: attr(btn, 'aria-expanded') === 'true',
      top: Number(/top:\s*([\d.-]+)px/.exec(style)?.[1] ?? NaN),
      left: Number(/left:\s*([\d.-]+)px/.exec(style)?.[1] ?? NaN),
      shown: /display:\s*block/.test(style),
      panel: !!panel,
      panelText: panel ? text(panel) : '',
      ring: !!ring && /display:\s*block/.test(attr(ring, 'style') ?? ''),
      frame,
    });
  }
  return out;
}

/** The badge of the top document at a video's top-left corner (document coordinates), as badges are placed. */
export function badgeAt(badges: readonly BadgeInfo[], rect: { top: number; left: number }): BadgeInfo | undefined {
  return badges.find((b) => b.frame === 0 && Math.abs(b.top - (rect.top + 6)) < 3 && Math.abs(b.left - (rect.left + 6)) < 3);
}

/** The badge drawn at a video's top-left corner (top document only). */
export async function badgeFor(page: Page, videoSelector: string): Promise<BadgeInfo | undefined> {
  const rect = await page.locator(videoSelector).evaluate((v) => {
    const r = v.getBoundingClientRect();
    return { top: r.top + window.scrollY, left: r.left + window.scrollX };
  });
  return badgeAt(await readBadges(page), rect);
}

/**
 * The badge of a video once its check has finished (not "checking") and its picture has been
 * compared with the checked file (not "unconfirmed": issue 10's binding), within 30 s.
 */
export async function settledBadge(page: Page, selector: string, expected?: string, label?: RegExp): Promise<BadgeInfo> {
  let last: BadgeInfo | undefined;
  await expect
    .poll(
      async () => {
        last = await badgeFor(page, selector);
        // "unconfirmed" is settled only when it is the headline expected, and then once its words are final.
        const settled =
          last && last.headline !== 'checking' && (last.headline !== 'unconfirmed' || expected === 'unconfirmed') && (expected !== 'unconfirmed' || (last.headline === expected && (!label || label.test(last.label))));
        return settled ? last!.headline : `pending (${last?.headline ?? 'no badge'}: ${last?.label ?? ''})`;
      },
      { timeout: 30_000, message: `badge of ${selector}` },
    )
    .not.toMatch(/^pending/);
  return last!;
}
