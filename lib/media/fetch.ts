/**
 * Fetching a video's bytes from the extension side (never the content script): a first
 * Range request learns the size, so a file over the cap is refused before it is downloaded;
 * servers that ignore Range are read as a stream and cut off at the cap.
 */
import { fmtBytes } from './bmff';

export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
const DEFAULT_PROBE = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A download that sends nothing for this long has stalled: it gives up in seconds, not minutes. */
export const DEFAULT_STALL_MS = 10_000;
/** How much must arrive within each stall window for a download to count as moving. */
const STALL_PROGRESS_BYTES = 16 * 1024;

export type FetchFailureKind = 'http' | 'network' | 'too-large' | 'timeout' | 'aborted' | 'bad-response';

export class FetchFailure extends Error {
  override name = 'FetchFailure';
  constructor(
    readonly kind: FetchFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface FetchOptions {
  maxBytes?: number;
  /** Size of the first ranged request. */
  probeBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  /** Headers sent with every request (e.g. none; never cookies). */
  headers?: Record<string, string>;
  /** Longest wait for an answer or for the next bytes of a body (default DEFAULT_STALL_MS). */
  stallMs?: number;
}

export interface Fetched {
  bytes: Uint8Array;
  /** Total size of the resource, as the server declared it. */
  total: number;
  contentType?: string;
  /** Whether the server honoured Range. */
  ranged: boolean;
  /** Final address after redirects. */
  url: string;
  /** The response's `Link` header (it may name a remote C2PA manifest). */
  link?: string;
}

export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<Fetched> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const probe = Math.max(1, Math.min(opts.probeBytes ?? DEFAULT_PROBE, maxBytes));
  return withTimeout(opts, async (signal) => {
    const first = await request(url, opts, signal, `bytes=0-${probe - 1}`);
    if (first.status === 206) {
      const range = parseContentRange(first.headers.get('content-range'));
      if (!range) throw new FetchFailure('bad-response', 'the server sent a partial answer without a valid Content-Range');
      if (range.start !== 0) throw new FetchFailure('bad-response', `the server sent bytes from ${range.start}, not from the start`);
      const total = range.total ?? -1;
      if (total > maxBytes) {
        await first.body?.cancel();
        throw tooLarge(total, maxBytes);
      }
      const head = await readCapped(first, maxBytes, false, opts, signal);
      const known = total >= 0 ? total : head.length;
      if (head.length >= known || total < 0) {
        return { bytes: head, total: head.length, contentType: first.headers.get('content-type') ?? undefined, ranged: true, url: first.url || url, link: first.headers.get('link') ?? undefined };
      }
      const rest = await request(url, opts, signal, `bytes=${head.length}-${known - 1}`);
      if (rest.status !== 206) {
        await rest.body?.cancel();
        throw new FetchFailure('bad-response', `the server answered ${rest.status} to the second range request`, rest.status);
      }
      const r2 = parseContentRange(rest.headers.get('content-range'));
      if (!r2 || r2.start !== head.length) throw new FetchFailure('bad-response', 'the server sent the wrong byte range');
      const tail = await readCapped(rest, maxBytes - head.length, false, opts, signal);
      const bytes = concat([head, tail]);
      if (bytes.length !== known) throw new FetchFailure('bad-response', `expected ${known} bytes, received ${bytes.length}`);
      return { bytes, total: known, contentType: first.headers.get('content-type') ?? undefined, ranged: true, url: first.url || url, link: first.headers.get('link') ?? undefined };
    }
    // 200: Range ignored. Refuse early when the declared length is over the cap, else stream with a cap.
    const declared = Number(first.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await first.body?.cancel();
      throw tooLarge(declared, maxBytes);
    }
    const bytes = await readCapped(first, maxBytes, false, opts, signal);
    return { bytes, total: bytes.length, contentType: first.headers.get('content-type') ?? undefined, ranged: false, url: first.url || url, link: first.headers.get('link') ?? undefined };
  });
}

/** One byte range (inclusive `end`), e.g. an fMP4 init segment or a box header. */
export async function fetchRange(url: string, start: number, end: number, opts: FetchOptions = {}): Promise<Uint8Array> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  return withTimeout(opts, async (signal) => {
    const res = await request(url, opts, signal, `bytes=${start}-${end}`);
    if (res.status === 200) {
      // A server without Range support: read up to what we need, then stop.
      const all = await readCapped(res, Math.min(maxBytes, end + 1), true, opts, signal);
      return all.subarray(start, end + 1);
    }
    return readCapped(res, Math.min(maxBytes, end - start + 1), true, opts, signal);
  });
}

/**
 * A whole small text resource (playlists, trust lists, hash lists), capped. With conditional
 * headers in `opts.headers`, a 304 answer comes back as `status: 304` and empty text.
 */
export async function fetchText(url: string, opts: FetchOptions = {}): Promise<{ status: number; text: string; url: string; headers: Headers }> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return withTimeout(opts, async (signal) => {
    const res = await request(url, opts, signal, undefined, true);
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 304, text: '', url: res.url || url, headers: res.headers };
    }
    const bytes = await readCapped(res, maxBytes, false, opts, signal);
    return { status: res.status, text: new TextDecoder().decode(bytes), url: res.url || url, headers: res.headers };
  });
}

export async function request(url: string, opts: FetchOptions, signal: AbortSignal, range?: string, allowNotModified = false): Promise<Response> {
  const f = opts.fetchImpl ?? fetch;
  let res: Response;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  let stalled = false;
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    stalled = true;
    ctl.abort();
  }, stallMs);
  try {
    res = await f(url, {
      method: 'GET',
      headers: { ...(opts.headers ?? {}), ...(range ? { Range: range } : {}) },
      credentials: 'omit',
      redirect: 'follow',
      cache: allowNotModified ? 'no-store' : 'default',
      signal: ctl.signal,
    });
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    if (stalled) throw new FetchFailure('timeout', `${hostOf(url)} did not answer within ${Math.round(stallMs / 1000)} s`);
    throw new FetchFailure('network', `could not reach ${hostOf(url)} (${(err as Error)?.message ?? 'network error'})`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  if (res.status === 416 && range) {
    // An empty resource answers 416 to any range: read it plainly.
    await res.body?.cancel();
    return request(url, opts, signal);
  }
  if (res.status === 304 && allowNotModified) return res;
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new FetchFailure('http', `the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, res.status);
  }
  return res;
}

async function readCapped(res: Response, cap: number, truncate = false, opts?: FetchOptions, signal?: AbortSignal): Promise<Uint8Array> {
  return readBodyCapped(res, cap, (n) => tooLarge(n, cap, true), truncate, opts?.stallMs, signal);
}

/** What a body reader needs of a response (a fetch Response, or a test double). */
export interface BodyLike {
  body?: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Reads a body, never more than `cap` bytes: past it, either stops there (`truncate`) or
 * cancels the stream and throws `tooLarge(bytesSeen)`. A body that sends nothing for
 * `stallMs` is cancelled as stalled. With `onChunk`, chunks are handed on, not kept.
 */
export async function readBodyCapped(
  res: BodyLike,
  cap: number,
  tooLarge: (seen: number) => Error,
  truncate = false,
  stallMs: number = DEFAULT_STALL_MS,
  signal?: AbortSignal,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<Uint8Array> {
  if (!res.body) {
    const all = new Uint8Array(await res.arrayBuffer());
    if (all.length > cap && !truncate) throw tooLarge(all.length);
    const out = all.subarray(0, cap);
    if (onChunk) onChunk(out);
    return onChunk ? new Uint8Array(0) : out;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  const keep = (c: Uint8Array) => (onChunk ? onChunk(c) : chunks.push(c));
  let n = 0;
  // Progress, not mere activity, keeps a download alive: a server trickling a byte now and
  // then is as stalled as a silent one.
  let deadline = Date.now() + stallMs;
  let progress = 0;
  for (;;) {
    const { done, value } = await readWithin(reader, Math.max(1, deadline - Date.now()), stallMs, signal);
    if (done) break;
    progress += value.length;
    if (progress >= STALL_PROGRESS_BYTES) {
      progress = 0;
      deadline = Date.now() + stallMs;
    }
    n += value.length;
    if (n > cap) {
      await reader.cancel().catch(() => {});
      if (truncate) {
        keep(value.subarray(0, value.length - (n - cap)));
        return onChunk ? new Uint8Array(0) : concat(chunks);
      }
      throw tooLarge(n);
    }
    keep(value);
  }
  return onChunk ? new Uint8Array(0) : concat(chunks);
}

/** One read of a body, abandoned (and the body cancelled) when nothing arrives for `stallMs` or the check is cancelled. */
function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, waitMs: number, stallMs: number, signal?: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array>> {
  return new Promise((resolve, reject) => {
    const stop = (err: Error) => {
      cleanup();
      void reader.cancel().catch(() => {});
      reject(err);
    };
    const timer = setTimeout(() => stop(new FetchFailure('timeout', `the server stopped sending (under ${STALL_PROGRESS_BYTES / 1024} KB in ${Math.round(stallMs / 1000)} s)`)), waitMs);
    const onAbort = () => stop(abortReason(signal!));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (r) => {
        cleanup();
        resolve(r);
      },
      (e) => {
        cleanup();
        reject(e);
      },
    );
  });
}

export async function withTimeout<T>(opts: FetchOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => ctl.abort(new FetchFailure('timeout', `no complete answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const onAbort = () => ctl.abort(new FetchFailure('aborted', 'the check was cancelled'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(ctl.signal);
  } catch (err) {
    if (ctl.signal.aborted && !(err instanceof FetchFailure && err.kind !== 'network')) throw abortReason(ctl.signal);
    if (err instanceof FetchFailure) throw err;
    if (ctl.signal.aborted) throw abortReason(ctl.signal);
    throw new FetchFailure('network', `the download failed (${(err as Error)?.message ?? err})`);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function abortReason(signal: AbortSignal): FetchFailure {
  return signal.reason instanceof FetchFailure ? signal.reason : new FetchFailure('aborted', 'the check was cancelled');
}

export function tooLarge(size: number, cap: number, atLeast = false): FetchFailure {
  return new FetchFailure('too-large', `the video is ${atLeast ? 'more than ' : ''}${fmtBytes(size)}, over the ${fmtBytes(cap)} limit set in the options`);
}

export function parseContentRange(h: string | null): { start: number; end: number; total?: number } | undefined {
  const m = h && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}
