import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../lib/settings';
import { readSettings, writeSettings } from '../lib/ui/settings-store';

/** Size cap, concurrency, fingerprinting and badges. */
export function SettingsPanel() {
  const [s, setS] = useState<Settings | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => void readSettings().then(setS), []);
  if (!s) return <p>Loading…</p>;
  const save = async (patch: Partial<Settings>) => {
    setS(await writeSettings(patch));
    setSaved(true);
  };
  return (
    <form onSubmit={(e) => e.preventDefault()}>
      <div class="pl-field">
        <label for="max-mb">Largest video to download for a check (MB)</label>
        <input id="max-mb" type="number" min={1} max={4096} value={Math.round(s.maxBytes / 1048576)} onChange={(e) => void save({ maxBytes: Number((e.target as HTMLInputElement).value) * 1048576 })} />
      </div>
      <div class="pl-field">
        <label for="concurrency">Checks at the same time</label>
        <input id="concurrency" type="number" min={1} max={6} value={s.concurrency} onChange={(e) => void save({ concurrency: Number((e.target as HTMLInputElement).value) })} />
      </div>
      <div class="pl-field">
        <label>
          <input type="checkbox" checked={s.fingerprint} onChange={(e) => void save({ fingerprint: (e.target as HTMLInputElement).checked })} /> Compute frame fingerprints (needed
          to recognise re-encoded copies of listed videos)
        </label>
        <label>
          <input type="checkbox" checked={s.badges} onChange={(e) => void save({ badges: (e.target as HTMLInputElement).checked })} /> Show badges on videos
        </label>
        <label>
          <input
            id="remote-any-host"
            type="checkbox"
            checked={s.remoteManifestsAnyHost}
            onChange={(e) => void save({ remoteManifestsAnyHost: (e.target as HTMLInputElement).checked })}
          />{' '}
          Read Content Credentials stored on another host than the video's (that host learns which video you are checking; see the privacy policy)
        </label>
      </div>
      {saved ? <p role="status">Saved.</p> : null}
    </form>
  );
}
