import { describe, expect, it } from 'vitest';
import { describeHfAddress, hfMediaAddress, isHuggingFaceHost } from '../../../lib/sites/huggingface';
import { adapterFor, mediaAddressFor } from '../../../lib/sites';

describe('Hugging Face: address forms (FACTS.md §6–9)', () => {
  it('repo files: /resolve/ is fetched as is (302 to the CDN), for models, datasets and Spaces', () => {
    expect(describeHfAddress('https://huggingface.co/acme/sora-clips/resolve/main/videos/final.mp4')).toEqual({
      kind: 'repo-file',
      url: 'https://huggingface.co/acme/sora-clips/resolve/main/videos/final.mp4',
      repo: { type: 'models', id: 'acme/sora-clips', revision: 'main', path: 'videos/final.mp4' },
    });
    expect(describeHfAddress('https://huggingface.co/datasets/acme/leak/resolve/0a1b2c3d/clips%2Fa%20b.mp4')).toMatchObject({
      kind: 'repo-file',
      repo: { type: 'datasets', id: 'acme/leak', revision: '0a1b2c3d', path: 'clips%2Fa%20b.mp4' },
    });
    expect(describeHfAddress('https://huggingface.co/spaces/PR-Puppets/PR-Puppet-Sora/resolve/main/demo.mp4')).toMatchObject({ kind: 'repo-file', repo: { type: 'spaces' } });
    // Legacy repos without a namespace.
    expect(describeHfAddress('https://huggingface.co/gpt2/resolve/main/clip.mp4')).toMatchObject({ kind: 'repo-file', repo: { id: 'gpt2' } });
  });

  it('file pages (/blob/) become the /resolve/ address of the same file, query kept', () => {
    expect(hfMediaAddress('https://huggingface.co/acme/sora-clips/blob/main/videos/final.mp4')).toBe('https://huggingface.co/acme/sora-clips/resolve/main/videos/final.mp4');
    expect(hfMediaAddress('https://huggingface.co/datasets/acme/leak/blob/main/a/blob/b.mp4?download=true')).toBe(
      'https://huggingface.co/datasets/acme/leak/resolve/main/a/blob/b.mp4?download=true',
    );
    expect(describeHfAddress('https://huggingface.co/acme/sora-clips/blob/main/x.mp4')?.kind).toBe('repo-file-page');
  });

  it('Gradio files in Spaces (Gradio 4 file=, Gradio 5 gradio_api/file=), uploads, viewer assets and CDN hosts', () => {
    expect(describeHfAddress('https://pr-puppets-pr-puppet-sora.hf.space/file=/tmp/gradio/abc123/out.mp4')?.kind).toBe('gradio-file');
    expect(describeHfAddress('https://pr-puppets-pr-puppet-sora.hf.space/gradio_api/file=/tmp/gradio/9f86d081884c7d65/out.mp4')).toEqual({
      kind: 'gradio-file',
      url: 'https://pr-puppets-pr-puppet-sora.hf.space/gradio_api/file=/tmp/gradio/9f86d081884c7d65/out.mp4',
    });
    expect(describeHfAddress('https://pr-puppets-pr-puppet-sora.hf.space/?__theme=light')?.kind).toBe('other');
    expect(describeHfAddress('https://cdn-uploads.huggingface.co/production/uploads/6400ab12cd/Zx9-key.mp4')?.kind).toBe('upload');
    expect(describeHfAddress('https://datasets-server.huggingface.co/assets/acme/leak/--/abc/--/default/train/0/video/video.mp4?Expires=1&Signature=x')?.kind).toBe(
      'viewer-asset',
    );
    expect(describeHfAddress('https://datasets-server.huggingface.co/cached-assets/acme/leak/--/abc/--/default/train/0/video/video.mp4')?.kind).toBe('viewer-asset');
    for (const cdn of ['https://cas-bridge.xethub.hf.co/xet-bridge-us/abc?X-Amz-Signature=1', 'https://cdn-lfs-us-1.hf.co/repos/aa/bb/cc?Expires=1', 'https://us.aws.cdn.hf.co/xet-bridge-us/abc']) {
      expect(describeHfAddress(cdn)?.kind, cdn).toBe('cdn');
    }
    expect(describeHfAddress('https://example.com/a.mp4')).toBeUndefined();
    expect(describeHfAddress('blob:https://x.hf.space/1234')).toBeUndefined();
  });

  it('hosts: the adapter serves huggingface.co, its subdomains and Spaces; others get the generic adapter', () => {
    for (const h of ['huggingface.co', 'cdn-uploads.huggingface.co', 'acme-demo.hf.space', 'acme-demo.static.hf.space']) expect(isHuggingFaceHost(h), h).toBe(true);
    for (const h of ['huggingface.co.evil.example', 'nothf.space', 'example.com']) expect(isHuggingFaceHost(h), h).toBe(false);
    expect(adapterFor('huggingface.co').name).toBe('huggingface');
    expect(adapterFor('acme-demo.hf.space').name).toBe('huggingface');
    expect(adapterFor('x.com').name).toBe('x');
    expect(adapterFor('mobile.x.com').name).toBe('x');
    expect(adapterFor('example.com').name).toBe('generic');
  });

  it('the context menu applies the same rule to links, and leaves other sites alone', () => {
    expect(mediaAddressFor('https://huggingface.co/acme/r/blob/main/v.mp4')).toBe('https://huggingface.co/acme/r/resolve/main/v.mp4');
    expect(mediaAddressFor('https://example.com/blob/main/v.mp4')).toBe('https://example.com/blob/main/v.mp4');
    expect(mediaAddressFor('blob:https://example.com/123')).toBe('blob:https://example.com/123');
  });
});
