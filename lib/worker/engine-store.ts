/**
 * The C2PA engine's bytes, and a copy of them kept in Cache Storage for a quick start.
 *
 * Why a copy: Chromium hands out a chrome-extension:// file at about 15-30 MB/s here, so reading
 * the 9 MB `c2pa.wasm` from the package took 320-590 ms in an idle extension page (reading and
 * compiling took about 900 ms beside a starting worker), while compiling it is lazy: 50-70 ms.
 * The same bytes read from Cache Storage in 70-85 ms (Chromium 156); a check whose engine had to
 * start came about 130 ms sooner (6 interleaved runs each). The copy is made by the first
 * compile that finds none, from the bytes it reads anyway. Not at install: the service worker
 * that made it kept 0.8-1 MiB more while idle (measured), for a gain only to the first check
 * after an install or update.
 *
 * Safety: only the extension's own pages and workers can write its Cache Storage. The copy is
 * named by the build's engine id (a digest of the file, from wxt.config.ts), so an updated
 * extension never compiles an older engine; a copy that does not compile is dropped and the
 * package's file is used.
 */

/** Where the build puts the engine: the extension root (see wxt.config.ts). */
export const ENGINE_FILE = '/c2pa.wasm';

/** The Cache Storage cache that holds the engine copy (nothing else is kept there). */
export const ENGINE_CACHE = 'provenance-lens-engine';

export interface EngineSource {
  /** The packaged file (`/c2pa.wasm`, copied to the extension root at build time). */
  url: string;
  /** This build's engine id: the copy's name. */
  id: string;
  /** Cache Storage, where the context has it (absent in Node; a failing one is treated as absent). */
  caches?: Pick<CacheStorage, 'open'>;
  fetch?: typeof fetch;
}

/** The request a copy is kept under. Never fetched: Cache Storage only takes http(s) names. */
export function engineCopyName(id: string): string {
  return `https://c2pa-engine.invalid/${encodeURIComponent(id)}.wasm`;
}

/**
 * Compiles the engine: from the kept copy when there is one, else from the package, keeping a
 * copy of those bytes for the next start.
 *
 * From bytes, not `compileStreaming`: the streamed module kept about 9 MiB more in the extension's
 * process (warm checker +32 → +23 MiB; a 100-video page's peak 179–183 → 169–174 MiB, Chromium 156,
 * fresh browser with the copy present), with no difference in the time to a first badge
 * (8 interleaved cold runs each: medians about 1850 ms either way, ranges overlapping).
 */
export async function compileEngine(src: EngineSource): Promise<WebAssembly.Module> {
  const doFetch = src.fetch ?? fetch;
  const cache = await openCache(src);
  const name = engineCopyName(src.id);
  const kept = await cache?.match(name).catch(() => undefined);
  if (kept) {
    try {
      return await WebAssembly.compile(await kept.arrayBuffer());
    } catch {
      await cache!.delete(name).catch(() => false);
    }
  }
  const res = await doFetch(src.url);
  if (!res.ok) throw new Error(`the C2PA engine could not be read (${res.status})`);
  const bytes = await res.arrayBuffer();
  // The copy does not hold the compile back.
  if (cache) void keep(cache, name, new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
  return WebAssembly.compile(bytes);
}

async function openCache(src: EngineSource): Promise<Cache | undefined> {
  try {
    return await src.caches?.open(ENGINE_CACHE);
  } catch {
    return undefined; // e.g. storage blocked: the package's file is used every time
  }
}

/** Keeps `res` as the copy and drops other builds' copies; a failure only means no copy. */
async function keep(cache: Cache, name: string, res: Response): Promise<void> {
  try {
    await cache.put(name, res);
    await dropOthers(cache, name);
  } catch {
    // e.g. the disk is full: the next start reads the package again
  }
}

async function dropOthers(cache: Cache, name: string): Promise<void> {
  for (const req of await cache.keys().catch(() => [] as readonly Request[])) {
    if (req.url !== name) await cache.delete(req).catch(() => false);
  }
}

/**
 * The extension's own engine, for any of its pages or workers: the packaged file, named by the
 * build's engine id (`import.meta.env.C2PA_ENGINE_ID`, set by wxt.config.ts). A build without an
 * id keeps no copy.
 */
export function packagedEngine(base = globalThis.location.href): EngineSource {
  const url = new URL(ENGINE_FILE, base).href;
  const id: unknown = import.meta.env?.C2PA_ENGINE_ID;
  return typeof id === 'string' && id ? { url, id, caches: globalThis.caches } : { url, id: '' };
}
