/** Trust lists go through the lists' updater: conditional requests, refusal keeps the old copy, address changes. */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTrustState, refreshTrustLists, trustStatus } from '../../../lib/background/trust-store';
import { ListStore } from '../../../lib/lists/store';
import type { FetchLike } from '../../../lib/lists/updater';
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

/** A fake network serving the fixture trust files with ETags; it can go down or turn hostile. */
function network() {
  const log: { url: string; inm?: string }[] = [];
  let mode: 'ok' | 'down' | 'html' = 'ok';
  const fetch: FetchLike = async (url, init) => {
    const inm = init.headers['If-None-Match'];
    log.push({ url, inm });
    if (mode === 'down') throw new TypeError('network down');
    if (mode === 'html') return new Response('<html>captive portal</html>', { status: 200 });
    const file = FILES[new URL(url).pathname.slice(1)];
    if (!file) return new Response('nope', { status: 404 });
    if (inm === `"${file}"`) return new Response(null, { status: 304 });
    return new Response(T(file), { status: 200, headers: { etag: `"${file}"` } });
  };
  return { log, fetch, set: (m: typeof mode) => (mode = m) };
}

const settings = sanitizeSettings({ trustSources: Object.keys(FILES).map((id) => ({ id, url: `https://trust.test/${id}` })) });
let store: ListStore;
let n = 0;
beforeEach(async () => {
  store = await ListStore.open({ name: `trust-test-${++n}` });
});

describe('trust lists', () => {
  it('unknown until loaded; loaded after a refresh; conditional requests afterwards', async () => {
    expect((await loadTrustState(store, settings)).settings).toBeUndefined();
    const net = network();
    const status = await refreshTrustLists(store, settings, { force: true, fetch: net.fetch });
    expect(status.map((s) => [s.loaded, s.lastError])).toEqual(Array(5).fill([true, undefined]));
    expect(status[0].certificates).toBe(30);
    const state = await loadTrustState(store, settings);
    expect(state.settings?.sources).toEqual(['C2PA trust list', 'C2PA time-stamping authority trust list', 'CAI interim trust list (anchors)']);
    expect(state.version).toMatch(/^[0-9a-f]{16}$/);
    net.log.length = 0;
    await refreshTrustLists(store, settings, { force: true, fetch: net.fetch });
    expect(net.log.every((l) => l.inm)).toBe(true);
    expect((await loadTrustState(store, settings)).version).toBe(state.version);
    // Fresh copies are not asked for again until the refresh period has passed.
    net.log.length = 0;
    await refreshTrustLists(store, settings, { fetch: net.fetch });
    expect(net.log).toEqual([]);
  });
  it('a failed or refused update keeps the previous copy and says why', async () => {
    const net = network();
    await refreshTrustLists(store, settings, { force: true, fetch: net.fetch });
    const before = await loadTrustState(store, settings);
    net.set('down');
    await refreshTrustLists(store, settings, { force: true, fetch: net.fetch });
    expect((await loadTrustState(store, settings)).version).toBe(before.version);
    expect((await trustStatus(store, settings))[0].lastError).toMatch(/network down/);
    net.set('html');
    await refreshTrustLists(store, settings, { force: true, fetch: net.fetch });
    expect((await loadTrustState(store, settings)).version).toBe(before.version);
    expect((await trustStatus(store, settings))[0].lastError).toMatch(/refused: no PEM certificate/);
    expect((await trustStatus(store, settings))[4].lastError).toMatch(/refused: not an EKU OID line/);
  });
  it('a list stored from another address does not count once the address changes', async () => {
    await refreshTrustLists(store, settings, { force: true, fetch: network().fetch });
    const moved = sanitizeSettings({ trustSources: Object.keys(FILES).map((id) => ({ id, url: `https://elsewhere.test/${id}` })) });
    expect((await trustStatus(store, moved)).map((s) => s.loaded)).toEqual([false, false, false, false, false]);
    expect((await loadTrustState(store, moved)).settings).toBeUndefined();
  });
  it("the user's own anchors count as trust even with no list downloaded", async () => {
    const mine = sanitizeSettings({ ...settings, userAnchors: T('c2pa-rs__sdk-test__test_cert_root_bundle.pem') });
    expect((await loadTrustState(store, mine)).settings?.sources).toEqual(['your own anchors']);
  });
});
