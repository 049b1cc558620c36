/**
 * A video's bytes as random access, read as little as a verdict needs: a remote file through
 * HTTP Range requests (a first ranged request learns the size and keeps the file's start), a
 * file already in memory, or a Blob. Every byte that crosses the network is counted, so a
 * verdict can say how much of the file it rests on and the benchmark can hold us to it.
 */
import { FetchFailure, parseContentRange, readBodyCapped, request, tooLarge, withTimeout, type FetchOptions } from './fetch';

/** What the first request asks for: enough for the box layout of most files (ftyp, a C2PA box, a front moov). */
export const PROBE_BYTES = 256 * 1024;

export interface ByteSource {
  /** Where the bytes come from (after redirects), for messages. */
  readonly url: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Bytes fetched over the network so far (0 for local bytes). */
  readonly fetched: number;
  readonly contentType?: string;
  /** Response headers of the first request (remote sources only). */
  readonly headers?: Headers;
  /** Bytes [start, end) — never past `size`. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** The whole file as chunks (streamed for remote sources; nothing is fetched twice). */
  readAll(onChunk: (chunk: Uint8Array) => void): Promise<void>;
}

export class MemorySource implements ByteSource {
  readonly fetched: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly url = '(local)',
    fetched = 0,
    readonly contentType?: string,
    /** The answer's headers, when the bytes came whole from a server that ignores Range. */
    readonly headers?: Headers,
  ) {
    this.fetched = fetched;
  }
  get size(): number {
    return this.bytes.length;
  }
  async read(start: number, end: number): Promise<Uint8Array> {
    return this.bytes.subarray(start, Math.min(end, this.bytes.length));
  }
  async readAll(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    onChunk(this.bytes);
  }
}

/** A Blob (a file the user chose, or a signed video already read whole). */
export class BlobSource implements ByteSource {
  readonly fetched = 0;
  constructor(
    private blob: Blob,
    readonly url = '(local)',
  ) {}
  get size(): number {
    return this.blob.size;
  }
  async read(start: number, end: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(start, Math.min(end, this.blob.size)).arrayBuffer());
  }
  async readAll(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    const step = 4 * 1024 * 1024;
    for (let at = 0; at < this.blob.size; at += step) onChunk(await this.read(at, at + step));
  }
}

export interface RemoteOptions extends FetchOptions {
  /** Never read more than this many bytes of one file (the user's size cap). */
  maxBytes: number;
}

/**
 * Opens a remote file with one ranged request. A server that ignores Range answers with the
 * whole file: it is then read as a stream up to the cap (nothing else can be done with it).
 */
export async function openRemote(url: string, opts: RemoteOptions): Promise<ByteSource> {
  const probe = Math.max(1, Math.min(opts.probeBytes ?? PROBE_BYTES, opts.maxBytes));
  return withTimeout(opts, async (signal) => {
    const res = await request(url, opts, signal, `bytes=0-${probe - 1}`);
    const contentType = res.headers.get('content-type') ?? undefined;
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!range) throw new FetchFailure('bad-response', 'the server sent a partial answer without a valid Content-Range');
      if (range.start !== 0) throw new FetchFailure('bad-response', `the server sent bytes from ${range.start}, not from the start`);
      const head = await readBodyCapped(res, probe, () => new FetchFailure('bad-response', 'the server sent more than was asked'), true, opts.stallMs, signal);
      const size = range.total ?? head.length;
      return new RemoteSource(res.url || url, size, head, opts, contentType, res.headers);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await res.body?.cancel();
      throw tooLarge(declared, opts.maxBytes);
    }
    const bytes = await readBodyCapped(res, opts.maxBytes, (n) => tooLarge(n, opts.maxBytes, true), false, opts.stallMs, signal);
    return new MemorySource(bytes, res.url || url, bytes.length, contentType, res.headers);
  });
}

class RemoteSource implements ByteSource {
  fetched: number;
  constructor(
    readonly url: string,
    readonly size: number,
    /** The file's first bytes, from the opening request. */
    private head: Uint8Array,
    private opts: RemoteOptions,
    readonly contentType: string | undefined,
    readonly headers: Headers,
  ) {
    this.fetched = head.length;
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.size);
    if (start >= end) return new Uint8Array(0);
    if (end <= this.head.length) return this.head.subarray(start, end);
    this.budget(end - Math.max(start, this.head.length));
    const from = Math.max(start, this.head.length);
    const tail = await this.fetchRange(from, end);
    if (start >= this.head.length) return tail;
    const out = new Uint8Array(end - start);
    out.set(this.head.subarray(start));
    out.set(tail, this.head.length - start);
    return out;
  }

  async readAll(onChunk: (chunk: Uint8Array) => void): Promise<void> {
    if (this.size > this.opts.maxBytes) throw tooLarge(this.size, this.opts.maxBytes);
    onChunk(this.head);
    if (this.head.length >= this.size) return;
    await withTimeout(this.opts, async (signal) => {
      const res = await this.ranged(signal, this.head.length, this.size);
      await streamBody(res, this.size - this.head.length, (c) => {
        this.fetched += c.length;
        onChunk(c);
      }, this.opts.stallMs, signal);
    });
  }

  private async fetchRange(start: number, end: number): Promise<Uint8Array> {
    return withTimeout(this.opts, async (signal) => {
      const res = await this.ranged(signal, start, end);
      const bytes = await readBodyCapped(res, end - start, () => new FetchFailure('bad-response', 'the server sent more than was asked'), true, this.opts.stallMs, signal);
      this.fetched += bytes.length;
      if (bytes.length !== end - start) throw new FetchFailure('bad-response', `expected ${end - start} bytes at ${start}, received ${bytes.length}`);
      return bytes;
    });
  }

  private async ranged(signal: AbortSignal, start: number, end: number): Promise<Response> {
    const res = await request(this.url, this.opts, signal, `bytes=${start}-${end - 1}`);
    if (res.status !== 206) {
      await res.body?.cancel().catch(() => {});
      throw new FetchFailure('bad-response', `the server answered ${res.status} to a range request it had honoured before`, res.status);
    }
    const r = parseContentRange(res.headers.get('content-range'));
    if (!r || r.start !== start) {
      await res.body?.cancel().catch(() => {});
      throw new FetchFailure('bad-response', 'the server sent the wrong byte range');
    }
    return res;
  }

  /** The size cap holds for what is read piecemeal too. */
  private budget(more: number): void {
    if (this.fetched + more > this.opts.maxBytes) throw tooLarge(this.fetched + more, this.opts.maxBytes, true);
  }
}

/** Passes a body on chunk by chunk (never holding it), expecting exactly `length` bytes. */
async function streamBody(res: Response, length: number, onChunk: (c: Uint8Array) => void, stallMs: number | undefined, signal: AbortSignal): Promise<void> {
  let seen = 0;
  await readBodyCapped(
    { body: res.body, arrayBuffer: () => res.arrayBuffer() },
    length,
    () => new FetchFailure('bad-response', 'the server sent more than was asked'),
    true,
    stallMs,
    signal,
    (c) => {
      seen += c.length;
      onChunk(c);
    },
  );
  if (seen !== length) throw new FetchFailure('bad-response', `expected ${length} bytes, received ${seen}`);
}
