/**
 * Every request the extension makes, recorded by Chromium's own NetLog (--log-net-log): each
 * URL request names its initiator, and the extension's are `chrome-extension://<id>`. Each
 * browser the e2e suite starts writes one; when it closes, its extension requests are kept
 * under .cache/privacy/, and the global teardown checks them all against the policy:
 * a video's own media address, or a trust-list / list address — never a page, never anything else.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GENERATED } from '../../paths';

export const PRIVACY_DIR = join(GENERATED, '..', 'privacy');
/** NetLogs not read yet, outside the profiles (a test removes its profile as soon as the browser is closed). */
const RAW_DIR = join(PRIVACY_DIR, 'raw');

/** A fresh NetLog file for one browser, and the flags that make Chromium write it. */
export function netLog(): { file: string; args: string[] } {
  mkdirSync(RAW_DIR, { recursive: true });
  const file = join(RAW_DIR, `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return { file, args: [`--log-net-log=${file}`, '--net-log-capture-mode=Default'] };
}

/** Whose requests to look for in a log: noted as soon as the extension is known, so that even a browser that never reports closing is checked. */
export function noteExtensionId(netLogFile: string, extensionId: string): void {
  writeFileSync(`${netLogFile}.id`, extensionId);
}

interface NetLogEvent {
  type: number;
  params?: { initiator?: string; url?: string; method?: string };
}

/**
 * Chromium writes a NetLog as it goes: the constants on the first line, `"events": [` on the
 * second, then one event per line; `]` and the rest come when the browser exits. Read line by
 * line, a log whose browser is still exiting (or died) gives every event it completed; only a
 * last line cut short is left out, and said.
 */
export function readNetLog(text: string): { eventTypes: Record<string, number>; events: NetLogEvent[]; complete: boolean } {
  const lines = text.split('\n');
  const constants = JSON.parse(lines[0].replace(/,\s*$/, '') + '}') as { constants: { logEventTypes: Record<string, number> } };
  if (!/^"events":\s*\[/.test(lines[1] ?? '')) throw new Error('not a NetLog: no "events" on its second line');
  const events: NetLogEvent[] = [];
  for (let i = 2; i < lines.length; i++) {
    let line = lines[i].trim().replace(/,$/, '');
    // The list closes on the last event's own line (`{...}]`), or on a line of its own.
    const closes = line.endsWith(']');
    if (closes) line = line.slice(0, -1);
    try {
      if (line) events.push(JSON.parse(line));
      if (closes) return { eventTypes: constants.constants.logEventTypes, events, complete: true };
    } catch (e) {
      // Only the line being written when the log was read may be cut short.
      if (lines.slice(i + 1).some((l) => l.trim())) throw e;
    }
  }
  return { eventTypes: constants.constants.logEventTypes, events, complete: false };
}

/** The extension's requests in a NetLog (URL and method), from its URL_REQUEST_START_JOB events. */
export function extensionRequests(text: string, extensionId: string): { requests: { url: string; method: string }[]; complete: boolean } {
  const log = readNetLog(text);
  const start = log.eventTypes.URL_REQUEST_START_JOB;
  const origin = `chrome-extension://${extensionId}`;
  const requests = log.events
    .filter((e) => e.type === start && e.params?.initiator === origin && e.params.url)
    .map((e) => ({ url: e.params!.url!, method: e.params!.method ?? 'GET' }));
  return { requests, complete: log.complete };
}

/**
 * Keeps a closed browser's extension requests for the suite-wide check. Playwright may report
 * the browser closed while Chromium is still writing the log's end: then the log stays, and the
 * global teardown reads it when every browser of the run is gone (`final`).
 */
export function recordExtensionRequests(netLogFile: string, extensionId: string, final = false): void {
  if (!existsSync(netLogFile)) return;
  let read: ReturnType<typeof extensionRequests>;
  try {
    read = extensionRequests(readFileSync(netLogFile, 'utf8'), extensionId);
  } catch (e) {
    if (final) throw new Error(`the NetLog ${netLogFile} cannot be read: ${(e as Error).message}`);
    return; // read again, and judged, by the teardown
  }
  const { requests, complete } = read;
  if (!complete && !final) return;
  writeFileSync(join(PRIVACY_DIR, basename(netLogFile)), JSON.stringify({ extensionId, requests, complete }));
  rmSync(netLogFile, { force: true });
  rmSync(`${netLogFile}.id`, { force: true });
}

/** The logs left for the teardown: read now that no browser of the run is writing. */
export function recordPendingLogs(): void {
  if (!existsSync(RAW_DIR)) return;
  for (const f of readdirSync(RAW_DIR).filter((n) => n.endsWith('.json.id'))) {
    const log = join(RAW_DIR, f.replace(/\.id$/, ''));
    recordExtensionRequests(log, readFileSync(join(RAW_DIR, f), 'utf8'), true);
  }
}

export function clearRecords(): void {
  rmSync(PRIVACY_DIR, { recursive: true, force: true });
}

export function allRecords(): { extensionId: string; requests: { url: string; method: string }[]; complete: boolean }[] {
  if (!existsSync(PRIVACY_DIR)) return [];
  return readdirSync(PRIVACY_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(PRIVACY_DIR, f), 'utf8')));
}

/**
 * Why a request is not allowed, or undefined. Media hosts are where the tests (and the real
 * sites) keep videos; page hosts (x.com, pbs.twimg.com for posters, abs.twimg.com for scripts)
 * and page documents are never fetched by the extension.
 */
export function policyViolation(url: string, method: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (method !== 'GET') return `${method} request (the extension only reads)`;
  const isPage = u.pathname.endsWith('.html') || u.pathname.startsWith('/p/') || u.pathname === '/';
  const host = u.hostname;
  if (host === '127.0.0.1' || host === 'localhost') return isPage ? 'a page document on the test server' : undefined;
  if (host === 'video.twimg.com') return undefined; // X's media host
  if (host === 'huggingface.co') return u.pathname.includes('/resolve/') ? undefined : 'a Hugging Face page, not a file';
  if (host.endsWith('.hf.co') || host === 'cdn-uploads.huggingface.co' || host === 'datasets-server.huggingface.co') return undefined;
  if (host.endsWith('.hf.space')) return u.pathname.includes('file=') ? undefined : 'a Space page, not a file';
  if (host === 'videos.example.net') return isPage ? 'a page document' : undefined;
  if (host === 'raw.githubusercontent.com') return u.pathname.startsWith('/c2pa-org/conformance-public/') ? undefined : 'not the C2PA trust list';
  if (host === 'contentcredentials.org') return u.pathname.startsWith('/trust/') ? undefined : 'not the CAI trust list';
  return `${host} is neither a media host nor a list address`;
}
