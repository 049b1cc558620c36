/** Worker-side wiring: WASM start-up, trust and upload loading from IndexedDB, job dispatch. */
import init, { WasmReader } from '@contentauth/c2pa-wasm';
import type { C2paEngine } from '../c2pa/read';
import { loadTrustState } from '../background/trust-store';
import { sanitizeSettings } from '../settings';
import { db } from '../db';
import { ListStore } from '../lists/store';
import { ENGINE_FILE } from './engine-store';
import { runJob, type CheckJob, type CheckStage, type FrameInput, type FramesResult } from './job';
import { resolveHls } from '../media/hls';
import { fingerprintVideoBytes } from '../fingerprint/browser-frames';
import { fingerprintFromMoov } from '../fingerprint/partial';
import type { TrustSettings } from '../c2pa/trust';
import type { FrameHash } from '../verdict';

/** The parts of a dedicated worker's global scope the checker uses. */
export interface WorkerScope {
  location: { href: string };
  postMessage(msg: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

export type ToWorker =
  | { type: 'job'; job: CheckJob; settings: unknown }
  | { type: 'cancel'; key: string }
  /**
   * The C2PA engine, compiled once by the host page and kept there (lib/worker/relay.ts): a fresh
   * worker instantiates it without compiling again. Without a module, the worker compiles the file.
   */
  | { type: 'engine'; module?: WebAssembly.Module };
export type FromWorker =
  | { type: 'result'; key: string; stage: CheckStage; evidence: import('../verdict').Evidence }
  /** `wasmBytes`: the size the C2PA reader's WebAssembly memory has grown to (it never shrinks). */
  | { type: 'done'; key: string; error?: string; wasmBytes?: number };

export function startCheckerWorker(scope: WorkerScope): void {
  // Instantiated when the host hands over the compiled module (its first message); only checks that
  // read Content Credentials wait for it — a structure-only answer needs no WASM.
  let instance: Awaited<ReturnType<typeof init>> | undefined;
  let haveEngine: (m: WebAssembly.Module | undefined) => void;
  const ready = new Promise<WebAssembly.Module | undefined>((r) => (haveEngine = r)).then(async (module) => {
    instance = await init({ module_or_path: module ?? new URL(ENGINE_FILE, scope.location.href) });
    return instance;
  });
  ready.catch(() => {}); // a failed start is reported by the checks that need the engine
  const engine: C2paEngine = {
    fromBlob: async (f, b, c) => (await ready, WasmReader.fromBlob(f, b, c)),
    fromBytes: async (f, b, c) => (await ready, WasmReader.fromBytes(f, b, c)),
    fromBlobFragment: async (f, i, fr, c) => (await ready, WasmReader.fromBlobFragment(f, i, fr, c)),
    blob: (bytes) => new Blob([bytes as Uint8Array<ArrayBuffer>]),
    fromBlobObject: async (blob) => blob,
  };
  const running = new Map<string, AbortController>();
  let trustCache: { version: string | null; settings: TrustSettings | undefined } | undefined;
  let lists: Promise<ListStore> | undefined;

  scope.onmessage = async (e: MessageEvent<ToWorker>) => {
    const msg = e.data;
    if (msg.type === 'cancel') {
      running.get(msg.key)?.abort();
      return;
    }
    if (msg.type === 'engine') {
      haveEngine(msg.module);
      return;
    }
    const { job } = msg;
    const ctl = new AbortController();
    running.set(job.key, ctl);
    try {
      await runJob(
        job,
        {
          c2pa: engine,
          trust: async (version) => {
            if (!version) return undefined;
            if (trustCache?.version !== version) {
              lists ??= ListStore.open();
              const state = await loadTrustState(await lists, sanitizeSettings(msg.settings));
              trustCache = { version: state.version, settings: state.settings };
            }
            return trustCache.settings;
          },
          loadUpload: async (id) => {
            const d = await db();
            const up = await d.get('uploads', id);
            if (!up) return undefined;
            await d.delete('uploads', id);
            return new Uint8Array(await up.blob.arrayBuffer());
          },
          fingerprint: await loadFingerprinter(),
          resolveHls,
          remotePolicy: { allowOtherHosts: sanitizeSettings(msg.settings).remoteManifestsAnyHost },
          post: (stage, evidence) => scope.postMessage({ type: 'result', key: job.key, stage, evidence } satisfies FromWorker),
        },
        ctl.signal,
      );
      scope.postMessage({ type: 'done', key: job.key, wasmBytes: instance?.memory.buffer.byteLength } satisfies FromWorker);
    } catch (err) {
      scope.postMessage({ type: 'done', key: job.key, error: (err as Error)?.message ?? String(err) } satisfies FromWorker);
    } finally {
      running.delete(job.key);
    }
  };
}

/**
 * Frames via WebCodecs + mp4box (lib/fingerprint/browser-frames.ts): the same hashes as the
 * CLI's ffmpeg pipeline. One video is decoded at a time — a decoder and its frame pool are the
 * largest memory a check takes — while the other checks' downloads and C2PA reads go on.
 */
let decoding: Promise<unknown> = Promise.resolve();
async function loadFingerprinter() {
  return (input: FrameInput, signal: AbortSignal, onHash?: (h: FrameHash) => void): Promise<FramesResult> => {
    const run = decoding.catch(() => {}).then(() => fingerprintInput(input, signal, onHash));
    decoding = run;
    return run;
  };
}

async function fingerprintInput(input: FrameInput, signal: AbortSignal, onHash?: (h: FrameHash) => void): Promise<FramesResult> {
  if (input.kind === 'bytes') {
    const fp = await fingerprintVideoBytes(input.bytes, { signal, onHash });
    return { ...fp, basis: { from: 'file', mode: input.mode, seconds: input.mode === 'whole' ? fp.info.duration : lastTime(fp.frames) + 1, count: fp.frames.length } };
  }
  const fp = await fingerprintFromMoov(input.moov, input.source, input.budget, { signal, onHash });
  return { ...fp, basis: { from: 'file', mode: fp.plan.mode, seconds: fp.plan.seconds, count: fp.frames.length } };
}

function lastTime(frames: { t: number }[]): number {
  return frames.reduce((m, f) => Math.max(m, f.t), 0);
}
