/** The toolbar icon: the tab's most important verdict in a word (lib/present.ts toolbarSummary), whatever the page does to its badges. */
import { toolbarSummary } from '../../lib/present';
import type { Headline } from '../../lib/verdict';

/**
 * Each result recounts its tab: on a page of 100 videos that was three `browser.action` calls per
 * result, hundreds a page, most of them setting what was already shown. So a tab's icon is set at
 * most every FLUSH_MS, and only what changed is sent.
 */
const FLUSH_MS = 250;
const latest = new Map<number, Headline[]>();
const shown = new Map<number, { text: string; color: string; title: string }>();
let timer: ReturnType<typeof setTimeout> | undefined;

export function setToolbar(tabId: number, headlines: Headline[]): void {
  latest.set(tabId, headlines);
  timer ??= setTimeout(flush, FLUSH_MS);
}

/** The tab is gone: nothing more to show for it. */
export function forgetToolbar(tabId: number): void {
  latest.delete(tabId);
  shown.delete(tabId);
}

function flush(): void {
  timer = undefined;
  for (const [tabId, headlines] of latest) {
    const next = toolbarSummary(headlines);
    const last = shown.get(tabId);
    shown.set(tabId, next);
    if (last?.text !== next.text) void browser.action.setBadgeText({ tabId, text: next.text }).catch(() => {});
    if (last?.color !== next.color) void browser.action.setBadgeBackgroundColor({ tabId, color: next.color }).catch(() => {});
    if (last?.title !== next.title) void browser.action.setTitle({ tabId, title: next.title }).catch(() => {});
  }
  latest.clear();
}
