/**
 * The foundation scenario, shared by the Chromium suite (foundation.spec.ts) and the Firefox
 * suite (tests/e2e-firefox): one page of fixture videos — every headline, an open shadow root, a
 * video added later and an iframe — and what each browser must show for it. One set of pages
 * and verdicts, two browsers.
 */
import { randomBytes } from 'node:crypto';
import type { FixtureServer } from '../harness/server';

export const V = 'width="320" height="180" muted controls preload="metadata"';

/** Serves the fixture page (and its iframe) under addresses unique to `q`; returns its URL. */
export function mountFoundationPage(server: FixtureServer, q: string): string {
  server.text('/random.mp4', randomBytes(64 * 1024), 'video/mp4');
  const frame = server.html(
    `/p/frame-${q}.html`,
    `<!doctype html><title>frame</title><video id="framed" ${V} src="/gen/bad-signature.mp4?frame&${q}"></video>`,
  );
  return server.html(
    `/p/foundation-${q}.html`,
    `<!doctype html><html lang="en"><head><title>Fixture videos</title>
    <style>body{font:14px sans-serif} .grid{display:grid;grid-template-columns:repeat(3,340px);gap:16px}</style></head><body>
    <h1>Fixture videos</h1>
    <div class="grid">
      <video id="valid" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <video id="invalid" ${V}><source src="/gen/bad-signature.mp4?${q}" type="video/mp4"></video>
      <video id="none" ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>
      <video id="mov" ${V} src="/c2pa/c2pa-rs__c.mov?${q}"></video>
      <video id="ai" ${V} src="/gen/ai-declared.mp4?${q}"></video>
      <video id="missing" ${V} src="/c2pa/no-such-video.mp4?${q}"></video>
      <video id="random" ${V} src="/random.mp4?${q}"></video>
      <div id="shadow-host"></div>
      <div id="later"></div>
    </div>
    <iframe id="frame" src="${frame}" width="360" height="220"></iframe>
    <script>
      const host = document.getElementById('shadow-host');
      host.attachShadow({ mode: 'open' }).innerHTML = \`<video id="in-shadow" ${V} src="/c2pa/c2pa-rs__video1.mp4?shadow&${q}"></video>\`;
      setTimeout(() => {
        const v = document.createElement('video');
        v.id = 'added'; v.width = 320; v.height = 180; v.muted = true;
        v.src = '/gen/ai-declared.mp4?added&${q}';
        document.getElementById('later').appendChild(v);
      }, 400);
    </script></body></html>`,
  );
}

/** Each top-document video's badge: selector, headline, accessible name. */
export const FOUNDATION_BADGES: [string, string, RegExp][] = [
  ['#valid', 'credentials-valid', /^Content Credentials valid: signed by a certificate that names itself “C2PA Test Signing Cert”/],
  ['#invalid', 'credentials-invalid', /^Content Credentials invalid: claimSignature\.mismatch/],
  ['#none', 'no-credentials', /No Content Credentials/],
  // A flat, low-detail picture (PDQ quality 12) cannot be compared with its file: not vouched for.
  ['#mov', 'unconfirmed', /^Not confirmed: its frames so far have too little detail .*The file itself reads No Content Credentials/],
  ['#ai', 'ai-declared', /^AI-generated: declared by OpenAI Sora, signed by a certificate that names itself “C2PA Test Signing Cert”$/],
  ['#missing', 'unavailable', /Could not check this video: the server answered 404/],
  ['#random', 'error', /Error reading this video: not a video or image format/],
  ['#added', 'ai-declared', /AI-generated/],
];

/** The badge in the iframe. */
export const FOUNDATION_FRAME_BADGES = ['credentials-invalid'];
/** The badge over the video in the open shadow root. */
export const FOUNDATION_SHADOW_BADGE = 'credentials-valid';

/** The popup lists every video of the tab, all frames: how many, and the headlines by part of their address. */
export const FOUNDATION_POPUP_COUNT = 10;
export function foundationPopup(q: string): [string, string[]][] {
  return [
    [`c2pa-rs__video1.mp4?${q}`, ['credentials-valid']],
    ['shadow&', ['credentials-valid']],
    ['bad-signature.mp4', ['credentials-invalid', 'credentials-invalid']],
    ['ai-declared.mp4', ['ai-declared', 'ai-declared']],
    ['no-such-video', ['unavailable']],
    ['random.mp4', ['error']],
    ['c.mov', ['unconfirmed']],
  ];
}

/** Toolbar word: the page's most important verdict (AI-declared ×2 outranks invalid ×2). */
export const FOUNDATION_FLAGGED = 'AI';
