/** The privacy policy the e2e suite enforces on every request the extension makes. */
import { describe, expect, it } from 'vitest';
import { policyViolation } from '../../e2e/harness/privacy';

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
