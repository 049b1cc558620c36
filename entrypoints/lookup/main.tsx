/**
 * The result of a lookup started outside the popup (the context menu's "Check video
 * provenance"): `?id=<lookup id>` shows what the background stored in storage.session for it,
 * updated as the check finishes; `?url=<address>` checks an address itself.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../../components/styles.css';
import '../../components/pages.css';
import './lookup.css';
import { VerdictCard } from '../../components/VerdictCard';
import { LookupForm } from '../../components/LookupForm';
import { api } from '../../lib/ui/api';
import type { MenuLookup } from '../background/context-menu';
import { LOOKUP_KEY_PREFIX } from '../background/context-menu';
import type { Verdict } from '../../lib/verdict';

function useLookup(): { source?: string; verdict?: Verdict; error?: string } {
  const params = new URLSearchParams(location.search);
  const id = params.get('id');
  const url = params.get('url');
  const [state, setState] = useState<{ source?: string; verdict?: Verdict; error?: string }>({ source: url ?? undefined });
  useEffect(() => {
    if (id) {
      const key = LOOKUP_KEY_PREFIX + id;
      const take = (v: unknown) => v && setState({ source: (v as MenuLookup).source, verdict: (v as MenuLookup).verdict });
      void browser.storage.session.get(key).then((r) => (r[key] ? take(r[key]) : setState({ error: 'This lookup is no longer available; start it again.' })));
      const onChange = (changes: Record<string, { newValue?: unknown }>, area: string) => area === 'session' && changes[key] && take(changes[key].newValue);
      browser.storage.onChanged.addListener(onChange);
      return () => browser.storage.onChanged.removeListener(onChange);
    }
    if (url && /^https?:\/\//i.test(url)) {
      api.checkUrl(url).then(
        (verdict) => setState({ source: url, verdict }),
        (err: Error) => setState({ source: url, error: err?.message ?? String(err) }),
      );
    }
    return undefined;
  }, [id, url]);
  return state;
}

function Lookup() {
  const { source, verdict, error } = useLookup();
  return (
    <main>
      <h1>Provenance Lens — video lookup</h1>
      <section aria-labelledby="result-h">
        <h2 id="result-h">Result</h2>
        {source ? (
          <p class="pl-source">
            Video: <span class="pl-mono">{source}</span>
          </p>
        ) : null}
        <div aria-live="polite">
          {error ? <p class="pl-error">{error}</p> : null}
          {verdict ? <VerdictCard verdict={verdict} /> : !error ? <p>Checking…</p> : null}
        </div>
      </section>
      <section aria-labelledby="again-h">
        <h2 id="again-h">Look up another video</h2>
        <LookupForm api={api} idPrefix="lookup" />
      </section>
    </main>
  );
}

render(<Lookup />, document.getElementById('app')!);
