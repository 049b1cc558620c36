import { render } from 'preact';
import '../../components/styles.css';
import '../../components/pages.css';
import './options.css';
import { LookupForm } from '../../components/LookupForm';
import { TrustPanel } from '../../components/TrustPanel';
import { SettingsPanel } from '../../components/SettingsPanel';
import { ListManager } from '../../components/ListManager';
import { SitesPanel } from '../../components/SiteAccess';
import { api } from '../../lib/ui/api';

function Options() {
  return (
    <main>
      <h1>Provenance Lens</h1>
      <p class="pl-muted">Everything is checked on this computer. The extension only contacts a video's own host and the list addresses below.</p>
      <section aria-labelledby="lookup-h">
        <h2 id="lookup-h">Look up a video</h2>
        <LookupForm api={api} idPrefix="options" />
      </section>
      <section aria-labelledby="lists-h">
        <h2 id="lists-h">Known-video lists</h2>
        <ListManager />
      </section>
      <section aria-labelledby="sites-h">
        <h2 id="sites-h">Sites</h2>
        <SitesPanel />
      </section>
      <section aria-labelledby="trust-h">
        <h2 id="trust-h">Trust lists for Content Credentials</h2>
        <TrustPanel />
      </section>
      <section aria-labelledby="settings-h">
        <h2 id="settings-h">Settings</h2>
        <SettingsPanel />
      </section>
    </main>
  );
}

render(<Options />, document.getElementById('app')!);
