/**
 * Videos in frames that have no origin of their own: a `blob:` document, a `data:` document and
 * an `about:srcdoc` one, all made by an allowed page. The content script reaches them through
 * `match_origin_as_fallback` (blob:, data:) and `match_about_blank` (srcdoc), statically and in
 * the run-time registered script that allowed sites (here the local test host) get.
 */
import { test, expect, fresh } from './harness/extension';
import { readBadges } from './harness/badges';

test('videos in blob:, data: and srcdoc frames get their badges', async ({ ext, server }) => {
  const q = fresh();
  const video = (file: string, tag: string) => `<video width="320" height="180" muted preload="metadata" src="${server.url(`/c2pa/${file}?${tag}&${q}`)}"></video>`;
  const url = server.html(
    `/p/frames-${q}.html`,
    `<!doctype html><html lang="en"><title>frames</title><body>
    <div id="slot"></div>
    <iframe id="data" width="360" height="220" src="data:text/html,${encodeURIComponent(`<!doctype html><title>data</title>${video('c2pa-rs__video1.mp4', 'data')}`)}"></iframe>
    <iframe id="srcdoc" width="360" height="220" srcdoc="${`<!doctype html><title>srcdoc</title>${video('c2pa-rs__video1.mp4', 'srcdoc')}`.replace(/"/g, '&quot;')}"></iframe>
    <script>
      const html = ${JSON.stringify(`<!doctype html><title>blob</title>${video('c2pa-rs__video1_no_manifest.mp4', 'blob')}`)};
      const f = document.createElement('iframe');
      f.id = 'blob'; f.width = 360; f.height = 220;
      f.src = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
      document.getElementById('slot').appendChild(f);
    </script></body></html>`,
  );
  const page = await ext.context.newPage();
  await page.goto(url);
  await expect
    .poll(async () => (await readBadges(page)).filter((b) => b.frame > 0).map((b) => b.headline).sort(), { timeout: 30_000 })
    .toEqual(['credentials-valid', 'credentials-valid', 'no-credentials']);
  // The popup's list has each frame's video, by its address.
  const tabId = await ext.tabId(page);
  const videos = await ext.send<{ ref: { url?: string }; verdict?: { headline: string; summary: string } }[]>({ type: 'tab-videos', tabId });
  const byTag = Object.fromEntries(videos.map((v) => [/[?&](data|srcdoc|blob)&/.exec(v.ref.url ?? '')?.[1], v.verdict?.headline]));
  expect(byTag, JSON.stringify(videos.map((v) => v.verdict?.summary))).toEqual({ data: 'credentials-valid', srcdoc: 'credentials-valid', blob: 'no-credentials' });
  await page.close();
});
