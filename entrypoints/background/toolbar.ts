/** The toolbar icon: the tab's most important verdict in a word (lib/present.ts toolbarSummary), whatever the page does to its badges. */
import { toolbarSummary } from '../../lib/present';
import type { Headline } from '../../lib/verdict';

export function setToolbar(tabId: number, headlines: Headline[]): void {
  const { text, color, title } = toolbarSummary(headlines);
  void browser.action.setBadgeText({ tabId, text }).catch(() => {});
  void browser.action.setBadgeBackgroundColor({ tabId, color }).catch(() => {});
  void browser.action.setTitle({ tabId, title }).catch(() => {});
}
