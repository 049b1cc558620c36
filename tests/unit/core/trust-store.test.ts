/** Trust lists are downloaded, kept fresh with conditional requests, and a failed update keeps the old copy. */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrustState, refreshTrustLists, trustStatus } from '../../../lib/background/trust-store';
import { updateStoredResource } from '../../../lib/background/resources';
import { sanitizeSettings } from '../../../lib/settings';
import { C2PA_FIXTURES } from '../../paths';

const T = (n: string) => readFileSync(join(C2PA_FIXTURES, 'trust', n), 'utf8');
const FILES: Record<string, string> = {
  'c2pa-trust-list': 'conformance-public__C2PA-TRUST-LIST.pem',
  'c2pa-tsa-trust-list': 'conformance-public__C2PA-TSA-TRUST-LIST.pem',
  'cai-itl-anchors': 'verify-site-ITL__anchors.pem',
  'cai-itl-allowed': 'verify-site-ITL__allowed.pem',
  'cai-itl-config': 'verify-site-ITL__store.cfg',
};

/** A fake network: serves the fixture trust files with ETags; can be switched to failing or hostile. */
function network() {
  const log: { url: string; inm?: string }[] = [];
  let mode: 'ok' | 'down' | 'html' = 'ok';
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const inm = new Headers(init?.headers).get('if-none-match') ?? undefined;
    log.push({ url, inm });
    if (mode === 'down') throw new TypeError('network down');
    if (mode === 'html') return new Response('<html>captive portal</html>', { status: 200 });
    const file = FILES[new URL(url).pathname.slice(1)];
    if (!file) return new Response('nope', { status: 404 });
    if (inm === `"${file}"`) return new Response(null, { status: 304 });
    return new Response(T(file), { status: 200, headers: { etag: `"${file}"` } });
  }) as typeof fetch;
  return { log, fetchImpl, set: (m: typeof mode) => (mode = m) };
}

const settings = sanitizeSettings({
  trustSources: Object.keys(FILES).map((id) => ({ id, url: `https://trust.test/${id}` })),
});

describe('trust lists', () => {
  it('unknown until loaded; loaded after a refresh; 304 on the next forced refresh', async () => {
    expect((await loadTrustState(settings)).settings).toBeUndefined();
    const net = network();
    const status = await refreshTrustLists(settings, { force: true, fetchImpl: net.fetchImpl });
    expect(status.map((s) => s.loaded)).toEqual([true, true, true, true, true]);
    expect(status[0].certificates).toBe(30);
    const state = await loadTrustState(settings);
    expect(state.settings?.sources).toEqual(['C2PA trust list', 'C2PA time-stamping authority trust list', 'CAI interim trust list (anchors)']);
    expect(state.version).toMatch(/^[0-9a-f]{16}$/);
    net.log.length = 0;
    await refreshTrustLists(settings, { force: true, fetchImpl: net.fetchImpl });
    expect(net.log.every((l) => l.inm)).toBe(true);
    expect((await loadTrustState(settings)).version).toBe(state.version);
    // Fresh copies are not asked for again until they are older than the refresh period.
    net.log.length = 0;
    await refreshTrustLists(settings, { fetchImpl: net.fetchImpl });
    expect(net.log).toEqual([]);
  });
  it('a failed or refused update keeps the previous copy and says why', async () => {
    const net = network();
    await refreshTrustLists(settings, { force: true, fetchImpl: net.fetchImpl });
    const before = await loadTrustState(settings);
    net.set('down');
    await refreshTrustLists(settings, { force: true, fetchImpl: net.fetchImpl });
    expect((await loadTrustState(settings)).version).toBe(before.version);
    expect((await trustStatus(settings))[0].lastError).toMatch(/could not reach trust\.test/);
    net.set('html');
    await refreshTrustLists(settings, { force: true, fetchImpl: net.fetchImpl });
    expect((await loadTrustState(settings)).version).toBe(before.version);
    expect((await trustStatus(settings))[0].lastError).toMatch(/refused: no PEM certificate/);
  });
  it('a list stored from another address does not count once the address changes', async () => {
    await updateStoredResource({ id: 'trust:c2pa-trust-list', url: 'https://old.test/x', validate: () => undefined, maxAgeMs: 0, fetchImpl: network().fetchImpl });
    const moved = sanitizeSettings({ trustSources: [{ id: 'c2pa-trust-list', url: 'https://new.test/c2pa-trust-list' }] });
    const st = await trustStatus(moved);
    expect(st[0].loaded).toBe(false);
  });
  it("the user's own anchors count as trust even with no list downloaded", async () => {
    const mine = sanitizeSettings({ trustSources: [{ id: 'c2pa-trust-list', url: 'https://elsewhere.test/none' }], userAnchors: T('c2pa-rs__sdk-test__test_cert_root_bundle.pem') });
    const st = await loadTrustState({ ...mine, trustSources: mine.trustSources.map((s) => ({ ...s, url: `https://unloaded.test/${s.id}` })) });
    expect(st.settings?.sources).toEqual(['your own anchors']);
  });
});
