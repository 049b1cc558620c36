import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../../components/styles.css';
import '../../components/pages.css';
import './popup.css';
import { VideoList } from '../../components/VideoList';
import { LookupForm } from '../../components/LookupForm';
import { SiteAccess } from '../../components/SiteAccess';
import type { TabVideo } from '../../lib/messages';
import { FLAGGED } from '../../lib/verdict';
import { api } from '../../lib/ui/api';
import { readSettings } from '../../lib/ui/settings-store';
import { missingBadgesWords } from '../../lib/present';

const POLL_MS = 700;

function Popup() {
  const [tab, setTab] = useState<{ id: number; url?: string } | undefined>();
  const [videos, setVideos] = useState<TabVideo[] | undefined>();
  const [badgesOn, setBadgesOn] = useState(true);

  useEffect(() => void readSettings().then((s) => setBadgesOn(s.badges)).catch(() => {}), []);

  useEffect(() => {
    // The tab to show: ?tab=<id> (used by tests and "open in a tab"), else the active tab.
    const forced = Number(new URLSearchParams(location.search).get('tab'));
    const pick = forced
      ? browser.tabs.get(forced)
      : browser.tabs.query({ active: true, currentWindow: true }).then((t) => t[0]);
    void pick.then((t) => t?.id !== undefined && setTab({ id: t.id, url: t.url }));
  }, []);

  useEffect(() => {
    if (!tab) return;
    let alive = true;
    const load = () => api.tabVideos(tab.id).then((v) => alive && setVideos(v)).catch(() => alive && setVideos([]));
    void load();
    const t = setInterval(load, POLL_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [tab?.id]);

  const noBadges = videos && missingBadgesWords(videos, badgesOn);
  const flagged = videos?.filter((v) => v.verdict && FLAGGED.has(v.verdict.headline)).length ?? 0;
  return (
    <main>
      <header class="pl-header">
        <h1>Provenance Lens</h1>
        <a href={browser.runtime.getURL('/options.html')} target="_blank" rel="noopener">
          Options and lists
        </a>
      </header>
      <section aria-labelledby="videos-h">
        <h2 id="videos-h">
          Videos on this page{videos ? ` (${videos.length}${flagged ? `, ${flagged} flagged` : ''})` : ''}
        </h2>
        {noBadges ? <p class="pl-muted pl-no-badges">{noBadges}</p> : null}
        {videos === undefined ? <p>Loading…</p> : <VideoList videos={videos} onReveal={(v) => tab && void api.reveal(tab.id, v)} onCheck={(v) => void api.recheck(v.key)} />}
        {tab && videos?.length === 0 ? <SiteAccess tabId={tab.id} url={tab.url} /> : null}
      </section>
      <section aria-labelledby="lookup-h">
        <h2 id="lookup-h">Look up a video</h2>
        <LookupForm api={api} idPrefix="popup" />
      </section>
    </main>
  );
}

render(<Popup />, document.getElementById('app')!);
