/**
 * A local fixture server for end-to-end tests: serves files read in place from ../shared and
 * .cache/generated with HTTP Range support (like real video hosts), test pages, and routes a
 * test adds. Every request is logged so tests can assert what the extension fetched.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { C2PA_FIXTURES, GENERATED, PDQ_FIXTURES } from '../../paths';

export interface LoggedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.mov': 'video/quicktime',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.pem': 'application/x-pem-file',
  '.cfg': 'text/plain',
  '.txt': 'text/plain',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.jsonl': 'application/jsonl',
  '.sig': 'text/plain',
};

/** URL prefix → folder, all read in place. */
const MOUNTS: Record<string, string> = {
  '/c2pa/': C2PA_FIXTURES,
  '/trust/': join(C2PA_FIXTURES, 'trust'),
  '/pdq/': join(PDQ_FIXTURES, 'videos'),
  '/gen/': GENERATED,
};

export class FixtureServer {
  readonly log: LoggedRequest[] = [];
  private routes = new Map<string, Handler>();
  private server: Server;
  origin = '';

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    this.origin = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  url(path: string): string {
    return this.origin + path;
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  html(path: string, body: string): string {
    this.route(path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
    return this.url(path);
  }

  text(path: string, body: string | Buffer, type = 'text/plain', headers: Record<string, string> = {}): string {
    this.route(path, (_req, res) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    });
    return this.url(path);
  }

  requests(prefix: string): LoggedRequest[] {
    return this.log.filter((r) => r.path.startsWith(prefix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    this.log.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: Date.now() });
    try {
      const route = this.routes.get(path);
      if (route) return await route(req, res);
      for (const [prefix, dir] of Object.entries(MOUNTS)) {
        if (!path.startsWith(prefix)) continue;
        const file = normalize(join(dir, path.slice(prefix.length)));
        if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) break;
        return serveFile(req, res, file);
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  }
}

/** Serves a file, honouring a single `Range: bytes=a-b` like a CDN does. */
export function serveFile(req: IncomingMessage, res: ServerResponse, file: string, type?: string): void {
  const size = statSync(file).size;
  const headers: Record<string, string | number> = {
    'content-type': type ?? TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
  };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (m && (m[1] || m[2])) {
    let start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    let end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
