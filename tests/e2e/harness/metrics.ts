/**
 * Measurements the load tests and the benchmark share: the extension's memory (its
 * processes, read from /proc) and the longest main-thread task run by the content script
 * (from a DevTools trace of the page).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Page } from '@playwright/test';

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
  /** The process name (Firefox names its child processes by role: "WebExtensions", "Web Content"…). */
  comm: string;
}

/** Every process of the machine, read from /proc. */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(p), ppid, cmdline: readFileSync(`/proc/${p}/cmdline`, 'utf8'), comm: readFileSync(`/proc/${p}/comm`, 'utf8').trim() });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Proportional memory (MiB) of the processes that `pick` chooses among the descendants of `roots`. */
function descendantsPssMiB(procs: Proc[], roots: Set<number>, pick: (p: Proc) => boolean): { total: number; parts: number[] } {
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const underRoot = (pid: number) => {
    for (let p = pid, n = 0; p > 1 && n < 20; p = parent.get(p) ?? 0, n++) if (roots.has(p)) return true;
    return false;
  };
  const parts: number[] = [];
  for (const proc of procs) {
    try {
      if (!pick(proc) || !underRoot(proc.pid)) continue;
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${proc.pid}/smaps_rollup`, 'utf8'));
      parts.push(Number(pss?.[1] ?? 0) / 1024);
    } catch {
      /* process ended */
    }
  }
  return { total: parts.reduce((a, b) => a + b, 0), parts };
}

/**
 * Proportional memory (MiB) of the extension's processes — the renderer holding its service
 * worker, offscreen document and checker worker — counting only descendants of the browser
 * started with `userDataDir` (other browsers on the machine are not ours).
 */
export function extensionMemoryMiB(userDataDir: string): { total: number; parts: number[] } {
  const procs = processes();
  const roots = new Set(procs.filter((p) => p.cmdline.includes(`--user-data-dir=${userDataDir}\0`) && !p.cmdline.includes('--type=')).map((p) => p.pid));
  return descendantsPssMiB(procs, roots, (p) => p.cmdline.includes('--extension-process'));
}

/** The same for Firefox: its "WebExtensions" process (background page and checker worker) under the browser `pid`. */
export function firefoxExtensionMemoryMiB(pid: number): number {
  return descendantsPssMiB(processes(), new Set([pid]), (p) => p.comm === 'WebExtensions').total;
}

/** CPU seconds (user + system) the extension's processes have used so far (see extensionMemoryMiB). */
export function extensionCpuSeconds(userDataDir: string): number {
  const USER_HZ = 100;
  let total = 0;
  for (const p of processes()) {
    if (!p.cmdline.includes('--extension-process') || !p.cmdline.includes(`--user-data-dir=${userDataDir}`)) continue;
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / USER_HZ;
    } catch {
      /* gone */
    }
  }
  return total;
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  /** Thread time (µs): the task's own CPU, without the time its thread waited for a core. */
  tdur?: number;
  tid: number;
  args?: { data?: { url?: string; scriptName?: string } };
}

/**
 * Records a DevTools trace of `page` while `during` runs; returns the content script's longest task
 * (ms): by wall time, and by thread time (its own work: on 2 cores busy with the extension's
 * checks, a task's wall time also counts the time its thread waited for a core).
 */
export async function longestContentScriptTask(page: Page, extensionId: string, during: () => Promise<void>): Promise<{ longestMs: number; longestCpuMs: number; tasks: number; longest?: string }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] }, transferMode: 'ReportEvents' });
  try {
    await during();
  } finally {
    await cdp.send('Tracing.end');
    await done;
    await cdp.detach();
  }
  const ours = (e: TraceEvent) => {
    const u = e.args?.data?.url ?? e.args?.data?.scriptName ?? '';
    // Only the content script: the trace also holds the extension's own threads (its worker).
    return u === `chrome-extension://${extensionId}/in-page.js`;
  };
  const mine = events.filter((e) => e.ph === 'X' && typeof e.dur === 'number' && ['FunctionCall', 'EvaluateScript', 'v8.compile', 'TimerFire', 'FireAnimationFrame'].includes(e.name) && ours(e));
  const top = mine.reduce<TraceEvent | undefined>((a, e) => (!a || e.dur! > a.dur! ? e : a), undefined);
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  const topCpu = mine.reduce<TraceEvent | undefined>((a, e) => (!a || cpu(e) > cpu(a) ? e : a), undefined);
  return {
    longestMs: top ? top.dur! / 1000 : 0,
    longestCpuMs: topCpu ? cpu(topCpu) / 1000 : 0,
    tasks: mine.length,
    longest: top ? `${top.name}, ${(cpu(top) / 1000).toFixed(1)} ms of thread time, ${JSON.stringify(top.args?.data ?? {}).slice(0, 200)}` : undefined,
  };
}
