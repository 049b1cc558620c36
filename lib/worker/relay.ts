/**
 * Owns the checker worker for a host page: starts jobs, relays stage results as
 * `check-result` messages, and if the worker dies, restarts it and reports its jobs failed
 * (so no verdict waits forever on a worker that is gone).
 */
import type { CheckResultMessage } from '../messages';
import type { CheckJob } from './job';
import type { FromWorker, ToWorker } from './entry';

/**
 * WebAssembly memory only grows: after a large file the reader keeps what it took. Past this
 * size an idle worker is replaced by a fresh one, giving the memory back.
 */
export const WASM_MEMORY_LIMIT = 64 * 1024 * 1024;

export class WorkerRelay {
  private worker: Worker | undefined;
  private jobs = new Map<string, CheckJob>();
  /** The compiled engine, kept while this host lives: a replaced worker does not compile it again. */
  private module: Promise<WebAssembly.Module | undefined> | undefined;

  constructor(
    private spawn: () => Worker,
    private emit: (msg: CheckResultMessage) => void,
    /** Compiles the C2PA engine once (see engine-store.ts); without it, each worker compiles its own. */
    private compile?: () => Promise<WebAssembly.Module>,
  ) {}

  get running(): number {
    return this.jobs.size;
  }

  start(job: CheckJob, settings: unknown): void {
    this.jobs.set(job.key, job);
    this.ensure().postMessage({ type: 'job', job, settings } satisfies ToWorker);
  }

  /** Starts the worker (and its C2PA engine) before the first job needs it. */
  warm(): void {
    this.ensure();
  }

  cancel(key: string): void {
    this.worker?.postMessage({ type: 'cancel', key } satisfies ToWorker);
  }

  /**
   * Ends an idle worker to give its memory back; the next job starts a new one. `engine: true`
   * also lets the compiled engine go (the extension idles down), not only the worker's memory.
   */
  close(o: { engine?: boolean } = {}): void {
    if (this.jobs.size) return;
    this.worker?.terminate();
    this.worker = undefined;
    if (o.engine) this.module = undefined;
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.spawn();
    // Compiling starts with the worker (both take a while) and is done once per host.
    this.module ??= this.compile?.().catch(() => undefined);
    void Promise.resolve(this.module).then((module) => this.worker === w && w.postMessage({ type: 'engine', module } satisfies ToWorker));
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      const job = this.jobs.get(m.key);
      if (!job) return;
      if (m.type === 'result') this.emit({ type: 'check-result', key: m.key, stage: m.stage, evidence: m.evidence });
      else {
        this.jobs.delete(m.key);
        if ((m.wasmBytes ?? 0) > WASM_MEMORY_LIMIT && !this.jobs.size) this.close();
        // The checker's own error text is for the console, not the badge: the badge gets words.
        if (m.error) {
          console.warn('Provenance Lens: check failed', m.error);
          this.emit({ type: 'check-result', key: m.key, stage: 'failed', evidence: { source: job.source, unavailable: 'the checker failed on this video (an internal error); try again later' } });
        }
      }
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      console.warn('Provenance Lens: the checker stopped', e.message);
      this.lose('the checker stopped unexpectedly');
    };
    this.worker = w;
    return w;
  }

  /** The worker died: its checks are reported lost (the service runs them again once). */
  private lose(reason: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const job of jobs) this.emit({ type: 'check-result', key: job.key, stage: 'lost', evidence: { source: job.source, unavailable: reason } });
  }
}
