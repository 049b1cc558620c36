/**
 * Every request the extension makes, recorded by Chromium's own NetLog (--log-net-log): each
 * URL request names its initiator, and the extension's are `chrome-extension://<id>`. Each
 * browser the e2e suite starts writes one; when it closes, its extension requests are kept
 * under .cache/privacy/, and the global teardown checks them all against the policy:
 * a video's own media address, or a trust-list / list address — never a page, never anything else.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED } from '../../paths';

export const PRIVACY_DIR = join(GENERATED, '..', 'privacy');

export const netLogArgs = (userDataDir: string) => [`--log-net-log=${join(userDataDir, 'netlog.json')}`, '--net-log-capture-mode=Default'];

/** The extension's requests in a NetLog file (URL and method), from its URL_REQUEST_START_JOB events. */
export function extensionRequests(netLogFile: string, extensionId: string): { url: string; method: string }[] {
  if (!existsSync(netLogFile)) return [];
  let text = readFileSync(netLogFile, 'utf8').trimEnd();
  // A browser that died without closing the log leaves it unterminated.
  if (!text.endsWith('}')) text = text.replace(/,?\s*$/, '') + ']}';
  const log = JSON.parse(text) as { constants: { logEventTypes: Record<string, number> }; events: { type: number; params?: { initiator?: string; url?: string; method?: string } }[] };
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  const origin = `chrome-extension://${extensionId}`;
  return log.events
    .filter((e) => e.type === start && e.params?.initiator === origin && e.params.url)
    .map((e) => ({ url: e.params!.url!, method: e.params!.method ?? 'GET' }));
}

/** Keeps a closed browser's extension requests for the suite-wide check. */
export function recordExtensionRequests(userDataDir: string, extensionId: string): void {
  const requests = extensionRequests(join(userDataDir, 'netlog.json'), extensionId);
  mkdirSync(PRIVACY_DIR, { recursive: true });
  writeFileSync(join(PRIVACY_DIR, `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.json`), JSON.stringify({ extensionId, requests }));
}

export function clearRecords(): void {
  rmSync(PRIVACY_DIR, { recursive: true, force: true });
}

export function allRecords(): { extensionId: string; requests: { url: string; method: string }[] }[] {
  if (!existsSync(PRIVACY_DIR)) return [];
  return readdirSync(PRIVACY_DIR).map((f) => JSON.parse(readFileSync(join(PRIVACY_DIR, f), 'utf8')));
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
