/**
 * A metered file route for the fixture server: serves a file with HTTP Range support like a
 * video host, counts the bytes it sends to the page's player and to the extension apart (told
 * by the Fetch Metadata headers: the page's own requests are `Sec-Fetch-Dest: video` or same-origin,
 * the extension's are neither), notes when a
 * connection is closed before its answer was complete, and can pace its sending (a slow host,
 * or a link shared by every connection, for the benchmark's throttled runs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import type { FixtureServer } from './server';

export interface MeteredRequest {
  who: 'player' | 'extension' | 'other';
  site: string;
  range?: string;
  start: number;
  sent: number;
  /** The answer was cut off by the client (a cancelled download). */
  aborted: boolean;
  done: boolean;
  at: number;
  endedAt?: number;
}

/** A shared pace: every metered route on it draws from one token bucket (a link of `bytesPerSecond`). */
export class Link {
  private available = 0;
  private last = Date.now();
  constructor(readonly bytesPerSecond: number) {}
  /** Waits until `n` bytes may go out. */
  async take(n: number): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.available = Math.min(this.bytesPerSecond / 4, this.available + ((now - this.last) / 1000) * this.bytesPerSecond);
      this.last = now;
      if (this.available >= n) {
        this.available -= n;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.max(5, ((n - this.available) / this.bytesPerSecond) * 1000)));
    }
  }
}

export class MeteredFile {
  readonly requests: MeteredRequest[] = [];
  constructor(
    readonly file: string,
    private pace?: { link?: Link; bytesPerSecond?: number },
  ) {}

  bytes(who: MeteredRequest['who']): number {
    return this.requests.filter((r) => r.who === who).reduce((n, r) => n + r.sent, 0);
  }

  /** Bytes sent to `who` after time `t` (ms since the epoch): what a cancelled check still cost. */
  bytesAfter(who: MeteredRequest['who'], t: number): number {
    // Chunks are not timestamped; a request still open after t counts whole, a conservative bound.
    return this.requests.filter((r) => r.who === who && (r.endedAt ?? Infinity) > t).reduce((n, r) => n + r.sent, 0);
  }

  open(who: MeteredRequest['who']): MeteredRequest[] {
    return this.requests.filter((r) => r.who === who && !r.done && !r.aborted);
  }

  handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const size = statSync(this.file).size;
    const dest = req.headers['sec-fetch-dest'];
    const site = req.headers['sec-fetch-site'];
    // The page's player: a <video> element's request, or a same-origin script (hls.js, MSE players).
    const who: MeteredRequest['who'] = dest === 'video' || site === 'same-origin' ? 'player' : dest === 'empty' ? 'extension' : 'other';
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    const headers: Record<string, string | number> = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
    if (m && (m[1] || m[2])) {
      start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
      end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        return void res.end();
      }
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    } else {
      res.writeHead(200, { ...headers, 'content-length': size });
    }
    const r: MeteredRequest = { who, site: String(site ?? ''), range: req.headers.range, start, sent: 0, aborted: false, done: false, at: Date.now() };
    this.requests.push(r);
    res.on('close', () => {
      r.endedAt = Date.now();
      if (!r.done) r.aborted = true;
    });
    const stream = createReadStream(this.file, { start, end, highWaterMark: 16 * 1024 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (res.destroyed) break;
        if (this.pace?.link) await this.pace.link.take(chunk.length);
        else if (this.pace?.bytesPerSecond) await new Promise((ok) => setTimeout(ok, (chunk.length / this.pace!.bytesPerSecond!) * 1000));
        if (res.destroyed) break;
        r.sent += chunk.length;
        if (!res.write(chunk)) {
          await new Promise<void>((ok) => {
            const done = () => (res.off('drain', done), res.off('close', done), ok());
            res.on('drain', done).on('close', done);
          });
        }
      }
    } finally {
      stream.destroy();
    }
    if (!res.destroyed) {
      r.done = true;
      res.end();
    }
  };

  mount(server: FixtureServer, path: string): string {
    server.route(path, this.handler);
    return server.url(path);
  }
}
