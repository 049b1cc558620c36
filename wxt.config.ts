import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

export default defineConfig({
  srcDir: '.',
  outDir: '.output',
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser }) => ({
    name: 'Provenance Lens',
    description: 'Shows where a video came from: C2PA Content Credentials and known-video lists.',
    permissions: ['storage', 'unlimitedStorage', 'alarms', 'offscreen', 'scripting', 'contextMenus', 'activeTab', 'webNavigation'],
    host_permissions: ['*://x.com/*'], optional_host_permissions: ['<all_urls>'],
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  }),
});
