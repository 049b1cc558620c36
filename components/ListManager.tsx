import { useEffect, useState } from 'preact/hooks';
import type { ListsOverview } from '../lib/background/list-actions';
import { hostAccessPattern } from '../lib/platform';

type Outcome = { result?: string; error?: string; ok?: boolean };

const send = <T,>(msg: unknown) => browser.runtime.sendMessage(msg) as Promise<T>;

/** Subscribed hash lists (add, update, enable, remove, confirm a new publisher key), the user's own list, and backup. */
export function ListManager() {
  const [data, setData] = useState<ListsOverview | undefined>();
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const reload = async () => setData(await send<ListsOverview>({ type: 'lists-status' }));
  useEffect(() => void reload(), []);

  const act = async (what: string, msg: unknown) => {
    setBusy(true);
    try {
      const r = await send<Outcome | Outcome[]>(msg);
      const outs = Array.isArray(r) ? r : [r];
      const failed = outs.find((o) => o?.error);
      setNote(failed ? `${what}: ${failed.error}` : `${what}: done.`);
    } catch (err) {
      setNote(`${what}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
      await reload();
    }
  };

  const subscribeNow = async (e: Event) => {
    e.preventDefault();
    if (!/^https?:\/\//.test(url.trim())) return setNote('Enter the list’s full http(s) address.');
    if (!key.trim()) return setNote('Paste the publisher’s public key (from their .pub file).');
    // Reading a list from its host needs access to that host; asked once, with this click.
    // Straight from the click: Firefox drops the user gesture after an await (an access already
    // granted resolves without asking).
    const allowed = await browser.permissions.request({ origins: [hostAccessPattern(url.trim())] }).catch(() => false);
    if (!allowed) return setNote(`Not subscribed: Provenance Lens needs permission to read ${new URL(url.trim()).host} to download the list.`);
    await act('Subscribe', { type: 'list-subscribe', url: url.trim(), publicKey: key.trim(), name: name.trim() || undefined });
    setUrl('');
    setKey('');
    setName('');
  };

  if (!data) return <p>Loading…</p>;
  return (
    <div>
      <form onSubmit={subscribeNow} class="pl-subscribe">
        <div class="pl-field">
          <label for="list-url">List address (.jsonl)</label>
          <input id="list-url" type="url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} placeholder="https://example.org/known-videos.jsonl" />
        </div>
        <div class="pl-field">
          <label for="list-key">Publisher public key</label>
          <input id="list-key" type="text" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} placeholder="provenance-lens ed25519 public key …" />
        </div>
        <div class="pl-field">
          <label for="list-name">Name (optional)</label>
          <input id="list-name" type="text" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" disabled={busy}>
          Subscribe
        </button>
      </form>
      {note ? (
        <p role="status" class="pl-list-note">
          {note}
        </p>
      ) : null}
      <table class="pl-lists">
        <caption class="pl-muted">Subscribed lists</caption>
        <thead>
          <tr>
            <th scope="col">List</th>
            <th scope="col">Entries</th>
            <th scope="col">Sequence</th>
            <th scope="col">Last update</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {data.lists.length === 0 ? (
            <tr>
              <td colSpan={5}>No subscriptions yet.</td>
            </tr>
          ) : null}
          {data.lists.map((l) => (
            <tr key={l.id} data-list={l.id} data-state={l.status?.state ?? 'never'}>
              <td>
                <strong>{l.name}</strong>
                <div class="pl-muted pl-mono">{l.subscription?.url}</div>
                {l.subscription && !l.subscription.enabled ? <div class="pl-muted">disabled</div> : null}
              </td>
              <td>{l.meta?.entries ?? '—'}</td>
              <td>{l.meta?.header.sequence ?? '—'}</td>
              <td>
                {l.status?.lastSuccess ? new Date(l.status.lastSuccess).toLocaleString() : 'never'}
                {l.status?.lastError ? <div class="pl-error">Last error: {l.status.lastError}</div> : null}
              </td>
              <td>
                <div class="pl-row">
                  <button type="button" disabled={busy} onClick={() => act(`Update ${l.name}`, { type: 'list-update', id: l.id })}>
                    Update now
                  </button>
                  <button type="button" disabled={busy} onClick={() => act(l.subscription?.enabled ? 'Disable' : 'Enable', { type: 'list-enable', id: l.id, enabled: !l.subscription?.enabled })}>
                    {l.subscription?.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button type="button" disabled={busy} onClick={() => confirm(`Remove the list “${l.name}”?`) && act('Remove', { type: 'list-remove', id: l.id })}>
                    Remove
                  </button>
                  {l.status?.state === 'held' && l.status.heldKey ? (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        confirm(`The publisher of “${l.name}” now signs with a different key:\n${l.status!.heldKey}\nAccept it?`) &&
                        act('Accept the new key', { type: 'list-confirm-key', id: l.id, key: l.status!.heldKey })
                      }
                    >
                      Accept new publisher key…
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" disabled={busy || !data.lists.length} onClick={() => act('Update all', { type: 'list-update' })}>
          Update all lists now
        </button>
      </p>
      <h3>My list</h3>
      {data.user.entries.length ? (
        <ul class="pl-user-list">
          {data.user.entries.map((e) => (
            <li key={e.id}>
              <strong>{e.label}</strong> <span class="pl-muted">({new Date(e.added).toLocaleDateString()})</span>
              {e.notes ? <div class="pl-notes">{e.notes}</div> : null}
              <button type="button" onClick={() => act('Remove from my list', { type: 'user-list-remove', entryId: e.id })}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="pl-muted">Empty. Use “Add to my list…” on a checked video in the popup.</p>
      )}
      <h3>Backup</h3>
      <div class="pl-row">
        <button
          type="button"
          onClick={async () => {
            const { text } = await send<{ text: string }>({ type: 'backup-export' });
            const a = document.createElement('a');
            a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
            a.download = `provenance-lens-backup-${new Date().toISOString().slice(0, 10)}.json`;
            a.click();
          }}
        >
          Export everything
        </button>
        <label>
          Import a backup{' '}
          <input
            type="file"
            accept=".json,application/json"
            onChange={async (e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) await act('Import', { type: 'backup-import', text: await f.text() });
            }}
          />
        </label>
      </div>
    </div>
  );
}
