import { useEffect, useState } from 'preact/hooks';

/**
 * Shown when the popup finds no videos: if the extension has no access to the site, offer a
 * one-off check of this page (activeTab) or access to every site, with the reason in words.
 */
export function SiteAccess({ tabId, url }: { tabId: number; url?: string }) {
  const [allowed, setAllowed] = useState<boolean | undefined>();
  const [note, setNote] = useState<string | undefined>();
  const origin = originPattern(url);
  useEffect(() => {
    if (!origin) return;
    void browser.permissions.contains({ origins: [origin] }).then(setAllowed);
  }, [origin]);
  if (!origin || allowed !== false) return null;
  return (
    <div class="pl-access">
      <p>
        Provenance Lens reads videos on X and Hugging Face from the start. For other sites it needs your permission, because checking a video means
        reading the page's video addresses and downloading the video to check it locally. Nothing is sent anywhere else.
      </p>
      <div class="pl-row">
        <button
          type="button"
          onClick={async () => {
            await browser.scripting.executeScript({ target: { tabId, allFrames: true }, files: ['/content-scripts/content.js'] });
            setNote('Checking the videos of this page once. Reopen this window to see them.');
          }}
        >
          Check this page once
        </button>
        <button
          type="button"
          onClick={async () => {
            const ok = await browser.permissions.request({ origins: ['*://*/*'] });
            setNote(ok ? 'Allowed on every site. Reload the page to check its videos.' : 'Not allowed. You can still check single pages.');
          }}
        >
          Allow on every site
        </button>
      </div>
      {note ? <p role="status">{note}</p> : null}
    </div>
  );
}

function originPattern(url?: string): string | undefined {
  try {
    const u = new URL(url ?? '');
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.protocol}//${u.host}/*` : undefined;
  } catch {
    return undefined;
  }
}
