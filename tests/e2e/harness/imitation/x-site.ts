/**
 * An imitation X timeline (x.com + pbs.twimg.com + video.twimg.com + abs.twimg.com), faithful to
 * ../../../../../shared/sites/FACTS.md §1–5: video tweets play fMP4 HLS through MSE so the element
 * only shows `blob:` (on a <source> child, or on video.src via hls.js), posters carry the media
 * id, GIFs are plain MP4s, players start when scrolled into view, and the page's scripts come
 * from abs.twimg.com. The stream addresses live only in the page's script state (as X keeps them
 * from its API), never in the markup the content script reads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED } from '../../../paths';
import { HLS_JS, PLAYERS } from './players';
import type { ImitationServer } from './server';
import { mountXStream, type Stream, type XMediaId } from './streams';

export type XVideoTweet =
  | { kind: 'stream'; media: XMediaId; stream: Stream; key: string; player: 'mse-source' | 'hlsjs'; laterOnScroll?: boolean }
  | { kind: 'gif'; key: string; file: string };

/** A small JPEG thumbnail, made once. */
function thumbnail(): string {
  const out = join(GENERATED, 'x', 'thumb.jpg');
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180', '-frames:v', '1', out]);
  }
  return out;
}

const STYLE = 'width:100%;height:100%;position:absolute;background-color:black;top:0%;left:0%;transform:rotate(0deg) scale(1.005);';

/** Mounts the media and returns the timeline's address. Tweets marked `laterOnScroll` are added when the reader scrolls to the end. */
export function mountXTimeline(web: ImitationServer, path: string, tweets: XVideoTweet[], opts: { fillTimingBuffer?: boolean; host?: 'x.com' | 'twitter.com' | 'mobile.x.com' } = {}): string {
  web.text('abs.twimg.com', '/responsive-web/client-web/hls.min.js', HLS_JS, 'text/javascript', { 'access-control-allow-origin': '*' });
  web.text('abs.twimg.com', '/responsive-web/client-web/player.js', PLAYERS, 'text/javascript', { 'access-control-allow-origin': '*' });
  const thumb = thumbnail();
  const state: Record<string, { master: string; player: string }> = {};
  const initial: string[] = [];
  const later: string[] = [];
  tweets.forEach((t, i) => {
    const status = `17${String(i).padStart(17, '0')}`;
    let video: string;
    if (t.kind === 'gif') {
      web.file('video.twimg.com', `/tweet_video/${t.key}.mp4`, t.file);
      web.file('pbs.twimg.com', `/tweet_video_thumb/${t.key}.jpg`, thumb);
      video = `<video preload="auto" tabindex="-1" playsinline="" aria-label="Embedded video" autoplay loop muted
        poster="https://pbs.twimg.com/tweet_video_thumb/${t.key}.jpg" src="https://video.twimg.com/tweet_video/${t.key}.mp4" type="video/mp4" style="${STYLE}"></video>`;
    } else {
      const master = mountXStream(web, t.media, t.stream, t.key);
      state[status] = { master, player: t.player };
      const thumbPath = `/${t.media.kind}_thumb/${t.media.id}${t.media.kind === 'ext_tw_video' ? '/pu' : ''}/img/${t.key}.jpg`;
      web.file('pbs.twimg.com', thumbPath, thumb);
      video = `<video preload="none" tabindex="-1" playsinline="" aria-label="Embedded video" muted poster="https://pbs.twimg.com${thumbPath}" style="${STYLE}"></video>`;
    }
    const html = `<article data-testid="tweet" id="t${i}">
      <a href="/someone/status/${status}">@someone · 2h</a>
      <div data-testid="videoPlayer"><div data-testid="videoComponent" style="position:relative;width:480px;height:270px">${video}</div></div>
    </article>`;
    (t.kind === 'stream' && t.laterOnScroll ? later : initial).push(html);
  });
  return web.html(
    opts.host ?? 'x.com',
    path,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Home / X</title>
    <style>body{margin:0;font:15px system-ui} main{width:600px;margin:0 auto} article{border-bottom:1px solid #eee;padding:12px}</style>
    <script src="https://abs.twimg.com/responsive-web/client-web/hls.min.js"></script>
    <script src="https://abs.twimg.com/responsive-web/client-web/player.js"></script></head>
    <body><main role="main" aria-label="Home timeline"><div id="timeline">${initial.join('\n')}</div><div id="sentinel" style="height:40px">Loading…</div></main>
    <script>
      // The app's state: media addresses as X's API gave them (never in the markup).
      const STATE = ${JSON.stringify(state)};
      const LATER = ${JSON.stringify(later)};
      ${opts.fillTimingBuffer ? '// A long-lived SPA fills its Resource Timing buffer: later entries only reach observers.\n      performance.setResourceTimingBufferSize(3);' : ''}
      const started = new WeakSet();
      const start = (video) => {
        if (started.has(video)) return;
        started.add(video);
        const link = video.closest('article').querySelector('a[href*="/status/"]').getAttribute('href');
        const s = STATE[link.split('/').pop()];
        if (!s) return;
        window.players = window.players || [];
        window.players.push(s.player === 'hlsjs' ? plPlayHls(video, s.master) : plPlayMse(video, s.master));
      };
      const io = new IntersectionObserver((entries) => entries.forEach((e) => e.isIntersecting && start(e.target)), { threshold: 0.5 });
      const watch = (root) => root.querySelectorAll('video[preload="none"]').forEach((v) => io.observe(v));
      // Like X, the timeline starts its players after the page has loaded (its API calls come first).
      addEventListener('load', () => setTimeout(() => watch(document), 300));
      new IntersectionObserver((entries) => {
        if (!entries[0].isIntersecting || !LATER.length) return;
        const box = document.createElement('div');
        box.innerHTML = LATER.splice(0).join('');
        document.getElementById('timeline').append(...box.children);
        watch(document.getElementById('timeline'));
      }).observe(document.getElementById('sentinel'));
    </script></body></html>`,
  );
}
