/** Small helpers shared by the imitation-site specs: lists, final verdicts, popup entries, playback, badges in out-of-process frames. */
import type { Frame, Page } from '@playwright/test';
import { expect } from '@playwright/test';
import type { Ext } from '../extension';
import type { FixtureServer } from '../server';
import { signedList, type SignedList } from '../../../support/media';
import type { TabVideo } from '../../../../lib/messages';
import type { Verdict } from '../../../../lib/verdict';

/** The list every site spec subscribes to: the pattern clip (matched perceptually in re-encoded copies) and the doorknob clip (matched exactly). */
export async function sitesList(): Promise<SignedList> {
  return signedList('sites-known-v1', ['pattern-hd-no-bar.mp4', 'doorknob-hd-no-bar.mp4'], {
    sequence: 1,
    notes: 'Leaked clips, re-posted on X and Hugging Face',
    source: 'https://example.org/leak',
  });
}

/** Serves the list on the local fixture server and subscribes the extension to it (as the options page does), once per browser. */
export async function subscribe(ext: Ext, server: FixtureServer, list: SignedList): Promise<void> {
  server.route('/lists/sites.jsonl', (_req, res) => void res.writeHead(200, { 'content-type': 'application/jsonl' }).end(list.bytes));
  server.route('/lists/sites.jsonl.sig', (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end(list.sig));
  const outcome = await ext.send<{ result?: string; error?: string }>({ type: 'list-subscribe', url: server.url('/lists/sites.jsonl'), publicKey: list.publicKey });
  if (outcome.error && /already subscribed/.test(outcome.error)) return;
  expect(outcome.error, JSON.stringify(outcome)).toBeUndefined();
}

/** The background's final verdict (C2PA and fingerprint stages done) for the tab's video whose key contains `part`. */
export async function finalVerdict(ext: Ext, page: Page, part: string, timeout = 60_000): Promise<Verdict & { key: string; frameId: number }> {
  const tabId = await ext.tabId(page);
  let found: TabVideo | undefined;
  const start = Date.now();
  await expect
    .poll(
      async () => {
        // By key or by address (X videos are keyed by their media id, not their playlist address).
        found = (await ext.send<TabVideo[]>({ type: 'tab-videos', tabId })).find((x) => x.key.includes(part) || JSON.stringify(x.ref).includes(part));
        const v = found?.verdict;
        // Final: checked, fingerprinted, and its picture compared with the file — or, after 15 s, left
        // "unconfirmed" (a stream whose rendition or clock does not line up with the frames checked).
        return !!v && v.headline !== 'checking' && (v.headline !== 'unconfirmed' || Date.now() - start > 15_000) && v.fingerprint !== 'pending';
      },
      { timeout, message: `final verdict for a video whose key or address contains ${part}` },
    )
    .toBe(true);
  return { ...found!.verdict!, key: found!.key, frameId: found!.frameId };
}

export async function popupEntries(popup: Page) {
  return popup.locator('li.pl-video').evaluateAll((els) =>
    els.map((e) => ({ headline: e.getAttribute('data-headline') ?? '', key: e.getAttribute('data-key') ?? '', text: e.textContent ?? '' })),
  );
}

/** Seconds the element has actually played, and its error code: playback must survive the extension. */
export async function playback(target: Page | Frame, selector: string, waitMs = 1500) {
  return target.locator(selector).evaluate(async (v: HTMLVideoElement, ms) => {
    v.muted = true;
    if (v.paused && !v.ended) await v.play().catch(() => {});
    const t0 = v.currentTime;
    await new Promise((r) => setTimeout(r, ms));
    let played = 0;
    for (let i = 0; i < v.played.length; i++) played += v.played.end(i) - v.played.start(i);
    return { played, advanced: v.currentTime - t0, ended: v.ended, error: v.error?.code ?? null, src: v.currentSrc.slice(0, 5) };
  }, waitMs);
}

/**
 * Headlines of the badges drawn inside an out-of-process iframe (a Space on *.hf.space inside
 * huggingface.co): the badges' shadow roots are closed, so they are read through the frame's
 * own DevTools session, as harness/badges.ts does for the top document.
 */
export async function badgeHeadlinesInFrame(page: Page, frame: Frame): Promise<string[]> {
  const s = await page.context().newCDPSession(frame);
  try {
    const { root } = (await s.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: Node };
    const out: string[] = [];
    const walk = (n: Node) => {
      if (n.nodeName === 'BUTTON' && attr(n, 'class')?.includes('pl-badge')) out.push(attr(n, 'data-headline') ?? '');
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
    };
    walk(root);
    return out;
  } finally {
    await s.detach().catch(() => {});
  }
}

interface Node {
  nodeName: string;
  attributes?: string[];
  children?: Node[];
  shadowRoots?: Node[];
}

function attr(n: Node, name: string): string | undefined {
  const a = n.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
  return undefined;
}

/**
 * Evaluates an expression in the extension's isolated world of the page's main frame (where
 * the content script runs), through the DevTools protocol: what the content script can see.
 */
export async function evaluateInContentWorld<T>(page: Page, expression: string): Promise<T> {
  const s = await page.context().newCDPSession(page);
  try {
    const contexts: { id: number; name: string; auxData?: { type?: string; frameId?: string } }[] = [];
    s.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
    await s.send('Runtime.enable');
    const { frameTree } = (await s.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    const world = contexts.find((c) => c.name === 'Provenance Lens' && c.auxData?.type === 'isolated' && c.auxData.frameId === frameTree.frame.id);
    if (!world) throw new Error(`no content-script world among ${contexts.map((c) => c.name).join(', ')}`);
    const r = (await s.send('Runtime.evaluate', { expression, contextId: world.id, returnByValue: true, awaitPromise: true })) as { result: { value: T } };
    return r.result.value;
  } finally {
    await s.detach().catch(() => {});
  }
}
