import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { LOCAL_TEST_HOSTS, MEDIA_HOSTS, OPTIONAL_HOSTS, STATIC_CONTENT_MATCHES, TRUST_HOSTS } from './lib/hosts';
import { contentRunAt } from './lib/platform';
import { CONTENT_SCRIPT_FILE } from './lib/sites/access';

const require = createRequire(import.meta.url);
const C2PA_WASM = require.resolve('@contentauth/c2pa-wasm/c2pa.wasm');
/** Names the engine copy kept in Cache Storage (lib/worker/engine-store.ts): a new engine, a new name. */
const C2PA_ENGINE_ID = createHash('sha256').update(readFileSync(C2PA_WASM)).digest('hex').slice(0, 16);

export default defineConfig({
  srcDir: '.',
  outDir: '.output',
  // Manifest V3 everywhere: Firefox 140+ runs MV3 (event page instead of a service worker).
  manifestVersion: 3,
  vite: () => ({ plugins: [preact()], define: { 'import.meta.env.C2PA_ENGINE_ID': JSON.stringify(C2PA_ENGINE_ID) } }),
  hooks: {
    // The worker loads c2pa-wasm's binary from the extension root.
    'build:publicAssets': (_wxt, assets) => {
      assets.push({ absoluteSrc: C2PA_WASM, relativeDest: 'c2pa.wasm' });
    },
  },
  manifest: ({ browser, mode }) => ({
    name: 'Provenance Lens',
    description: 'Shows where a video came from: C2PA Content Credentials and your lists of known videos, checked locally.',
    permissions: [
      'storage',
      'unlimitedStorage',
      'alarms',
      'scripting',
      'contextMenus',
      'activeTab',
      ...(browser === 'firefox' ? [] : ['offscreen']),
    ],
    host_permissions: [
      ...STATIC_CONTENT_MATCHES,
      ...MEDIA_HOSTS,
      ...TRUST_HOSTS,
      ...(mode === 'e2e' ? LOCAL_TEST_HOSTS : []),
    ],
    optional_host_permissions: [...OPTIONAL_HOSTS],
    // The content script (entrypoints/in-page.ts, a plain script: see there why) on X and Hugging
    // Face from install; other sites get it at run time once the user allows them.
    content_scripts: [
      {
        matches: [...STATIC_CONTENT_MATCHES],
        js: [CONTENT_SCRIPT_FILE],
        all_frames: true,
        match_about_blank: true,
        // Frames without an origin of their own — blob: and data: documents (and about:srcdoc) — get
        // the script when the page that made them would. Firefox ≥ 128 reads it too; Chrome ≥ 119.
        match_origin_as_fallback: true,
        // Chrome: document_start (a later injection held the load event back); Firefox: document_end (lib/platform.ts).
        run_at: contentRunAt(browser === 'firefox'),
      },
    ],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
    action: { default_title: 'Provenance Lens' },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: 'provenance-lens@example.org', strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
          },
        }
      : {}),
  }),
});
