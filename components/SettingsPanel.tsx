import { useEffect, useState } from 'preact/hooks';
import type { CheckMode, Settings } from '../lib/settings';

/** The data-use choices, in the words the options page shows. */
const MODES: { mode: CheckMode; label: string; hint: string }[] = [
  { mode: 'visible', label: 'Check everything on screen', hint: 'each video on screen or about to be: its structure and a few seconds of frames (about 2 MB at most, unless it carries Content Credentials to validate)' },
  { mode: 'played', label: 'Check only videos I play', hint: 'nothing is downloaded for videos you scroll past' },
  { mode: 'manual', label: 'Only when I ask', hint: 'press a video’s badge, or Check in the popup' },
];
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
      <fieldset class="pl-field">
        <legend>Data use: which videos are checked without asking</legend>
        {MODES.map((m) => (
          <label key={m.mode}>
            <input type="radio" name="check-mode" value={m.mode} checked={s.checkMode === m.mode} onChange={() => void save({ checkMode: m.mode })} /> {m.label}
            <span class="pl-hint"> — {m.hint}</span>
          </label>
        ))}
        <p class="pl-hint">When the browser asks to save data (Data Saver), “on screen” checks only videos you play.</p>
      </fieldset>
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
