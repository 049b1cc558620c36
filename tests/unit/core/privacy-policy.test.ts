/** The privacy policy the e2e suite enforces on every request the extension makes. */
import { describe, expect, it } from 'vitest';
import { extensionRequests, policyViolation } from '../../e2e/harness/privacy';

describe('privacy policy', () => {
  it('allows media addresses and the trust and list addresses', () => {
    for (const u of [
      'http://127.0.0.1:4000/c2pa/c2pa-rs__video1.mp4?r=1',
      'http://127.0.0.1:4000/lists/known.jsonl.sig',
      'https://video.twimg.com/amplify_video/1/pl/k.m3u8?tag=14',
      'https://huggingface.co/org/repo/resolve/main/v.mp4',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/abc?Expires=1',
      'https://org-space.hf.space/gradio_api/file=/tmp/gradio/abc/out.mp4',
      'https://raw.githubusercontent.com/c2pa-org/conformance-public/refs/heads/main/trust-list/C2PA-TRUST-LIST.pem',
      'https://contentcredentials.org/trust/anchors.pem',
    ])
      expect(policyViolation(u, 'GET'), u).toBeUndefined();
  });
  it('refuses pages, page hosts, other hosts and writes', () => {
    expect(policyViolation('https://x.com/home', 'GET')).toMatch(/neither a media host/);
    expect(policyViolation('https://pbs.twimg.com/amplify_video_thumb/1/img/k.jpg', 'GET')).toMatch(/neither a media host/);
    expect(policyViolation('https://huggingface.co/org/repo', 'GET')).toMatch(/page/);
    expect(policyViolation('http://127.0.0.1:4000/p/foundation.html', 'GET')).toMatch(/page document/);
    expect(policyViolation('https://telemetry.example.com/collect', 'GET')).toMatch(/neither a media host/);
    expect(policyViolation('http://127.0.0.1:4000/c2pa/x.mp4', 'POST')).toMatch(/only reads/);
  });
});

describe('reading a NetLog', () => {
  const id = 'abcdefghijklmnopabcdefghijklmnop';
  const start = (n: number, url: string, initiator = `chrome-extension://${id}`) =>
    JSON.stringify({ params: { initiator, method: 'GET', url }, phase: 1, source: { id: n, type: 1 }, type: 7 });
  const head = `{"constants":{"logEventTypes":{"URL_REQUEST_START_JOB":7}},\n"events": [\n`;
  const events = [start(1, 'http://127.0.0.1/a.mp4'), start(2, 'https://x.com/page', 'https://x.com'), start(3, 'http://127.0.0.1/b.mp4')];

  it('a complete log: the extension\'s requests, not the page\'s', () => {
    // As Chromium ends it: the list closes on the last event's line.
    const r = extensionRequests(head + events.join(',\n') + ']\n,"polledData": {}\n}\n', id);
    expect(r).toEqual({ complete: true, requests: [{ url: 'http://127.0.0.1/a.mp4', method: 'GET' }, { url: 'http://127.0.0.1/b.mp4', method: 'GET' }] });
  });
  it('a log still being written (cut inside an event): every whole event, and said to be incomplete', () => {
    const text = head + events.map((e) => e + ',\n').join('') + start(4, 'http://evil.example/c').slice(0, 40);
    const r = extensionRequests(text, id);
    expect(r.complete).toBe(false);
    expect(r.requests.map((q) => q.url)).toEqual(['http://127.0.0.1/a.mp4', 'http://127.0.0.1/b.mp4']);
  });
  it('damage before the last line is an error, not a shorter list', () => {
    const text = head + [events[0], events[1].slice(0, 30), events[2]].join(',\n') + ',\n';
    expect(() => extensionRequests(text, id)).toThrow();
  });
});
