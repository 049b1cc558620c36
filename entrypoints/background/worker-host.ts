/**
 * Where checks run. Chrome: an offscreen document (created on demand) that owns the
 * checker worker. Firefox: the background page owns the worker itself.
 */
import { WorkerRelay } from '../../lib/worker/relay';
import type { CheckResultMessage } from '../../lib/messages';
import type { CheckJob } from '../../lib/worker/job';

export interface WorkerHost {
  start(job: CheckJob, settings: unknown): void;
  cancel(key: string): void;
  /** Frees the worker context (it starts again with the next check). */
  close(): void;
}

export function createWorkerHost(onResult: (msg: CheckResultMessage) => void): WorkerHost {
  if (import.meta.env.FIREFOX) {
    const relay = new WorkerRelay(() => new Worker(browser.runtime.getURL('/checker-worker.js')), onResult);
    return { start: (job, s) => relay.start(job, s), cancel: (k) => relay.cancel(k), close: () => relay.close() };
  }
  return new OffscreenHost(onResult);
}

class OffscreenHost implements WorkerHost {
  private creating: Promise<void> | undefined;

  constructor(private onResult: (msg: CheckResultMessage) => void) {}

  start(job: CheckJob, settings: unknown): void {
    this.ensure()
      .then(() => browser.runtime.sendMessage({ target: 'worker-host', type: 'job', job, settings }))
      .catch((err) =>
        this.onResult({ type: 'check-result', key: job.key, stage: 'failed', evidence: { source: job.source, unavailable: `the checker could not start (${err?.message ?? err})` } }),
      );
  }

  cancel(key: string): void {
    void browser.runtime.sendMessage({ target: 'worker-host', type: 'cancel', key }).catch(() => {});
  }

  close(): void {
    void browser.offscreen.closeDocument().catch(() => {});
  }

  private async ensure(): Promise<void> {
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
