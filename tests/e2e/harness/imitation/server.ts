/**
 * One HTTPS server standing in for several real sites at once: requests are routed by their
 * Host header (x.com, video.twimg.com, huggingface.co, a CDN, a Space…), each host with its
 * own routes. Chromium reaches it through --host-resolver-rules (see ../tls.ts). Every request
 * is logged with its host, so tests can assert who asked for what (e.g. nothing from X's API).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveFile, type Handler } from '../server';
import type { LocalTls } from '../tls';

export interface HostRequest {
  host: string;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /**
   * Asked by the extension: Chromium marks its fetches `Sec-Fetch-Site: none` (no initiating
   * site) and sends neither Origin nor Referer; a page's requests say `same-site`/`cross-site`.
   */
  fromExtension: boolean;
}

export class ImitationServer {
  readonly log: HostRequest[] = [];
  private hosts = new Map<string, Map<string, Handler>>();
  private server: Server;
  port = 0;

  constructor(tls: LocalTls) {
    this.server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  route(host: string, path: string, handler: Handler): string {
    const routes = this.hosts.get(host) ?? new Map<string, Handler>();
    routes.set(path, handler);
    this.hosts.set(host, routes);
    return `https://${host}${path}`;
  }

  html(host: string, path: string, body: string): string {
    return this.route(host, path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
  }

  text(host: string, path: string, body: string | Buffer, type: string, headers: Record<string, string> = {}): string {
    return this.route(host, path, (_req, res) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    });
  }

  /** A file with Range support, as a CDN serves it; `cors` adds `Access-Control-Allow-Origin: *` (FACTS.md §5, §7). */
  file(host: string, path: string, file: string, opts: { type?: string; cors?: boolean } = {}): string {
    return this.route(host, path, (req, res) => {
      if (opts.cors) res.setHeader('access-control-allow-origin', '*');
      serveFile(req, res, file, opts.type);
    });
  }

  /** A 302 as `/resolve/` answers it, with the Hub's headers (FACTS.md §7). */
  redirect(host: string, path: string, to: string, headers: Record<string, string> = {}): string {
    return this.route(host, path, (_req, res) => {
      res.writeHead(302, { location: to, 'cache-control': 'no-store', ...headers });
      res.end();
    });
  }

  requests(host: string, prefix = '/'): HostRequest[] {
    return this.log.filter((r) => r.host === host && r.path.startsWith(prefix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').split('?')[0];
    const fromExtension = req.headers['sec-fetch-site'] === 'none' && req.headers['sec-fetch-mode'] !== 'navigate';
    this.log.push({ host, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, fromExtension });
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, HEAD' });
        return void res.end();
      }
      const handler = this.hosts.get(host)?.get(decodeURIComponent(path));
      if (handler) return await handler(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no route for ${host}${path}`);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    }
  }
}
