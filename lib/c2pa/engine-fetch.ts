/**
 * The C2PA engine's network access, routed through the extension. c2pa-wasm follows a file's own
 * reference to a remote manifest store (XMP `dcterms:provenance`) by calling the global `fetch`
 * with a `Request` it builds; that is the only way to have it validate a store kept apart from a
 * JPEG, PNG… against the file's bytes. So the global `fetch` of the realm the engine runs in (the
 * checker worker; Node for the CLI) is wrapped once:
 * - a `Request` object is the engine's: it is answered from the stores the extension fetched
 *   itself (through its capped, timed, cookie-less fetch, under the user's remote-host setting)
 *   and registered with `serveToEngine`; any other address is refused, with no connection made;
 * - everything else (the extension's own fetches pass an address string) goes to the real fetch.
 * The engine is asked to follow references only in a read that has a store registered
 * (`readerContext(trust, true)`); every other read keeps `remote_manifest_fetch` off.
 */

const served = new Map<string, { bytes: Uint8Array; users: number }>();
let installedOn: object | undefined;

/** Refusal for any address the extension did not fetch itself. */
export const ENGINE_FETCH_REFUSED = 'the C2PA reader may only read remote credentials the extension fetched itself';

function key(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** Wraps `scope.fetch` (once per realm) so the engine's requests are answered from `served`. */
export function installEngineFetch(scope: { fetch: typeof fetch } = globalThis): void {
  if (installedOn === scope) return;
  installedOn = scope;
  const real = scope.fetch?.bind(scope);
  scope.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (typeof Request !== 'undefined' && input instanceof Request) {
      const hit = served.get(key(input.url));
      if (!hit) throw new TypeError(ENGINE_FETCH_REFUSED);
      const res = new Response(hit.bytes.slice(), { status: 200, headers: { 'content-type': 'application/c2pa' } });
      Object.defineProperty(res, 'url', { value: input.url }); // the engine reads the final address
      return res;
    }
    if (!real) throw new TypeError('fetch is not available');
    return real(input, init);
  };
}

/** Lets the engine read `bytes` as the store at `url` until the returned function is called. */
export function serveToEngine(url: string, bytes: Uint8Array): () => void {
  installEngineFetch();
  const k = key(url);
  const entry = served.get(k) ?? { bytes, users: 0 };
  entry.bytes = bytes;
  entry.users++;
  served.set(k, entry);
  return () => {
    if (--entry.users <= 0 && served.get(k) === entry) served.delete(k);
  };
}
