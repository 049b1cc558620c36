import { describe, expect, it } from 'vitest';
import { classifyTwimg, mediaFromPoster, refFromResources, TwimgRequestLog, isXHost } from '../../../lib/sites/x';

const ID = '2056268160056082432';
const A = `https://video.twimg.com/amplify_video/${ID}`;

describe('X: poster → media id', () => {
  it('reads the three poster forms of FACTS.md §2', () => {
    expect(mediaFromPoster(`https://pbs.twimg.com/amplify_video_thumb/${ID}/img/k9KR2GGJaeMTYP-q.jpg`)).toEqual({ kind: 'amplify_video', id: ID });
    expect(mediaFromPoster('https://pbs.twimg.com/ext_tw_video_thumb/1930425322333229056/pu/img/abc_DEF-12.jpg?name=small')).toEqual({
      kind: 'ext_tw_video',
      id: '1930425322333229056',
    });
    expect(mediaFromPoster('https://pbs.twimg.com/tweet_video_thumb/HHNDEg1WEAAYyWi.jpg')).toEqual({ kind: 'tweet_video', id: 'HHNDEg1WEAAYyWi' });
    expect(mediaFromPoster('https://pbs.twimg.com/tweet_video_thumb/HHNDEg1WEAAYyWi.jpg?name=orig')).toEqual({ kind: 'tweet_video', id: 'HHNDEg1WEAAYyWi' });
  });

  it('refuses other hosts, other images and junk', () => {
    expect(mediaFromPoster(`https://evil.example/amplify_video_thumb/${ID}/img/k.jpg`)).toBeUndefined();
    expect(mediaFromPoster('https://pbs.twimg.com/media/GabcdEFGH.jpg')).toBeUndefined();
    expect(mediaFromPoster('https://pbs.twimg.com/profile_images/123456789/me.jpg')).toBeUndefined();
    expect(mediaFromPoster('https://pbs.twimg.com/amplify_video_thumb/notanumber/img/k.jpg')).toBeUndefined();
    expect(mediaFromPoster('not a url')).toBeUndefined();
    expect(mediaFromPoster(undefined)).toBeUndefined();
  });

  it('serves x.com, twitter.com and their subdomains only', () => {
    for (const h of ['x.com', 'mobile.x.com', 'twitter.com', 'mobile.twitter.com']) expect(isXHost(h), h).toBe(true);
    for (const h of ['notx.com', 'x.com.evil.example', 'twimg.com', 'example.com']) expect(isXHost(h), h).toBe(false);
  });
});

describe('X: video.twimg.com addresses', () => {
  it('classifies the HLS layout of FACTS.md §4', () => {
    expect(classifyTwimg(`${A}/pl/vxJQuEJ7TUHoBkT9.m3u8?tag=14`)).toMatchObject({ role: 'master' });
    expect(classifyTwimg(`${A}/pl/avc1/1280x720/k.m3u8`)).toMatchObject({ role: 'video-playlist', height: 720 });
    expect(classifyTwimg(`${A}/pl/mp4a/128000/k.m3u8`)).toMatchObject({ role: 'audio-playlist' });
    expect(classifyTwimg(`${A}/vid/avc1/0/0/1920x1080/k.mp4`)).toMatchObject({ role: 'init', height: 1080, startMs: 0 });
    expect(classifyTwimg(`${A}/vid/avc1/3000/6000/1920x1080/k.m4s`)).toMatchObject({ role: 'segment', height: 1080, startMs: 3000 });
    expect(classifyTwimg(`${A}/vid/avc1/640x336/7xo7NCPkMLRWb8NZ.mp4?tag=14`)).toMatchObject({ role: 'progressive', height: 336 });
    expect(classifyTwimg('https://video.twimg.com/ext_tw_video/1930425322333229056/pu/vid/720x1280/k.mp4')).toMatchObject({ role: 'progressive', height: 1280 });
    expect(classifyTwimg('https://video.twimg.com/ext_tw_video/1930425322333229056/pu/pl/abc.m3u8?container=fmp4')).toMatchObject({
      role: 'master',
      media: { kind: 'ext_tw_video', id: '1930425322333229056' },
    });
    expect(classifyTwimg('https://video.twimg.com/tweet_video/HHNDEg1WEAAYyWi.mp4')).toMatchObject({ role: 'progressive', media: { kind: 'tweet_video' } });
    // Audio segments, other hosts and plain http are not video of interest.
    expect(classifyTwimg(`${A}/aud/mp4a/0/3000/128000/k.m4s`)).toBeUndefined();
    expect(classifyTwimg(`https://video.example/amplify_video/${ID}/pl/k.m3u8`)).toBeUndefined();
    expect(classifyTwimg(`http://video.twimg.com/amplify_video/${ID}/pl/k.m3u8`)).toBeUndefined();
  });
});

describe('X: the stream from the requests the page made', () => {
  const media = { kind: 'amplify_video' as const, id: ID };
  const other = `https://video.twimg.com/amplify_video/1111111111111111111`;

  it('prefers the master playlist of that very media id', () => {
    const seen = [
      `${other}/pl/OTHER.m3u8?tag=14`,
      `${A}/pl/avc1/1280x720/v.m3u8`,
      `${A}/pl/MASTER.m3u8?tag=14`,
      `${A}/vid/avc1/0/0/1280x720/k.mp4`,
      `${A}/vid/avc1/0/3000/1280x720/k.m4s`,
    ];
    expect(refFromResources(media, seen)).toEqual({ kind: 'hls', url: `${A}/pl/MASTER.m3u8?tag=14` });
  });

  it('falls back to the tallest video playlist, then to init + segments in time order, then to a progressive file', () => {
    expect(refFromResources(media, [`${A}/pl/mp4a/128000/a.m3u8`, `${A}/pl/avc1/480x270/s.m3u8`, `${A}/pl/avc1/1280x720/t.m3u8`])).toEqual({
      kind: 'hls',
      url: `${A}/pl/avc1/1280x720/t.m3u8`,
    });
    expect(
      refFromResources(media, [
        `${A}/vid/avc1/0/0/480x270/s.mp4`,
        `${A}/vid/avc1/3000/6000/1280x720/k.m4s`,
        `${A}/vid/avc1/0/0/1280x720/k.mp4`,
        `${A}/vid/avc1/0/3000/1280x720/k.m4s`,
      ]),
    ).toEqual({ kind: 'fragments', init: `${A}/vid/avc1/0/0/1280x720/k.mp4`, fragments: [`${A}/vid/avc1/0/3000/1280x720/k.m4s`, `${A}/vid/avc1/3000/6000/1280x720/k.m4s`] });
    expect(refFromResources(media, [`${A}/vid/avc1/640x360/a.mp4?tag=12`, `${A}/vid/avc1/1280x720/b.mp4?tag=12`])).toEqual({ kind: 'url', url: `${A}/vid/avc1/1280x720/b.mp4?tag=12` });
  });

  it('never borrows another video’s stream, and says nothing when nothing was requested', () => {
    expect(refFromResources(media, [`${other}/pl/OTHER.m3u8`])).toBeUndefined();
    expect(refFromResources(media, [])).toBeUndefined();
    // An init segment alone is not a checkable stream (no fragment to bind the hash).
    expect(refFromResources(media, [`${A}/vid/avc1/0/0/1280x720/k.mp4`])).toBeUndefined();
  });

  it('GIFs need no request: the poster key names the MP4', () => {
    expect(refFromResources({ kind: 'tweet_video', id: 'HHNDEg1WEAAYyWi' }, [])).toEqual({ kind: 'url', url: 'https://video.twimg.com/tweet_video/HHNDEg1WEAAYyWi.mp4' });
  });

  it('the request log keeps video.twimg.com media addresses only, once each, bounded', () => {
    const log = new TwimgRequestLog({ getEntriesByType: () => [{ name: `${A}/pl/M.m3u8` }, { name: 'https://abs.twimg.com/x.js' }] } as unknown as Performance);
    log.sync();
    log.sync();
    expect(log.addresses()).toEqual([`${A}/pl/M.m3u8`]);
    const ids = log.add([`${A}/pl/mp4a/128000/a.m3u8`, `${other}/pl/O.m3u8`, 'https://x.com/i/api/graphql/q/TweetDetail']);
    expect([...ids]).toEqual(['1111111111111111111']);
    for (let i = 0; i < TwimgRequestLog.MAX + 10; i++) log.add([`${other}/vid/avc1/${i * 3000}/${i * 3000 + 3000}/1280x720/k.m4s`]);
    expect(log.addresses().length).toBe(TwimgRequestLog.MAX);
    expect(log.addresses()).not.toContain(`${A}/pl/M.m3u8`);
  });
});
