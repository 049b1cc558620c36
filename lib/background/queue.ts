/**
 * The check queue: de-duplicates by media key, runs at most `concurrency` checks at once,
 * visible videos first, and never lets a check hold its slot forever (a deadline frees it
 * and reports the check as failed, so no badge stays on "checking").
 *
 * Fairness: jobs belong to a group (the tab that asked) and an origin (the page that showed the
 * video). Among equal priorities the group with the fewest running checks goes first, then the
 * origin with the fewest; and a group or an origin with nothing running may start one check
 * beyond `concurrency` (up to FAIR_EXTRA more), so a new tab — or a frame of another site inside
 * a page whose own videos trickle — is checked at once whatever the others hold.
 */

export interface Job<T> {
  key: string;
  payload: T;
  priority: number;
  enqueuedAt: number;
  /** Who asked (a tab id); undefined for the extension's own pages. */
  group?: number;
  /** The origin of the page that showed it, when known. */
  origin?: string;
}

/** Extra slots a group with nothing running may use when others fill the normal ones. */
export const FAIR_EXTRA = 2;

export interface QueueOptions<T> {
  concurrency: number;
  /** Longest a check may take before its slot is freed and it is reported as failed. */
  deadlineMs: number;
  run: (job: Job<T>, signal: AbortSignal) => Promise<void>;
  onFail: (job: Job<T>, reason: string) => void;
  /** Called whenever the waiting set changes (to persist it across service-worker restarts). */
  onChange?: (waiting: Job<T>[], running: Job<T>[]) => void;
  now?: () => number;
}

export class CheckQueue<T> {
  private waiting: Job<T>[] = [];
  private running = new Map<string, { job: Job<T>; ctl: AbortController }>();
  /** Highest number of checks seen running at once (reported by the load tests). */
  peakRunning = 0;
  private seq = 0;

  constructor(private opts: QueueOptions<T>) {}

  setConcurrency(n: number): void {
    this.opts.concurrency = Math.max(1, n);
    this.pump();
  }

  /** Adds a job unless one with the same key is waiting or running; raises its priority if asked. */
  enqueue(key: string, payload: T, priority = 0, group?: number, origin?: string): boolean {
    if (this.running.has(key)) return false;
    const existing = this.waiting.find((j) => j.key === key);
    if (existing) {
      if (priority > existing.priority) {
        existing.priority = priority;
        this.sort();
        this.changed();
      }
      return false;
    }
    this.waiting.push({ key, payload, priority, group, origin, enqueuedAt: (this.opts.now ?? Date.now)() + this.seq++ * 1e-6 });
    this.sort();
    this.changed();
    this.pump();
    return true;
  }

  has(key: string): boolean {
    return this.running.has(key) || this.waiting.some((j) => j.key === key);
  }

  /** Keys waiting or running. */
  keys(): string[] {
    return [...this.running.keys(), ...this.waiting.map((j) => j.key)];
  }

  cancel(key: string): void {
    const before = this.waiting.length;
    this.waiting = this.waiting.filter((j) => j.key !== key);
    const running = this.running.get(key);
    if (running) {
      // Its slot is free now: the same key may be asked for again at once (a lookup, the video coming back).
      this.running.delete(key);
      running.ctl.abort();
    }
    if (before !== this.waiting.length || running) {
      this.changed();
      this.pump();
    }
  }

  get size(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running.size };
  }

  private sort(): void {
    this.waiting.sort((a, b) => b.priority - a.priority || a.enqueuedAt - b.enqueuedAt);
  }

  private changed(): void {
    this.opts.onChange?.([...this.waiting], [...this.running.values()].map((r) => r.job));
  }

  private runningIn(group: number | undefined): number {
    return this.countRunning((job) => job.group === group);
  }

  private runningFrom(origin: string | undefined): number {
    return origin === undefined ? 0 : this.countRunning((job) => job.origin === origin);
  }

  private countRunning(pred: (job: Job<T>) => boolean): number {
    let n = 0;
    for (const r of this.running.values()) if (pred(r.job)) n++;
    return n;
  }

  /** The next job to start, or undefined when every slot it may use is taken. */
  private next(): Job<T> | undefined {
    if (!this.waiting.length) return undefined;
    const top = this.waiting[0].priority;
    // Among the highest priority, the least-served group first (waiting is sorted by priority, then age).
    let best = -1;
    let bestLoad = Infinity;
    for (let i = 0; i < this.waiting.length && this.waiting[i].priority === top; i++) {
      const j = this.waiting[i];
      const load = this.runningIn(j.group) * 1000 + this.runningFrom(j.origin);
      if (load < bestLoad) (best = i), (bestLoad = load);
    }
    if (this.running.size < this.opts.concurrency) return this.waiting.splice(best, 1)[0];
    if (this.running.size >= this.opts.concurrency + FAIR_EXTRA) return undefined;
    // All normal slots taken: a group, or an origin, with nothing running may still start one (any priority).
    // (Checks of the extension's own pages and re-checks have no tab: they wait for a normal slot.)
    const starved = this.waiting.findIndex((j) => (j.group !== undefined && this.runningIn(j.group) === 0) || (j.origin !== undefined && this.runningFrom(j.origin) === 0));
    return starved < 0 ? undefined : this.waiting.splice(starved, 1)[0];
  }

  private pump(): void {
    for (let job = this.next(); job; job = this.next()) {
      const ctl = new AbortController();
      this.running.set(job.key, { job, ctl });
      this.peakRunning = Math.max(this.peakRunning, this.running.size);
      this.changed();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          ctl.abort();
          reject(new Error(`the check did not finish within ${Math.round(this.opts.deadlineMs / 1000)} s`));
        }, this.opts.deadlineMs);
      });
      Promise.race([this.opts.run(job, ctl.signal), deadline])
        .catch((err) => this.opts.onFail(job, (err as Error)?.message ?? String(err)))
        .finally(() => {
          clearTimeout(timer);
          if (this.running.get(job.key)?.ctl === ctl) this.running.delete(job.key);
          this.changed();
          this.pump();
        });
    }
  }
}
