import { useEffect, useState } from 'preact/hooks';
import { ALL_SITES, CONTENT_SCRIPT_FILE, PAGE_SITES_KEY, siteLabel, sitePattern } from '../lib/sites/access';

/** Why the extension asks for a site, in the words both the popup and the options page use. */
const WHY =
  'Provenance Lens reads videos on X and Hugging Face from the start. For other sites it needs your permission, because checking a video means ' +
  "reading the page's video addresses and downloading the video to check it locally. Nothing is sent anywhere else.";

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
      <p>{WHY}</p>
      <div class="pl-row">
        <button
          type="button"
          onClick={async () => {
            await browser.scripting.executeScript({ target: { tabId, allFrames: true }, files: [`/${CONTENT_SCRIPT_FILE}`] });
            setNote('Checking the videos of this page once. Reopen this window to see them.');
          }}
        >
          Check this page once
        </button>
        <button
          type="button"
          onClick={async () => {
            const ok = await allowPageSites([ALL_SITES]);
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

// ── Sites the user allows for pages (issue 5): shared by the popup and the options page ─────────

async function recordedSites(): Promise<string[]> {
  return ((await browser.storage.local.get(PAGE_SITES_KEY))[PAGE_SITES_KEY] as string[] | undefined) ?? [];
}

/**
 * Asks for host access to `patterns` *as pages* (the content script will run there) and records
 * them as page sites; the background registers the script when either the grant or the record
 * changes. The request comes first, straight from the click (a user gesture is required).
 */
export async function allowPageSites(patterns: string[]): Promise<boolean> {
  const ok = await browser.permissions.request({ origins: patterns }).catch(() => false);
  if (ok) await browser.storage.local.set({ [PAGE_SITES_KEY]: [...new Set([...(await recordedSites()), ...patterns])] });
  return ok;
}

async function removePageSite(pattern: string): Promise<void> {
  await browser.storage.local.set({ [PAGE_SITES_KEY]: (await recordedSites()).filter((p) => p !== pattern) });
  await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
}

/** Options page, "Sites": which sites besides X and Hugging Face get checked, with the reason for asking. */
export function SitesPanel() {
  const [sites, setSites] = useState<string[] | undefined>();
  const [input, setInput] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const reload = async () => {
    const granted = new Set((await browser.permissions.getAll()).origins ?? []);
    setSites((await recordedSites()).filter((p) => granted.has(p)));
  };
  useEffect(() => void reload(), []);
  const allow = async (patterns: string[], label: string) => {
    const ok = await allowPageSites(patterns);
    setNote(ok ? `Allowed on ${label}. Reload its pages to check their videos.` : `Not allowed on ${label}.`);
    await reload();
  };
  if (!sites) return <p>Loading…</p>;
  const everySite = sites.includes(ALL_SITES);
  return (
    <div class="pl-sites">
      <p>{WHY}</p>
      <p class="pl-muted">
        Always checked: X (x.com, twitter.com) and Hugging Face (huggingface.co and Spaces on hf.space). A single page can also be checked once from the
        toolbar button, without any lasting permission.
      </p>
      <form
        class="pl-row"
        onSubmit={(e) => {
          e.preventDefault();
          const pattern = sitePattern(input);
          if (!pattern) return setNote('Enter a site name such as example.com.');
          setInput('');
          void allow([pattern], siteLabel(pattern));
        }}
      >
        <label for="site-input">Allow a site</label>
        <input id="site-input" type="text" placeholder="example.com" value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} />
        <button type="submit">Allow</button>
        {everySite ? null : (
          <button type="button" onClick={() => void allow([ALL_SITES], 'every site')}>
            Allow on every site
          </button>
        )}
      </form>
      {note ? <p role="status">{note}</p> : null}
      {sites.length ? (
        <ul class="pl-site-list" aria-label="Allowed sites">
          {sites.map((p) => (
            <li key={p}>
              {siteLabel(p)}{' '}
              <button
                type="button"
                aria-label={`Remove access to ${siteLabel(p)}`}
                onClick={async () => {
                  await removePageSite(p);
                  setNote(`Removed ${siteLabel(p)}.`);
                  await reload();
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="pl-muted">No other sites allowed yet.</p>
      )}
    </div>
  );
}
// ── end sites ───────────────────────────────────────────────────────────────────────────────
