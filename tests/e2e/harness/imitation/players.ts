/**
 * Page-side players for the imitation sites, served as page scripts:
 * - `MSE_SOURCE_PLAYER`: a small MSE loader that plays an fMP4 HLS stream through a MediaSource
 *   whose blob: address sits on a <source> child, like X's web player today (FACTS.md §1);
 * - hls.js (node_modules/hls.js/dist/hls.min.js) for the `video.src = blob:` case.
 * Both fetch with CORS from the page, so the requests land in the page's Resource Timing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const HLS_JS: string = readFileSync(require.resolve('hls.js/dist/hls.min.js'), 'utf8');

/** `window.plPlayMse(video, masterUrl)` and `window.plPlayHls(video, masterUrl)`. */
export const PLAYERS = `
(() => {
  const text = async (u) => { const r = await fetch(u); if (!r.ok) throw new Error(u + ': ' + r.status); return r.text(); };
  const bytes = async (u) => { const r = await fetch(u); if (!r.ok) throw new Error(u + ': ' + r.status); return r.arrayBuffer(); };
  window.plPlayMse = async (video, master) => {
    const ms = new MediaSource();
    const source = document.createElement('source');
    source.type = 'video/mp4';
    source.src = URL.createObjectURL(ms);
    video.appendChild(source);
    video.load();
    video.play().catch(() => {});
    await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
    const m = (await text(master)).split('\\n');
    const i = m.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF'));
    const codec = /CODECS="([^"]+)"/.exec(m[i])[1].split(',').find((c) => c.startsWith('avc1'));
    const variant = new URL(m[i + 1], master).href;
    const pl = await text(variant);
    const init = new URL(/#EXT-X-MAP:URI="([^"]+)"/.exec(pl)[1], variant).href;
    const segments = pl.split('\\n').filter((l) => l && !l.startsWith('#')).map((l) => new URL(l, variant).href);
    const sb = ms.addSourceBuffer('video/mp4; codecs="' + codec + '"');
    const append = (buf) => new Promise((ok, fail) => { sb.addEventListener('updateend', ok, { once: true }); sb.addEventListener('error', fail, { once: true }); sb.appendBuffer(buf); });
    await append(await bytes(init));
    for (const s of segments) await append(await bytes(s));
    ms.endOfStream();
  };
  window.plPlayHls = (video, master) => {
    const hls = new Hls({ enableWorker: false });
    hls.loadSource(master);
    hls.attachMedia(video);
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    return hls;
  };
})();
`;
