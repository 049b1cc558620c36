import { useState } from 'preact/hooks';
import type { Verdict } from '../lib/verdict';
import { VerdictCard } from './VerdictCard';
import { AddToMyList } from './AddToMyList';
import { mediaKey } from '../lib/media/ref';

export interface LookupApi {
  checkUrl(url: string): Promise<Verdict>;
  checkFile(file: File): Promise<Verdict>;
}

/** Manual lookup: paste an address, or choose or drop a local file; shows the same Verdict view. */
export function LookupForm({ api, idPrefix }: { api: LookupApi; idPrefix: string }) {
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [result, setResult] = useState<Verdict | undefined>();
  const [dragging, setDragging] = useState(false);
  const [key, setKey] = useState<string | undefined>();

  const run = async (work: () => Promise<Verdict>) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await work());
    } catch (err) {
      setError((err as Error)?.message ?? String(err));
    } finally {
      setBusy(false);
    }
  };

  const submitUrl = (e: Event) => {
    e.preventDefault();
    const u = url.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) {
      setError('Enter a full http:// or https:// address of a video file.');
      return;
    }
    setKey(mediaKey(/\.m3u8(\?|$)/i.test(new URL(u).pathname) ? { kind: 'hls', url: u } : { kind: 'url', url: u }));
    void run(() => api.checkUrl(u));
  };

  const takeFile = (f: File | undefined) => {
    if (!f) return;
    setKey(mediaKey({ kind: 'file', name: f.name, size: f.size }));
    void run(() => api.checkFile(f));
  };

  return (
    <div class="pl-lookup">
      <form onSubmit={submitUrl} class="pl-row">
        <label for={`${idPrefix}-url`}>Video address</label>
        <input id={`${idPrefix}-url`} type="url" placeholder="https://…/video.mp4" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy}>
          Check address
        </button>
      </form>
      <div
        class={`pl-drop${dragging ? ' pl-dragging' : ''}`}
        onDragOver={(e) => (e.preventDefault(), setDragging(true))}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          takeFile(e.dataTransfer?.files?.[0]);
        }}
      >
        <label for={`${idPrefix}-file`}>Or choose a local file (or drop it here)</label>
        <input id={`${idPrefix}-file`} type="file" accept="video/*,image/*,.mp4,.mov,.m4v,.jpg,.jpeg" disabled={busy} onChange={(e) => takeFile((e.target as HTMLInputElement).files?.[0])} />
      </div>
      <div aria-live="polite" class="pl-lookup-result">
        {busy ? <p>Checking…</p> : null}
        {error ? <p class="pl-error">{error}</p> : null}
        {result ? <VerdictCard verdict={result} /> : null}
        {result?.sha256 && key ? <AddToMyList mediaKey={key} idPrefix={`${idPrefix}-add`} /> : null}
      </div>
    </div>
  );
}
