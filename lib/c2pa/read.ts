/**
 * Reads and validates Content Credentials with c2pa-wasm. The engine (the WASM module's
 * `WasmReader`) and the blob maker are injected so the same code runs in the extension's
 * worker (real Blob, real FileReaderSync) and in Node (see `node-engine.ts`).
 */
import type { C2paEvidence } from '../verdict';
import { empty, summarizeStore } from './summarize';
import { readerContext, trustListOf, type TrustSettings } from './trust';
import { hostOf } from './remote';
import { signingChainOf } from './jumbf';
import { signerNames } from './chain';
import { BlobSource, MemorySource } from '../media/source';
import { serveToEngine } from './engine-fetch';

export interface ReaderLike {
  manifestStore(): unknown;
  free(): void;
}

export interface C2paEngine {
  fromBlob(format: string, blob: any, context?: string | null): Promise<ReaderLike>;
  /** Reads bytes already in memory from a copy in the engine's own memory (no Blob, no FileReaderSync). */
  fromBytes?(format: string, bytes: Uint8Array, context?: string | null): Promise<ReaderLike>;
  fromBlobFragment(format: string, init: any, fragment: any, context?: string | null): Promise<ReaderLike>;
  /** Wraps bytes in whatever the engine reads (a Blob in browsers). */
  blob(bytes: Uint8Array): unknown;
  /** Hands over a Blob the caller already built (browsers: as it is; Node: its bytes). */
  fromBlobObject?(blob: Blob): Promise<unknown>;
}

/**
 * Bytes up to this size are copied into the engine's memory and read there. Through a Blob the
 * engine makes a FileReaderSync call: reading video1.mp4 (828 KB) took 46-114 ms (median 62) in
 * Chromium's worker, against 20-88 ms (median 32) from a copy (12 warm checks each, interleaved
 * builds). A Blob does not spare the engine's memory: it takes the whole Blob in that one call
 * (no slices) and holds it, so a signed 18.7 MB MP4 grew WASM memory from 3.2 to 38.4 MB either
 * way (Node, c2pa-wasm 0.15): the engine cannot read a file in parts, and the relay replaces a
 * worker whose engine grew past WASM_MEMORY_LIMIT. Larger inputs still go through a Blob, which
 * keeps them in the browser's blob store rather than this process (see inspectSource).
 */
export const IN_ENGINE_READ_MAX = 8 * 1024 * 1024;

export type C2paInput =
  | { mime: string; bytes: Uint8Array }
  /** A whole file streamed into a Blob, so it is never held twice as bytes. */
  | { mime: string; blob: Blob }
  | { mime: string; init: Uint8Array; fragment: Uint8Array };

/** A manifest store the extension fetched itself, for the engine to read where the file names it. */
export interface RoutedStore {
  url: string;
  bytes: Uint8Array;
}

/**
 * Reads and validates the credentials of `input`. With `routed`, the engine may follow the file's
 * own reference to a remote store, and is served `routed.bytes` for it (lib/c2pa/engine-fetch.ts):
 * it still opens no connection.
 */
export async function readC2pa(engine: C2paEngine, input: C2paInput, trust?: TrustSettings, routed?: RoutedStore): Promise<C2paEvidence> {
  const ctx = readerContext(trust, !!routed);
  const fragmented = 'init' in input;
  let reader: ReaderLike | undefined;
  const release = routed ? serveToEngine(routed.url, routed.bytes) : undefined;
  try {
    reader =
      'init' in input
        ? await engine.fromBlobFragment(input.mime, engine.blob(input.init), engine.blob(input.fragment), ctx)
        : 'blob' in input
          ? await engine.fromBlob(input.mime, engine.fromBlobObject ? await engine.fromBlobObject(input.blob) : engine.blob(new Uint8Array(await input.blob.arrayBuffer())), ctx)
          : engine.fromBytes && input.bytes.length <= IN_ENGINE_READ_MAX
            ? await engine.fromBytes(input.mime, input.bytes, ctx)
            : await engine.fromBlob(input.mime, engine.blob(input.bytes), ctx);
    const store = reader.manifestStore();
    // Signer and CA names come from the signature's own certificate (the engine's crJSON carries
    // them too, but building it cost 8-25 ms a read of video1.mp4 in Node, more than reading the
    // store did). The chain is the one the trust list is named from.
    const label = (store as { active_manifest?: string })?.active_manifest;
    const chain = await signingChainOf(routed ? routed.bytes : 'init' in input ? input.init : 'blob' in input ? new BlobSource(input.blob) : new MemorySource(input.bytes), label);
    const evidence = summarizeStore(store as Record<string, unknown>, signerNames(chain), { trustLoaded: !!trust, fragmented });
    if (evidence.state === 'trusted') evidence.trustList = await trustListOf(trust, chain);
    return evidence;
  } catch (err) {
    return fromReadError(err);
  } finally {
    release?.();
    try {
      reader?.free();
    } catch {
      /* already freed */
    }
  }
}

/** What a thrown reader error means for the verdict. */
export function fromReadError(err: unknown): C2paEvidence {
  const raw = typeof err === 'string' ? err : ((err as Error)?.message ?? String(err));
  if (/JumbfNotFound|ProvenanceMissing|NotFound\b/.test(raw)) return empty('absent');
  if (/UnsupportedType/.test(raw)) return { ...empty('absent'), error: 'Content Credentials are not supported for this format' };
  // The file points to a manifest store kept elsewhere; the engine is told never to fetch it
  // (lib/c2pa/remote.ts decides, under the extension's network policy).
  const remote = /RemoteManifestUrl\("([^"]{1,2048})"\)/.exec(raw);
  if (remote) {
    const url = remote[1];
    return { ...empty('absent'), remote: { url, host: hostOf(url), via: 'in-file', status: 'not-fetched' } };
  }
  return { ...empty('error'), error: engineErrorWords(raw) };
}

/**
 * The engine's errors in words. Its raw text (`C2pa(Name(details))`) never reaches a badge:
 * a known name gets its sentence, an unknown one a generic sentence naming only the error kind.
 */
const ENGINE_ERROR_WORDS: Record<string, string> = {
  JumbfParseError: 'the C2PA manifest is malformed (JUMBF could not be parsed)',
  JumbfBoxNotFound: 'the C2PA manifest is incomplete (a JUMBF box is missing)',
  ClaimDecoding: 'the C2PA claim could not be decoded',
  ClaimEncoding: 'the C2PA claim could not be decoded',
  ClaimMissing: 'the C2PA manifest has no claim',
  ClaimMissingSignatureBox: 'the C2PA claim has no signature',
  ClaimInvalidContent: 'the C2PA claim is invalid',
  InvalidAsset: 'the file structure is invalid for its format',
  IoError: 'the file ended early or could not be read',
  BadParam: 'the file could not be parsed',
  CoseSignature: 'the signature is malformed',
  CoseX5ChainMissing: 'the signature carries no certificate',
  CoseInvalidCert: 'the signing certificate is malformed',
  InvalidClaim: 'the C2PA claim is invalid',
  AssertionDecoding: 'an assertion of the manifest could not be decoded',
  TooManyManifestStores: 'the file holds more than one manifest store',
  HashMismatch: 'the file changed after signing',
  RemoteManifestFetch: 'the credentials kept at another address could not be fetched',
  RemoteManifestUrl: 'the credentials are kept at another address and were not fetched',
  XmpReadError: "the file's XMP metadata could not be read",
  OperationCancelled: 'the check was cancelled',
};

export function engineErrorWords(raw: string): string {
  const first = raw.split('\n')[0].replace(/\s+/g, ' ').trim();
  const name = /^C2pa\((\w+)/.exec(first)?.[1] ?? /^(\w+)(?:\(|$)/.exec(first)?.[1];
  if (name && ENGINE_ERROR_WORDS[name]) return ENGINE_ERROR_WORDS[name];
  if (/memory|allocation/i.test(first)) return 'the C2PA reader ran out of memory on this file';
  return `the C2PA reader could not read the credentials${name && name.length <= 40 ? ` (${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()})` : ''}`;
}
