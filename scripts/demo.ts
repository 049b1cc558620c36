/**
 * `npm start`: builds the extension, serves a demo page of sample videos on 127.0.0.1, and
 * opens Chromium with the extension loaded. With a display it stays open for you to browse;
 * without one it runs headless, prints each video's verdict and saves screenshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FixtureServer } from '../tests/e2e/harness/server';
import { launchWithExtension, Ext } from '../tests/e2e/harness/extension';
import { readBadges } from '../tests/e2e/harness/badges';
import { aiDeclaredVideo, badSignatureVideo } from '../tests/support/signing';
import { reencoded, signedList } from '../tests/support/media';
import { C2PA_FIXTURES, ROOT } from '../tests/paths';
import { LOOK } from '../lib/present';
import type { TabVideo } from '../lib/messages';

const OUT = resolve(ROOT, process.env.PL_DEMO_OUT ?? 'demo-output');
const headed = !!process.env.DISPLAY && !process.env.PL_HEADLESS;

interface Sample {
  id: string;
  title: string;
  src: string;
}

async function samples(server: FixtureServer): Promise<Sample[]> {
  if (!existsSync(C2PA_FIXTURES)) {
    throw new Error(`the sample videos live in ${C2PA_FIXTURES} (the project's shared fixtures); put them beside the repository`);
  }
  await aiDeclaredVideo();
  await badSignatureVideo();
  server.text(
    '/demo/stream.m3u8',
    '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="/c2pa/c2pa-rs__dashinit.mp4"\n#EXTINF:4.000,\n/c2pa/c2pa-js__dash1.m4s\n#EXT-X-ENDLIST\n',
    'application/vnd.apple.mpegurl',
  );
  await reencoded('pattern-hd-no-bar.mp4', 'pattern-480p-crf35', ['-vf', 'scale=-2:480', '-crf', '35']);
  return [
    { id: 'ai', title: 'Declared AI-generated (signed as made by a video model)', src: '/gen/ai-declared.mp4' },
    { id: 'listed', title: 'A re-encoded copy of a video on a subscribed list', src: '/gen/copies/pattern-480p-crf35.mp4' },
    { id: 'signed', title: 'Signed with Content Credentials (test certificate)', src: '/c2pa/c2pa-rs__video1.mp4' },
    { id: 'invalid', title: 'Credentials that do not hold (bad signature)', src: '/gen/bad-signature.mp4' },
    { id: 'stream', title: 'A streamed video (HLS, fragmented MP4)', src: '/demo/stream.m3u8' },
    { id: 'plain', title: 'No Content Credentials', src: '/c2pa/c2pa-rs__video1_no_manifest.mp4' },
    { id: 'mov', title: 'QuickTime movie without credentials', src: '/c2pa/c2pa-rs__c.mov' },
    { id: 'gone', title: 'An address that no longer exists', src: '/c2pa/removed-video.mp4' },
  ];
}

function page(list: Sample[]): string {
  const cards = list
    .map((s) => `<figure><video id="${s.id}" src="${s.src}" width="360" height="203" controls muted preload="metadata"></video><figcaption>${s.title}</figcaption></figure>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Provenance Lens demo</title>
  <style>body{font:15px system-ui,sans-serif;margin:24px;background:#f8fafc;color:#0f172a}
  main{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:20px}
  figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px}
  video{background:#000;display:block;border-radius:4px}figcaption{margin-top:6px}</style></head>
  <body><h1>Provenance Lens demo</h1><p>Each video gets a badge at its top-left corner. Click one to see where it came from.</p>
  <main>${cards}</main></body></html>`;
}

async function main(): Promise<void> {
  if (!process.env.PL_SKIP_BUILD) execFileSync('npx', ['wxt', 'build', '--mode', 'e2e'], { cwd: ROOT, stdio: 'inherit' });
  const server = await new FixtureServer().start(Number(process.env.PL_DEMO_PORT ?? 0));
  const list = await samples(server);
  const url = server.html('/demo/', page(list));
  const { context, id, userDataDir } = await launchWithExtension({ headed });
  const ext = new Ext(context, id, userDataDir);
  // Trust lists from the fixtures (the real addresses are not reachable from this machine's sandbox).
  await ext.useLocalTrustLists(server);
  // A demo list of known videos, built and signed with the CLI, served here and subscribed to.
  const known = await signedList('demo-known', ['pattern-hd-no-bar.mp4'], { sequence: 1, notes: 'Demo entry: the original of the re-encoded copy on the page.' });
  server.text('/demo/known.jsonl', known.bytes, 'application/jsonl');
  server.text('/demo/known.jsonl.sig', known.sig);
  await ext.send({ type: 'list-subscribe', url: server.url('/demo/known.jsonl'), publicKey: known.publicKey });
  const tab = await context.newPage();
  await tab.goto(url);
  console.log(`Demo page: ${url}`);
  if (headed) {
    console.log('Chromium is open with Provenance Lens loaded. Close the window to stop.');
    await new Promise<void>((r) => context.on('close', () => r()));
    await server.stop();
    return;
  }
  // Headless: wait for every verdict, print them, save screenshots.
  const tabId = await ext.tabId(tab);
  let videos: TabVideo[] = [];
  for (let i = 0; i < 120; i++) {
    videos = await ext.send<TabVideo[]>({ type: 'tab-videos', tabId });
    if (videos.length === list.length && videos.every((v) => v.verdict && v.verdict.headline !== 'checking' && v.verdict.fingerprint !== 'pending')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  mkdirSync(OUT, { recursive: true });
  console.log('\nVerdicts:');
  for (const s of list) {
    const v = videos.find((x) => x.ref.kind !== 'unresolvable' && 'url' in x.ref ? x.ref.url.endsWith(s.src) : x.key.includes(s.src));
    const look = v?.verdict ? LOOK[v.verdict.headline] : undefined;
    console.log(`  ${look?.icon ?? '?'} ${(v?.verdict?.headline ?? 'not found').padEnd(20)} ${s.id.padEnd(8)} ${v?.verdict?.summary ?? ''}`);
  }
  await tab.setViewportSize({ width: 1280, height: 820 });
  await tab.screenshot({ path: join(OUT, 'page.png') });
  // Open the AI badge's details for a close-up.
  const badges = await readBadges(tab);
  const ai = badges.find((b) => b.headline === 'ai-declared');
  if (ai) {
    await tab.mouse.click(ai.left + 14, ai.top + 9);
    await tab.waitForTimeout(300);
    await tab.screenshot({ path: join(OUT, 'badge.png'), clip: { x: Math.max(0, ai.left - 20), y: Math.max(0, ai.top - 20), width: 460, height: 520 } });
  }
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 440, height: 760 });
  await popup.goto(ext.url(`/popup.html?tab=${tabId}`));
  await popup.waitForSelector('li.pl-video');
  await popup.locator('li.pl-video details summary').first().click();
  await popup.screenshot({ path: join(OUT, 'popup.png') });
  console.log(`\nScreenshots: ${join(OUT, 'page.png')}, ${join(OUT, 'badge.png')}, ${join(OUT, 'popup.png')}`);
  await context.close();
  await server.stop();
}

main().catch((err) => {
  console.error(`npm start failed: ${err?.message ?? err}`);
  process.exit(1);
});
