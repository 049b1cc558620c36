/**
 * A video's bytes as random access, read as little as a verdict needs: a remote file through
 * HTTP Range requests (a first ranged request learns the size and keeps the file's start), a
 * file already in memory, or a Blob. Every byte that crosses the network is counted, so a
 * verdict can say how much of the file it rests on and the benchmark can hold us to it.
 */
import { concat as concatBytes, FetchFailure, parseContentRange, readBodyCapped, request, tooLarge, withTimeout, type FetchOptions } from './fetch';

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
  /**
   * A file this small will be read whole (lib/check.ts, WHOLE_READ_MAX): the rest of it is asked for
   * as soon as the first answer's headers tell its size, while that answer's body still arrives,
   * not after it: about one round trip saved on a link with latency (`npm run bench -- remote`).
   */
  wholeBelow?: number;
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
      const total = range.total;
      const restFrom = range.end + 1;
      const ahead =
        opts.wholeBelow !== undefined && total !== undefined && restFrom < total && restFrom <= probe && total <= Math.min(opts.wholeBelow, opts.maxBytes)
          ? new RestAhead(res.url || url, opts, restFrom, total)
          : undefined;
      let head: Uint8Array;
      try {
        head = await readBodyCapped(res, probe, () => new FetchFailure('bad-response', 'the server sent more than was asked'), true, opts.stallMs, signal);
      } catch (err) {
        ahead?.cancel();
        throw err;
      }
      // Not the range its headers announced: read as usual (what the rest brought meanwhile still counts).
      if (ahead && head.length !== restFrom) ahead.cancel();
      const size = total ?? head.length;
      return new RemoteSource(res.url || url, size, head, opts, contentType, res.headers, ahead);
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

/**
 * The rest of a small file [from, size), asked for before the first answer's body is in (see
 * RemoteOptions.wholeBelow) and kept in memory: the file is read whole next.
 */
class RestAhead {
  received = 0;
  /** Called off by the source (not by the check's own cancel): its bytes still count, but are not read. */
  private calledOff = false;
  readonly chunks: Promise<Uint8Array[]>;
  private readonly ctl = new AbortController();

  constructor(url: string, opts: RemoteOptions, from: number, size: number) {
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.ctl.signal]) : this.ctl.signal;
    this.chunks = withTimeout({ ...opts, signal }, async (s) => {
      const res = await rangedRequest(url, opts, s, from, size);
      const out: Uint8Array[] = [];
      await streamBody(res, size - from, (c) => {
        this.received += c.length;
        out.push(c);
      }, opts.stallMs, s);
      return out;
    });
    this.chunks.catch(() => {}); // read by the source; one called off is never read
  }

  cancel(): void {
    this.calledOff = true;
    this.ctl.abort();
  }

  get usable(): boolean {
    return !this.calledOff;
  }
}

class RemoteSource implements ByteSource {
  /** Bytes fetched after the opening request, the rest fetched ahead aside. */
  private more = 0;
  private whole: Promise<Uint8Array> | undefined;
  constructor(
    readonly url: string,
    readonly size: number,
    /** The file's first bytes, from the opening request. */
    private head: Uint8Array,
    private opts: RemoteOptions,
    readonly contentType: string | undefined,
    readonly headers: Headers,
    /** The rest of a small file, already asked for (read unless called off; counted either way). */
    private ahead?: RestAhead,
  ) {}

  get fetched(): number {
    return this.head.length + this.more + (this.ahead?.received ?? 0);
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.size);
    if (start >= end) return new Uint8Array(0);
    if (end <= this.head.length) return this.head.subarray(start, end);
    if (this.ahead?.usable) {
      this.whole ??= this.ahead.chunks.then((rest) => concatBytes([this.head, ...rest]));
      return (await this.whole).subarray(start, end);
    }
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
    if (this.ahead?.usable) {
      for (const c of await this.ahead.chunks) onChunk(c);
      return;
    }
    await withTimeout(this.opts, async (signal) => {
      const res = await rangedRequest(this.url, this.opts, signal, this.head.length, this.size);
      await streamBody(res, this.size - this.head.length, (c) => {
        this.more += c.length;
        onChunk(c);
      }, this.opts.stallMs, signal);
    });
  }

  private async fetchRange(start: number, end: number): Promise<Uint8Array> {
    return withTimeout(this.opts, async (signal) => {
      const res = await rangedRequest(this.url, this.opts, signal, start, end);
      const bytes = await readBodyCapped(res, end - start, () => new FetchFailure('bad-response', 'the server sent more than was asked'), true, this.opts.stallMs, signal);
      this.more += bytes.length;
      if (bytes.length !== end - start) throw new FetchFailure('bad-response', `expected ${end - start} bytes at ${start}, received ${bytes.length}`);
      return bytes;
    });
  }

  /** The size cap holds for what is read piecemeal too. */
  private budget(more: number): void {
    if (this.fetched + more > this.opts.maxBytes) throw tooLarge(this.fetched + more, this.opts.maxBytes, true);
  }
}

/** Bytes [start, end) of a file whose server honoured Range before. */
async function rangedRequest(url: string, opts: FetchOptions, signal: AbortSignal, start: number, end: number): Promise<Response> {
  const res = await request(url, opts, signal, `bytes=${start}-${end - 1}`);
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
