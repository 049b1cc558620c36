import { describe, expect, it, vi } from 'vitest';
import { compileEngine, engineCopyName, ENGINE_CACHE, packagedEngine, type EngineSource } from '../../../lib/worker/engine-store';

/** A WebAssembly module with one export, so a test can tell which bytes were compiled. */
function wasmExporting(name: string): Uint8Array {
  const n = [...new TextEncoder().encode(name)];
  // type () -> (); one function; export "name" as func 0; body: end.
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
    0x07, n.length + 4, 0x01, n.length, ...n, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
  ]);
}
const wasmResponse = (bytes: Uint8Array) => new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/wasm' } });
const exportsOf = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name);

/** Cache Storage as far as the engine store uses it, in memory; `broken` makes every call fail. */
class MemoryCaches {
  caches = new Map<string, Map<string, Uint8Array>>();
  broken = false;
  async open(cacheName: string): Promise<Cache> {
    if (this.broken) throw new Error('storage is not available');
    const entries = this.caches.get(cacheName) ?? new Map<string, Uint8Array>();
    this.caches.set(cacheName, entries);
    const url = (r: RequestInfo | URL) => (typeof r === 'string' ? r : r instanceof URL ? r.href : r.url);
    return {
      match: async (r: RequestInfo | URL) => (entries.has(url(r)) ? wasmResponse(entries.get(url(r))!) : undefined),
      put: async (r: RequestInfo | URL, res: Response) => void entries.set(url(r), new Uint8Array(await res.arrayBuffer())),
      delete: async (r: RequestInfo | URL) => entries.delete(url(r)),
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
    } as unknown as Cache;
  }
  entries(): Map<string, Uint8Array> {
    if (!this.caches.has(ENGINE_CACHE)) this.caches.set(ENGINE_CACHE, new Map());
    return this.caches.get(ENGINE_CACHE)!;
  }
}

function setup(o: { packaged?: Uint8Array; status?: number } = {}) {
  const caches = new MemoryCaches();
  const packaged = o.packaged ?? wasmExporting('packaged');
  const fetched: string[] = [];
  const src: EngineSource = {
    url: 'chrome-extension://abc/c2pa.wasm',
    id: 'build-2',
    caches,
    fetch: (async (u: string) => {
      fetched.push(u);
      return o.status ? new Response('gone', { status: o.status }) : wasmResponse(packaged);
    }) as typeof fetch,
  };
  return { caches, src, fetched, packaged };
}
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('the C2PA engine copy', () => {
  it('without a copy: compiles the packaged file and keeps its bytes under this build’s name, dropping other builds’', async () => {
    const { caches, src, fetched, packaged } = setup();
    caches.entries().set(engineCopyName('build-1'), wasmExporting('old'));
    expect(exportsOf(await compileEngine(src))).toEqual(['packaged']);
    expect(fetched).toEqual([src.url]);
    await settle();
    expect([...caches.entries().keys()]).toEqual([engineCopyName('build-2')]);
    expect(caches.entries().get(engineCopyName('build-2'))).toEqual(packaged);
  });

  it('with a copy: compiles it and does not read the package', async () => {
    const { caches, src, fetched } = setup();
    caches.entries().set(engineCopyName('build-2'), wasmExporting('kept'));
    expect(exportsOf(await compileEngine(src))).toEqual(['kept']);
    expect(fetched).toEqual([]);
  });

  it('a copy that does not compile is dropped: the packaged file is compiled and copied again', async () => {
    const { caches, src, fetched, packaged } = setup();
    caches.entries().set(engineCopyName('build-2'), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]));
    expect(exportsOf(await compileEngine(src))).toEqual(['packaged']);
    expect(fetched).toEqual([src.url]);
    await settle();
    expect(caches.entries().get(engineCopyName('build-2'))).toEqual(packaged);
  });

  it('Cache Storage failing or absent: the packaged file, every time', async () => {
    const { caches, src, fetched } = setup();
    caches.broken = true;
    expect(exportsOf(await compileEngine(src))).toEqual(['packaged']);
    expect(exportsOf(await compileEngine({ ...src, caches: undefined }))).toEqual(['packaged']);
    expect(fetched).toHaveLength(2);
  });

  it('a packaged file that cannot be read fails the compile (and leaves no copy)', async () => {
    const { caches, src } = setup({ status: 404 });
    await expect(compileEngine(src)).rejects.toThrow();
    await settle();
    expect(caches.entries().size).toBe(0);
  });

  it('a build without an engine id keeps no copy (an unnamed copy could outlive its engine)', () => {
    // Cache Storage present, as in the extension (Node has none): only the missing id keeps it unused.
    vi.stubGlobal('caches', new MemoryCaches());
    try {
      const src = packagedEngine('chrome-extension://abc/offscreen.html');
      expect(src.url).toBe('chrome-extension://abc/c2pa.wasm');
      expect(src.caches).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
