/** The toolbar icon's number: how many videos on the tab are flagged (AI-declared, listed, invalid). */
export function setToolbarCount(tabId: number, flagged: number, total: number): void {
  const text = flagged ? String(flagged) : '';
  const title = total
    ? `Provenance Lens: ${total} video${total === 1 ? '' : 's'} on this page${flagged ? `, ${flagged} flagged (AI-declared, listed or invalid credentials)` : ''}`
    : 'Provenance Lens';
  void browser.action.setBadgeText({ tabId, text }).catch(() => {});
  void browser.action.setBadgeBackgroundColor({ tabId, color: '#b91c1c' }).catch(() => {});
  void browser.action.setTitle({ tabId, title }).catch(() => {});
}
