/**
 * Imitation Hugging Face pages (../../../../../shared/sites/FACTS.md §6–9), served as
 * huggingface.co, its CDNs and a Space on *.hf.space:
 * - a model card whose README keeps `<video src=".../resolve/main/…mp4">` and an uploaded
 *   attachment on cdn-uploads.huggingface.co;
 * - a file page (`/blob/main/…mp4`) with a player on the `/resolve/` address [UNCERTAIN markup];
 * - a dataset viewer cell whose video already lives in the repo: a plain `/resolve/<sha>/<encoded path>`;
 * - a Space page embedding `https://<owner>-<name>.hf.space`, where a Gradio-like app shows
 *   `<video src="…/gradio_api/file=/tmp/gradio/<hash>/out.mp4" crossorigin="anonymous">`.
 * `/resolve/` answers 302 to a CDN host with a signed query and the Hub's headers (X-Repo-Commit,
 * X-Linked-Size, X-Linked-Etag, X-Xet-Hash for Xet files). CORS headers are [UNCERTAIN]: the
 * redirect and the CDNs here send none (the stricter case — the page's plain <video> needs none,
 * and the extension then reads the bytes only thanks to its host access); the Space sends
 * `Access-Control-Allow-Origin: *`, which its `crossorigin="anonymous"` player requires.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { ImitationServer } from './server';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const COMMIT = 'a3f1c2d4e5b6978801234567890abcdef1234567';

type Cdn = 'xet' | 'lfs' | 'aws';

/** `/resolve/…` → 302 → a CDN address serving `file`; returns the `/resolve/` address. */
export function mountRepoFile(web: ImitationServer, resolvePath: string, file: string, cdn: Cdn): string {
  const id = sha(resolvePath);
  const size = String(statSync(file).size);
  let target: string;
  let extra: Record<string, string> = {};
  if (cdn === 'lfs') {
    const p = `/repos/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}/${sha(file)}`;
    web.file('cdn-lfs-us-1.hf.co', p, file);
    target = `https://cdn-lfs-us-1.hf.co${p}?response-content-disposition=inline&Expires=1900000000&Policy=eyJ&Signature=abc&Key-Pair-Id=K3ESJI6DHPFC7`;
  } else {
    const host = cdn === 'xet' ? 'cas-bridge.xethub.hf.co' : 'us.aws.cdn.hf.co';
    const p = `/xet-bridge-us/${id.slice(0, 24)}/${sha(file)}`;
    web.file(host, p, file);
    target = `https://${host}${p}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=0f0e&X-Amz-SignedHeaders=host&x-id=GetObject`;
    extra = { 'x-xet-hash': sha(`xet:${file}`) };
  }
  web.redirect('huggingface.co', decodeURIComponent(resolvePath), target, {
    'x-repo-commit': COMMIT,
    'x-linked-size': size,
    'x-linked-etag': `"${sha(file)}"`,
    ...extra,
  });
  return `https://huggingface.co${resolvePath}`;
}

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{margin:0;font:14px system-ui} header{height:56px;border-bottom:1px solid #eee} main{max-width:900px;margin:0 auto;padding:16px}</style></head>
<body><header>Hugging Face</header><main>${body}</main></body></html>`;

/** A model card with a README video (Xet CDN) and an uploaded attachment. */
export function mountModelCard(web: ImitationServer, repo: string, files: { readme: string; upload: string }): string {
  const readme = mountRepoFile(web, `/${repo}/resolve/main/videos/final.mp4`, files.readme, 'xet');
  const upload = '/production/uploads/6400ab12cd34ef56ab78cd90/Zx9-kQ2rT1.mp4';
  web.file('cdn-uploads.huggingface.co', upload, files.upload, { cors: true });
  return web.html(
    'huggingface.co',
    `/${repo}`,
    page(
      `${repo} · Hugging Face`,
      `<h1>${repo}</h1><div class="model-card-content prose"><h2>Samples</h2>
      <video id="readme-video" controls width="480" height="270" src="${readme}"></video>
      <p>Uploaded with the card:</p>
      <video id="upload-video" controls width="480" height="270" src="https://cdn-uploads.huggingface.co${upload}"></video></div>`,
    ),
  );
}

/** A file page: `/blob/main/<path>` showing the file through its `/resolve/` address (older LFS CDN). */
export function mountFilePage(web: ImitationServer, repo: string, path: string, file: string): string {
  mountRepoFile(web, `/${repo}/resolve/main/${path}`, file, 'lfs');
  return web.html(
    'huggingface.co',
    `/${repo}/blob/main/${path}`,
    page(`${path} · ${repo} at main`, `<nav>${repo} / ${path}</nav><div class="file-view"><video id="file-video" controls width="480" height="270" src="/${repo}/resolve/main/${path}"></video>
      <a id="download" href="/${repo}/resolve/main/${path}?download=true" download>download</a></div>`),
  );
}

/** The dataset viewer with one video cell whose file lives in the repo (FACTS.md §8). */
export function mountDatasetViewer(web: ImitationServer, dataset: string, path: string, file: string): string {
  const src = mountRepoFile(web, `/datasets/${dataset}/resolve/${COMMIT}/${encodeURIComponent(path)}`, file, 'aws');
  return web.html(
    'huggingface.co',
    `/datasets/${dataset}/viewer/default/train`,
    page(
      `${dataset} · Datasets at Hugging Face`,
      `<table class="viewer"><thead><tr><th>video</th><th>prompt</th></tr></thead>
      <tbody><tr><td><video id="cell-video" controls width="320" height="180" src="${src}"></video></td><td>a test pattern drifting</td></tr></tbody></table>`,
    ),
  );
}

/** A Space page and its app on `<owner>-<name>.hf.space` (lowercase, `/ _ .` → `-`), Gradio 5 style. */
export function mountSpace(web: ImitationServer, space: string, file: string): { page: string; app: string; fileUrl: string } {
  const sub = space.toLowerCase().replace(/[/_.]/g, '-');
  const host = `${sub}.hf.space`;
  const filePath = `/gradio_api/file=/tmp/gradio/${sha(file)}/out.mp4`;
  web.file(host, filePath, file, { cors: true });
  const app = web.html(
    host,
    '/',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gradio</title></head><body><gradio-app><div class="gradio-container">
      <div class="block" id="component-3"><label data-testid="block-label">Generated video</label>
      <div class="wrap"><video src="https://${host}${filePath}" crossorigin="anonymous" data-testid="Video-player" preload="metadata" controls width="480" height="270" id="gradio-video"></video></div></div>
    </div></gradio-app></body></html>`,
  );
  const pageUrl = web.html(
    'huggingface.co',
    `/spaces/${space}`,
    page(`${space} - a Hugging Face Space`, `<iframe id="space-iframe" src="${app}?__theme=light" title="${space}" width="760" height="420" allow="accelerometer; autoplay; clipboard-write; encrypted-media; fullscreen" sandbox="allow-forms allow-modals allow-popups allow-same-origin allow-scripts allow-downloads"></iframe>`),
  );
  return { page: pageUrl, app, fileUrl: `https://${host}${filePath}` };
}
