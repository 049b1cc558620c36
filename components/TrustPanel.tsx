import { useEffect, useState } from 'preact/hooks';
import type { TrustSourceStatus } from '../lib/background/trust-store';
import { countPemCertificates } from '../lib/c2pa/trust';
import { readSettings, writeSettings } from '../lib/ui/settings-store';
import { api } from '../lib/ui/api';
import type { Settings } from '../lib/settings';

interface Status {
  sources: TrustSourceStatus[];
  loaded: boolean;
  names: string[];
}

/** Trust list status, "update now", their addresses, and the user's own anchors. */
export function TrustPanel() {
  const [status, setStatus] = useState<Status | undefined>();
  const [settings, setSettings] = useState<Settings | undefined>();
  const [anchors, setAnchors] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | undefined>();

  const reload = async () => {
    const s = await readSettings();
    setSettings(s);
    setAnchors(s.userAnchors);
    setStatus((await api.trustStatus()) as Status);
  };
  useEffect(() => void reload(), []);

  const updateNow = async () => {
    setBusy(true);
    setStatus((await api.trustUpdateNow()) as Status);
    setBusy(false);
  };

  const saveAnchors = async () => {
    const n = countPemCertificates(anchors);
    if (anchors.trim() && !n) {
      setNote('No PEM certificate found in your anchors; nothing was saved.');
      return;
    }
    await writeSettings({ userAnchors: anchors });
    setNote(n ? `Saved ${n} certificate${n === 1 ? '' : 's'} of your own.` : 'Your own anchors were removed.');
    await reload();
  };

  const saveUrl = async (id: string, url: string) => {
    if (!settings) return;
    await writeSettings({ trustSources: settings.trustSources.map((s) => (s.id === id ? { ...s, url } : s)) });
    await reload();
  };

  if (!status || !settings) return <p>Loading…</p>;
  return (
    <div>
      <p role="status" data-trust-loaded={status.loaded ? 'yes' : 'no'}>
        {status.loaded
          ? `Signers are checked against: ${status.names.join(', ')}.`
          : 'Trust lists are not loaded yet: signatures are still validated, but whether a signer is trusted is shown as unknown.'}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">List</th>
            <th scope="col">Address</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {status.sources.map((s) => (
            <tr key={s.source.id} data-source={s.source.id}>
              <td>{s.source.name}</td>
              <td>
                <input
                  type="url"
                  aria-label={`Address of ${s.source.name}`}
                  value={settings.trustSources.find((x) => x.id === s.source.id)?.url}
                  onChange={(e) => void saveUrl(s.source.id, (e.target as HTMLInputElement).value)}
                />
              </td>
              <td>
                {s.loaded ? `loaded${s.certificates ? `, ${s.certificates} certificates` : ''}${s.lastSuccess ? `, updated ${new Date(s.lastSuccess).toLocaleString()}` : ''}` : 'not loaded'}
                {s.lastError ? <div class="pl-error">Last update failed: {s.lastError}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" onClick={updateNow} disabled={busy}>
          {busy ? 'Updating…' : 'Update trust lists now'}
        </button>
      </p>
      <div class="pl-field">
        <label for="user-anchors">Your own trust anchors (PEM certificates)</label>
        <textarea id="user-anchors" rows={6} value={anchors} onInput={(e) => setAnchors((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="pl-row">
        <button type="button" onClick={saveAnchors}>
          Save my anchors
        </button>
        <label>
          Load from a file{' '}
          <input
            type="file"
            accept=".pem,.crt,.cer,text/plain"
            onChange={async (e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) setAnchors((anchors.trim() ? anchors.trim() + '\n' : '') + (await f.text()));
            }}
          />
        </label>
      </div>
      {note ? <p role="status">{note}</p> : null}
    </div>
  );
}
