/**
 * Playwright fixtures for the imitation sites: the HTTPS host-routing server, the plain local
 * fixture server (for lists), and the test build of the extension launched with
 * --host-resolver-rules pointing the real hostnames at the local server and the local
 * certificate's key accepted (see ../tls.ts).
 */
import { test as base, chromium, expect, type Page } from '@playwright/test';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ext, launchWithExtension, serverFixture } from '../extension';
import { FixtureServer } from '../server';
import { hostResolverArgs, localTls } from '../tls';
import { ImitationServer } from './server';

/** Names the certificate covers (a wildcard covers one label). */
export const CERT_NAMES = [
  'x.com',
  '*.x.com',
  'twitter.com',
  '*.twitter.com',
  '*.twimg.com',
  'huggingface.co',
  '*.huggingface.co',
  '*.hf.space',
  '*.hf.co',
  '*.xethub.hf.co',
  '*.aws.cdn.hf.co',
  'videos.example.net',
];

/** Names sent to the local server; everything else (but 127.0.0.1/localhost) resolves nowhere. */
const RESOLVED = ['x.com', '*.x.com', 'twitter.com', '*.twitter.com', '*.twimg.com', 'huggingface.co', '*.huggingface.co', '*.hf.space', '*.hf.co', 'videos.example.net'];

type Fixtures = { web: ImitationServer; server: FixtureServer; ext: Ext };

export const test = base.extend<{}, Fixtures>({
  web: [
    async ({}, use) => {
      const web = await new ImitationServer(localTls(CERT_NAMES)).start();
      await use(web);
      await web.stop();
    },
    { scope: 'worker' },
  ],
  server: serverFixture,
  ext: [
    async ({ web }, use) => {
      const tls = localTls(CERT_NAMES);
      const { context, id, userDataDir } = await launchWithExtension({
        // The last two let a test press the toolbar button (CDP Extensions.triggerAction), see clickToolbarButton.
        extraArgs: [...tls.chromiumArgs, ...hostResolverArgs(RESOLVED, web.port), '--enable-unsafe-extension-debugging', '--remote-debugging-port=0'],
      });
      await use(new Ext(context, id, userDataDir));
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect };

/**
 * Presses the extension's toolbar button on `page`'s tab, as a user does: Chrome then grants
 * `activeTab` for that tab (and opens the popup). Done through the browser's DevTools endpoint
 * (`Extensions.triggerAction` on the page's *tab* target), which Playwright's persistent context
 * does not expose, so the test connects to the port Chromium wrote to DevToolsActivePort.
 */
export async function clickToolbarButton(ext: Ext, page: Page): Promise<void> {
  const port = readFileSync(join(ext.userDataDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  try {
    const s = await browser.newBrowserCDPSession();
    const { targetInfos } = (await s.send('Target.getTargets', { filter: [{ type: 'tab' }] } as never)) as { targetInfos: { type: string; url: string; targetId: string }[] };
    const tab = targetInfos.find((t) => t.type === 'tab' && t.url === page.url());
    if (!tab) throw new Error(`no tab target shows ${page.url()}`);
    await s.send('Extensions.triggerAction' as never, { id: ext.id, targetId: tab.targetId } as never);
  } finally {
    await browser.close().catch(() => {});
  }
}
