/**
 * Privacy, suite-wide: every request the extension made in every browser of this run (from
 * Chromium's NetLog, see harness/privacy.ts) went to a video's own media address or to a
 * trust-list or list address. Anything else fails the run.
 */
import { allRecords, policyViolation, recordPendingLogs } from './harness/privacy';

export default async function globalTeardown(): Promise<void> {
  recordPendingLogs();
  const records = allRecords();
  const cut = records.filter((r) => !r.complete).length;
  const requests = records.flatMap((r) => r.requests);
  const bad = requests.map((r) => ({ ...r, why: policyViolation(r.url, r.method) })).filter((r) => r.why);
  const hosts = [...new Set(requests.map((r) => new URL(r.url).host))].sort();
  console.log(`privacy: ${requests.length} extension requests recorded in ${records.length} browsers, to ${hosts.length} hosts (${hosts.join(', ')}); ${bad.length} outside the policy${cut ? `; ${cut} log(s) cut short by a browser that did not exit cleanly, read up to their last whole event` : ''}`);
  if (bad.length) {
    throw new Error(`the extension made requests outside its privacy policy:\n${bad.slice(0, 20).map((b) => `  ${b.method} ${b.url} — ${b.why}`).join('\n')}`);
  }
}
