/**
 * c2pa-wasm in Node (CLI and unit tests). The reader pulls bytes through `FileReaderSync`,
 * which only workers have; in Node we hand it a blob-like over a Uint8Array and a matching
 * FileReaderSync that returns those bytes synchronously.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';
import type { C2paEngine } from './read';

class BytesBlob {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  slice(start?: number, end?: number): BytesBlob {
    return new BytesBlob(this.bytes.subarray(start, end));
  }
}

let engine: C2paEngine | undefined;

export function nodeC2paEngine(): C2paEngine {
  if (engine) return engine;
  const g = globalThis as Record<string, unknown>;
  g.FileReaderSync ??= class {
    readAsArrayBuffer(b: BytesBlob): ArrayBuffer {
      return b.bytes.slice().buffer as ArrayBuffer;
    }
  };
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
  engine = {
    fromBlob: (format, blob, ctx) => WasmReader.fromBlob(format, blob, ctx),
    fromBytes: (format, bytes, ctx) => WasmReader.fromBytes(format, bytes, ctx),
    fromBlobFragment: (format, init, fragment, ctx) => WasmReader.fromBlobFragment(format, init, fragment, ctx),
    blob: (bytes) => new BytesBlob(bytes),
  };
  return engine;
}
