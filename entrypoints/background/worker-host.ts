/**
 * Where checks run. Chrome: an offscreen document (created on demand) that owns the
 * checker worker. Firefox: the background page owns the worker itself.
 */
import { WorkerRelay } from '../../lib/worker/relay';
import { compileEngine, packagedEngine } from '../../lib/worker/engine-store';
import type { CheckResultMessage } from '../../lib/messages';
import type { CheckJob } from '../../lib/worker/job';

export interface WorkerHost {
  start(job: CheckJob, settings: unknown): void;
  cancel(key: string): void;
  /** Starts the worker context ahead of its first check (the first video was seen). */
  warm(): void;
  /** Frees the worker context (it starts again with the next check). */
  close(): void;
  /** A result message from the worker context (Chrome delivers them as runtime messages). */
  deliver(msg: CheckResultMessage): void;
}

export function createWorkerHost(onResult: (msg: CheckResultMessage) => void): WorkerHost {
  if (import.meta.env.FIREFOX) {
    const relay = new WorkerRelay(() => new Worker(browser.runtime.getURL('/checker-worker.js')), onResult, () =>
      compileEngine(packagedEngine()),
    );
    return { start: (job, s) => relay.start(job, s), cancel: (k) => relay.cancel(k), warm: () => relay.warm(), close: () => relay.close({ engine: true }), deliver: onResult };
  }
  return new OffscreenHost(onResult);
}

const WATCH_MS = 2000;

/** Whether a result ends its check (no further stage will come). */
export function isFinal(msg: CheckResultMessage): boolean {
  if (msg.stage === 'preview') return false;
  return msg.stage !== 'c2pa' || msg.evidence.fingerprint !== 'pending';
}

class OffscreenHost implements WorkerHost {
  private creating: Promise<void> | undefined;
  /** Checks handed to the offscreen document that have not finished. */
  private inflight = new Map<string, CheckJob>();
  /** Jobs whose message to the offscreen document has not gone yet. */
  private sending = new Map<string, Promise<unknown>>();
  private watch: ReturnType<typeof setInterval> | undefined;

  constructor(private onResult: (msg: CheckResultMessage) => void) {}

  deliver(msg: CheckResultMessage): void {
    if (isFinal(msg)) this.inflight.delete(msg.key);
    if (!this.inflight.size) this.stopWatch();
    this.onResult(msg);
  }

  start(job: CheckJob, settings: unknown): void {
    this.inflight.set(job.key, job);
    this.watch ??= setInterval(() => void this.checkAlive(), WATCH_MS);
    const sent = this.ensure()
      .then(() => {
        // Cancelled while the document was being made: the job never goes.
        if (this.inflight.get(job.key) !== job) return;
        const send = () => browser.runtime.sendMessage({ target: 'worker-host', type: 'job', job, settings });
        // A document made by an earlier background instance may still be loading: one more try.
        return send().catch((err: Error) => {
          if (!/receiving end/i.test(String(err?.message))) throw err;
          return new Promise((r) => setTimeout(r, 250)).then(send);
        });
      })
      .catch((err) =>
        this.deliver({ type: 'check-result', key: job.key, stage: 'failed', evidence: { source: job.source, unavailable: `the checker could not start (${err?.message ?? err})` } }),
      )
      .finally(() => this.sending.get(job.key) === sent && this.sending.delete(job.key));
    this.sending.set(job.key, sent);
  }

  /**
   * A cancel must not overtake its job: the job's message waits for the offscreen document, a
   * cancel sent at once would arrive first, find nothing, and the job would then run to its end
   * (a page closed with 100 videos left 100 checks running at once).
   */
  cancel(key: string): void {
    const sending = this.sending.get(key);
    if (sending) {
      this.inflight.delete(key);
      if (!this.inflight.size) this.stopWatch();
    }
    void (sending ?? Promise.resolve()).then(() => browser.runtime.sendMessage({ target: 'worker-host', type: 'cancel', key })).catch(() => {});
  }

  warm(): void {
    void this.ensure()
      .then(() => browser.runtime.sendMessage({ target: 'worker-host', type: 'warm' }))
      .catch(() => {});
  }

  close(): void {
    if (this.inflight.size) return;
    void browser.offscreen.closeDocument().catch(() => {});
  }

  /**
   * If the offscreen document went away (closed, crashed) with checks in it, those checks
   * would never answer: report them lost, so the service runs them again or says why.
   */
  private async checkAlive(): Promise<void> {
    if (!this.inflight.size || this.creating) return;
    const url = browser.runtime.getURL('/offscreen.html');
    const alive = (await browser.runtime.getContexts({ contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] })).length > 0;
    if (alive) return;
    const lost = [...this.inflight.values()];
    this.inflight.clear();
    this.stopWatch();
    for (const job of lost) {
      this.onResult({ type: 'check-result', key: job.key, stage: 'lost', evidence: { source: job.source, unavailable: 'the checker stopped before it finished' } });
    }
  }

  private stopWatch(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
  }

  private async ensure(): Promise<void> {
    // A document being made already shows in getContexts before its script listens: wait for it
    // (the first video's warm-up starts it, and its check comes while it loads).
    if (this.creating) return this.creating;
    const url = browser.runtime.getURL('/offscreen.html');
    const contexts = await browser.runtime.getContexts({ contextTypes: [browser.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] });
    if (contexts.length) return;
    this.creating ??= browser.offscreen
      .createDocument({ url, reasons: [browser.offscreen.Reason.WORKERS], justification: 'Validate Content Credentials and hash video frames off the main thread.' })
      .catch((err: Error) => {
        if (!/single offscreen/i.test(String(err?.message))) throw err;
      })
      .finally(() => (this.creating = undefined));
    await this.creating;
  }
}
