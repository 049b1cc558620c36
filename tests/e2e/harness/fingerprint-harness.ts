/**
 * Node side of the browser fingerprint harness, shared by tests/e2e/fingerprint-browser.spec.ts
 * and bench/fingerprint.bench.ts: bundles the worker with esbuild and serves it, a tiny page and
 * video files over http://127.0.0.1 (WebCodecs needs a secure context; localhost is one).
 * The page exposes `window.fingerprintInWorker(path, options)`.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import { ROOT, PDQ_FIXTURES, GENERATED } from '../../paths';

/** Launch options for Debian's Chromium, headless, no extension, no network noise. */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>fingerprint harness</title>
<script>
let nextId = 1;
const pending = new Map();
const worker = new Worker('/worker.js');
worker.onmessage = (e) => { const p = pending.get(e.data.id); pending.delete(e.data.id); p && p(e.data); };
function ask(msg) { return new Promise((resolve) => { const id = nextId++; pending.set(id, resolve); worker.postMessage({ id, ...msg }); }); }
window.fingerprintInWorker = (path, options) => ask({ url: path, options });
window.probeCodecs = (codecs) => ask({ probe: codecs });
</script>`;

export interface Harness {
  url: string;
  close(): Promise<void>;
}

/** Directories served under /videos/<root>/...: the shared fixtures (read in place) and generated media. */
const ROOTS: Record<string, string> = { fixtures: PDQ_FIXTURES, generated: GENERATED };

export async function startHarness(): Promise<Harness> {
  const bundle = await build({
    entryPoints: [resolve(ROOT, 'tests/e2e/harness/fingerprint-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
  });
  const workerJs = bundle.outputFiles[0].text;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    if (path === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(workerJs);
      return;
    }
    const m = /^\/videos\/(fixtures|generated)\/(.+)$/.exec(path);
    if (m) {
      const base = ROOTS[m[1]];
      const file = normalize(resolve(base, m[2]));
      if (file.startsWith(base + sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': statSync(file).size });
        createReadStream(file).pipe(res);
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** URL path of a file under the shared fixtures or .cache/generated. */
export function videoUrl(file: string): string {
  for (const [name, base] of Object.entries(ROOTS)) {
    if (file.startsWith(base + sep)) return `/videos/${name}/${file.slice(base.length + 1).split(sep).map(encodeURIComponent).join('/')}`;
  }
  throw new Error(`not a served file: ${file}`);
}
