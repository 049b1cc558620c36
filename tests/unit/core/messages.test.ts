import { describe, expect, it } from 'vitest';
import { parseContentMessage, parsePageMessage, parseRef, senderKind } from '../../../lib/messages';
import { mediaKey } from '../../../lib/media/ref';
import { sanitizeSettings, DEFAULT_SETTINGS } from '../../../lib/settings';

describe('content messages are reduced to plain references', () => {
  const ok = { type: 'videos', pageUrl: 'https://a.example/', badges: true, videos: [{ id: 'v1', ref: { kind: 'url', url: 'https://a.example/v.mp4' }, visible: true }] };
  it('accepts a well-formed report', () => {
    expect(parseContentMessage(ok)?.videos[0].ref).toEqual({ kind: 'url', url: 'https://a.example/v.mp4' });
  });
  it('drops anything that carries a verdict or an unknown shape', () => {
    expect(parseContentMessage({ type: 'verdict', key: 'k', verdict: { headline: 'credentials-trusted' } })).toBeUndefined();
    expect(parseContentMessage({ ...ok, videos: [{ ...ok.videos[0], ref: { kind: 'url', url: 'javascript:alert(1)' } }] })).toBeUndefined();
    expect(parseContentMessage({ ...ok, videos: [{ ...ok.videos[0], ref: { kind: 'url', url: 'file:///etc/passwd' } }] })).toBeUndefined();
    expect(parseContentMessage({ ...ok, videos: [{ ...ok.videos[0], ref: { kind: 'file', name: 'x', size: 1 } }] })).toBeUndefined();
    expect(parseContentMessage({ ...ok, videos: [ok.videos[0], ok.videos[0]] })).toBeUndefined();
    expect(parseContentMessage({ ...ok, videos: [{ ...ok.videos[0], id: '<img onerror>' }] })).toBeUndefined();
  });
  it('a frame with more than 500 videos is truncated, never rejected (hundreds of decoys cannot hide a video)', () => {
    const parsed = parseContentMessage({ ...ok, videos: Array.from({ length: 501 }, (_, i) => ({ ...ok.videos[0], id: `v${i}` })) });
    expect(parsed?.videos.length).toBe(500);
    expect(parsed?.videos[0].id).toBe('v0');
  });
  it('extra fields a page adds never survive', () => {
    const parsed = parseContentMessage({ ...ok, verdict: 'trusted', videos: [{ ...ok.videos[0], verdict: { headline: 'credentials-trusted' } }] });
    expect(JSON.stringify(parsed)).not.toContain('trusted');
  });
  it('limits references', () => {
    expect(parseRef({ kind: 'fragments', init: 'https://x/i.mp4', fragments: Array(9).fill('https://x/s.m4s') })).toBeUndefined();
    expect(parseRef({ kind: 'unresolvable', reason: 'x'.repeat(1000) })).toEqual({ kind: 'unresolvable', reason: 'x'.repeat(300) });
    expect(parseRef({ kind: 'hls', url: 'https://x/p.m3u8' })).toEqual({ kind: 'hls', url: 'https://x/p.m3u8' });
  });
});

describe('page requests and senders', () => {
  it('validates page requests', () => {
    expect(parsePageMessage({ type: 'lookup-url', url: 'https://x/v.mp4' })).toEqual({ type: 'lookup-url', url: 'https://x/v.mp4' });
    expect(parsePageMessage({ type: 'lookup-url', url: 'ftp://x' })).toBeUndefined();
    expect(parsePageMessage({ type: 'reveal', tabId: -1, frameId: 0, videoId: 'v1' })).toBeUndefined();
    expect(parsePageMessage({ type: 'lookup-upload', uploadId: '../../x', name: 'a', size: 1 })).toBeUndefined();
    expect(parsePageMessage({ type: 'nope' })).toBeUndefined();
  });
  it('tells content scripts from extension pages, and refuses other extensions', () => {
    const id = 'abc';
    const origin = 'chrome-extension://abc/';
    expect(senderKind({ id, url: 'chrome-extension://abc/popup.html' }, id, origin)).toBe('page');
    expect(senderKind({ id, url: 'chrome-extension://abc/offscreen.html' }, id, origin)).toBe('worker-host');
    expect(senderKind({ id, url: 'https://evil.example/', tab: { id: 3 }, frameId: 0 }, id, origin)).toBe('content');
    expect(senderKind({ id: 'other', url: 'chrome-extension://abc/popup.html' }, id, origin)).toBeUndefined();
    // A page whose address merely contains the extension origin is not the extension.
    expect(senderKind({ id, url: 'https://evil.example/chrome-extension://abc/popup.html', tab: { id: 1 }, frameId: 0 }, id, origin)).toBe('content');
    expect(senderKind({ id, url: 'chrome-extension://abcd/popup.html' }, id, origin)).toBeUndefined();
  });
  it('media keys ignore fragments and separate kinds', () => {
    expect(mediaKey({ kind: 'url', url: 'https://x/v.mp4#t=3' })).toBe(mediaKey({ kind: 'url', url: 'https://x/v.mp4' }));
    expect(mediaKey({ kind: 'url', url: 'https://x/v.m3u8' })).not.toBe(mediaKey({ kind: 'hls', url: 'https://x/v.m3u8' }));
  });
});

describe('settings', () => {
  it('clamps stored values and keeps unknown trust sources out', () => {
    const s = sanitizeSettings({ maxBytes: -5, concurrency: 99, trustSources: [{ id: 'c2pa-trust-list', url: 'javascript:x' }, { id: 'evil', url: 'https://evil' }], badges: 'no' });
    expect(s.maxBytes).toBe(1024 * 1024);
    expect(s.concurrency).toBe(6);
    expect(s.trustSources.map((t) => t.id)).toEqual(DEFAULT_SETTINGS.trustSources.map((t) => t.id));
    expect(s.trustSources[0].url).toBe(DEFAULT_SETTINGS.trustSources[0].url);
    expect(s.badges).toBe(true);
  });
});
