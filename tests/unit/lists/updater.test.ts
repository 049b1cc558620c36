import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteDB } from 'idb';
import { ListStore, USER_LIST_ID, userEntryFromCheck } from '../../../lib/lists/store';
import { serializeList, type HashList } from '../../../lib/lists/format';
import { encodeSignature, generateKeyPair, signBytes, toBase64, type KeyPair } from '../../../lib/lists/signature';
import {
  confirmPublisherKey,
  signatureUrl,
  subscribe,
  updateAll,
  updateStoredResource,
  updateSubscription,
  updateTrustList,
  validatePemCertificates,
  type FetchLike,
  type ListUpdaterDeps,
} from '../../../lib/lists/updater';
import { C2PA_FIXTURES } from '../../paths';
import { entryFromFrames, header, PDQ_1, PDQ_2, SHA_A } from './helpers';

const URL_ = 'https://lists.example.org/leaks.jsonl';

/** A tiny HTTP server in a Map, honouring ETag / If-None-Match and recording requests. */
class FakeServer {
  files = new Map<string, { body: Uint8Array; etag?: string; lastModified?: string; status?: number; omitLength?: boolean }>();
  requests: { url: string; headers: Record<string, string> }[] = [];
  down = false;

  put(url: string, body: string | Uint8Array, extra: { etag?: string; lastModified?: string; status?: number; omitLength?: boolean } = {}) {
    this.files.set(url, { body: typeof body === 'string' ? new TextEncoder().encode(body) : body, ...extra });
  }

  fetch: FetchLike = async (url, init) => {
    this.requests.push({ url, headers: init.headers });
    if (this.down) throw new TypeError('fetch failed: connection refused');
    const f = this.files.get(url);
    if (!f) return new Response('not found', { status: 404 });
    if (f.etag && init.headers['If-None-Match'] === f.etag) return new Response(null, { status: 304 });
    const headers: Record<string, string> = {};
    if (f.etag) headers.etag = f.etag;
    if (f.lastModified) headers['last-modified'] = f.lastModified;
    if (f.omitLength) {
      // A streamed body without Content-Length: the cap must hold while reading.
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < f.body.length; i += 1000) c.enqueue(f.body.slice(i, i + 1000));
          c.close();
        },
      });
      return new Response(stream, { status: f.status ?? 200, headers });
    }
    headers['content-length'] = String(f.body.length);
    return new Response(f.body.slice().buffer as ArrayBuffer, { status: f.status ?? 200, headers });
  };
}

function list(sequence: number, ids = ['a', 'b'], name = 'Leaks'): HashList {
  return {
    header: header(name, sequence),
    entries: ids.map((id, i) => entryFromFrames(id, [{ t: 0, pdq: i % 2 ? PDQ_2 : PDQ_1, quality: 90 }, { t: 1, pdq: i % 2 ? PDQ_2 : PDQ_1, quality: 90 }], { label: `Label ${id}` })),
  };
}

async function publish(server: FakeServer, l: HashList | string, key: KeyPair, opts: { etag?: string; signedBy?: Uint8Array | null; tamper?: boolean } = {}) {
  const bytes = new TextEncoder().encode(typeof l === 'string' ? l : serializeList(l));
  const signature = await signBytes(bytes, key.privateKey);
  if (opts.tamper) bytes[bytes.length - 3] ^= 1;
  server.put(URL_, bytes, { etag: opts.etag });
  server.put(signatureUrl(URL_), encodeSignature({ signature, signedBy: opts.signedBy === null ? undefined : (opts.signedBy ?? key.publicKey) }));
  return bytes;
}

let store: ListStore;
let server: FakeServer;
let deps: ListUpdaterDeps;
let publisher: KeyPair;
let clock: number;
let dbName: string;
let n = 0;

beforeEach(async () => {
  dbName = `updater-test-${process.pid}-${++n}`;
  store = await ListStore.open({ name: dbName });
  server = new FakeServer();
  clock = Date.parse('2026-05-01T00:00:00Z');
  deps = { store, fetch: server.fetch, now: () => new Date((clock += 60_000)) };
  publisher = await generateKeyPair();
});

afterEach(async () => {
  store.close();
  await deleteDB(dbName);
});

async function subscribed(): Promise<string> {
  const sub = await subscribe(deps, { url: URL_, publicKey: toBase64(publisher.publicKey) });
  return sub.id;
}

/** Publish v1, subscribe and fetch it: the "previous version" every failure must keep. */
async function withVersion1(): Promise<{ id: string; v1: Uint8Array }> {
  const v1 = await publish(server, list(1), publisher, { etag: '"v1"' });
  const id = await subscribed();
  const out = await updateSubscription(deps, id);
  expect(out.result).toBe('updated');
  return { id, v1 };
}

async function expectIntact(id: string, v1: Uint8Array) {
  expect(await store.getListBytes(id)).toEqual(v1);
  expect((await store.getMeta(id))!.header.sequence).toBe(1);
  expect((await store.lookup({ frames: [{ t: 0, pdq: PDQ_1, quality: 90 }, { t: 1, pdq: PDQ_1, quality: 90 }] })).map((m) => m.entry)).toEqual(['a']);
}

describe('subscribing and updating', () => {
  it('fetches, verifies, stores and records status', async () => {
    const { id, v1 } = await withVersion1();
    expect(id).toMatch(/^sub-[0-9a-f]{12}$/);
    const status = (await store.getStatus(id))!;
    expect(status).toMatchObject({ id, kind: 'list', url: URL_, state: 'ok', sequence: 1, entries: 2, etag: '"v1"', bytes: v1.length, lastSuccess: status.lastAttempt });
    expect(status.lastError).toBeUndefined();
    expect(server.requests.map((r) => r.url)).toEqual([URL_, `${URL_}.sig`]);
    await expectIntact(id, v1);
  });

  it('refuses bad subscriptions up front', async () => {
    await expect(subscribe(deps, { url: 'ftp://x.test/l', publicKey: toBase64(publisher.publicKey) })).rejects.toThrow(/http\(s\)/);
    await expect(subscribe(deps, { url: URL_, publicKey: 'nope' })).rejects.toThrow(/base64/);
    await subscribed();
    await expect(subscribed()).rejects.toThrow(/already subscribed/);
  });

  it('sends conditional requests; 304 is a recorded success with nothing changed', async () => {
    const { id, v1 } = await withVersion1();
    const before = (await store.getMeta(id))!.storedAt;
    const out = await updateSubscription(deps, id);
    expect(out.result).toBe('not-modified');
    expect(server.requests.at(-1)).toEqual({ url: URL_, headers: { 'If-None-Match': '"v1"' } });
    expect(out.status.lastSuccess).toBe(out.status.lastAttempt);
    expect((await store.getMeta(id))!.storedAt).toBe(before);
    await expectIntact(id, v1);
  });

  it('uses If-Modified-Since when the server gave Last-Modified', async () => {
    const bytes = await publish(server, list(1), publisher);
    server.put(URL_, bytes, { lastModified: 'Wed, 01 Apr 2026 10:00:00 GMT' });
    const id = await subscribed();
    await updateSubscription(deps, id);
    await updateSubscription(deps, id);
    expect(server.requests.at(-2)!.headers).toEqual({ 'If-Modified-Since': 'Wed, 01 Apr 2026 10:00:00 GMT' });
  });

  it('applies a newer sequence', async () => {
    const { id } = await withVersion1();
    await publish(server, list(2, ['a', 'b', 'c']), publisher, { etag: '"v2"' });
    const out = await updateSubscription(deps, id);
    expect(out.result).toBe('updated');
    expect(out.status).toMatchObject({ state: 'ok', sequence: 2, entries: 3, etag: '"v2"' });
    expect((await store.getList(id))!.entries.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });

  it('treats the same sequence with the same bytes as unchanged (e.g. a server without ETags)', async () => {
    const { id, v1 } = await withVersion1();
    server.put(URL_, v1, { etag: '"other"' });
    const out = await updateSubscription(deps, id);
    expect(out.result).toBe('unchanged');
    expect(out.status.state).toBe('ok');
    await expectIntact(id, v1);
  });
});

describe('failed updates keep the previous version intact and say why', () => {
  const cases: [string, () => Promise<void>, RegExp][] = [
    ['lower sequence (rollback)', async () => void (await publish(server, list(0, ['x']), publisher, { etag: '"v0"' })), /rollback refused: sequence 0 is not newer than the stored 1/],
    ['equal sequence, different content', async () => void (await publish(server, list(1, ['x']), publisher, { etag: '"v1b"' })), /rollback refused: sequence 1 is not newer than the stored 1/],
    ['tampered byte', async () => void (await publish(server, list(2, ['x']), publisher, { etag: '"v2"', tamper: true })), /signature does not verify/],
    ['signed by an unknown key that names no key', async () => void (await publish(server, list(2, ['x']), await generateKeyPair(), { etag: '"v2"', signedBy: null })), /signature does not verify/],
    ['missing signature file', async () => {
      await publish(server, list(2, ['x']), publisher, { etag: '"v2"' });
      server.files.delete(`${URL_}.sig`);
    }, /signature: HTTP 404/],
    ['malformed signature file', async () => {
      await publish(server, list(2, ['x']), publisher, { etag: '"v2"' });
      server.put(`${URL_}.sig`, 'hello');
    }, /malformed signature file/],
    ['network error', async () => void (server.down = true), /network: fetch failed: connection refused/],
    ['HTTP error', async () => void server.put(URL_, 'oops', { status: 500 }), /HTTP 500/],
    ['validly signed but does not parse', async () => void (await publish(server, serializeList(list(2)).replace('"Label a"', '""'), publisher, { etag: '"v2"' })), /list does not parse: line 2: .*"label" must not be empty/],
    ['oversize (declared length)', async () => {
      await store.putSubscription({ ...(await store.getSubscription((await store.subscriptions())[0].id))!, maxBytes: 500 });
      await publish(server, list(2, ['a', 'b', 'c', 'd', 'e']), publisher, { etag: '"v2"' });
    }, /larger than the 500-byte limit/],
    ['oversize (streamed, no length)', async () => {
      await store.putSubscription({ ...(await store.getSubscription((await store.subscriptions())[0].id))!, maxBytes: 1500 });
      const bytes = await publish(server, list(2, 'abcdefghijkl'.split('')), publisher);
      expect(bytes.length).toBeGreaterThan(3000);
      server.put(URL_, bytes, { omitLength: true });
    }, /larger than the 1500-byte limit/],
  ];
  it.each(cases)('%s', async (_name, breakIt, why) => {
    const { id, v1 } = await withVersion1();
    const okStatus = (await store.getStatus(id))!;
    await breakIt();
    const out = await updateSubscription(deps, id);
    expect(out.result).toBe('failed');
    expect(out.error).toMatch(why);
    const status = (await store.getStatus(id))!;
    expect(status).toMatchObject({ state: 'error', sequence: 1, entries: 2, lastSuccess: okStatus.lastSuccess, etag: '"v1"' });
    expect(status.lastError).toMatch(why);
    expect(status.lastAttempt! > okStatus.lastAttempt!).toBe(true);
    await expectIntact(id, v1);
    // Once the server is fixed, the next update succeeds and clears the error.
    server.down = false;
    await store.putSubscription({ ...(await store.getSubscription(id))!, maxBytes: undefined });
    await publish(server, list(5, ['a', 'n']), publisher, { etag: '"v5"' });
    const fixed = await updateSubscription(deps, id);
    expect(fixed.result).toBe('updated');
    expect((await store.getStatus(id))!.lastError).toBeUndefined();
  });

  it('a first fetch that fails stores nothing', async () => {
    const id = await subscribed();
    const out = await updateSubscription(deps, id);
    expect(out).toMatchObject({ result: 'failed', error: expect.stringMatching(/HTTP 404/) });
    expect(await store.getMeta(id)).toBeUndefined();
    expect((await store.getStatus(id))!.state).toBe('error');
  });
});

describe('publisher key change', () => {
  it('is held until the user confirms that exact key, then applied', async () => {
    const { id, v1 } = await withVersion1();
    const rotated = await generateKeyPair();
    await publish(server, list(2, ['a', 'b', 'c']), rotated, { etag: '"v2"' });
    const held = await updateSubscription(deps, id);
    expect(held.result).toBe('held');
    expect(held.error).toMatch(/^publisher key changed — confirm/);
    expect(held.status).toMatchObject({ state: 'held', heldKey: toBase64(rotated.publicKey), sequence: 1 });
    await expectIntact(id, v1);

    // Updating again does not apply it silently.
    expect((await updateSubscription(deps, id)).result).toBe('held');
    expect((await updateAll(deps)).map((o) => o.result)).toEqual(['held']);
    await expectIntact(id, v1);

    // Confirming another key is refused; the pinned key is unchanged.
    const stranger = await generateKeyPair();
    await expect(confirmPublisherKey(deps, id, toBase64(stranger.publicKey))).rejects.toThrow(/no key change is waiting for this key/);
    expect((await store.getSubscription(id))!.publicKey).toBe(toBase64(publisher.publicKey));

    const applied = await confirmPublisherKey(deps, id, toBase64(rotated.publicKey));
    expect(applied.result).toBe('updated');
    expect(applied.status.heldKey).toBeUndefined();
    expect((await store.getSubscription(id))!.publicKey).toBe(toBase64(rotated.publicKey));
    expect((await store.getMeta(id))!.header.sequence).toBe(2);

    // The old key is no longer accepted.
    await publish(server, list(3), publisher, { etag: '"v3"' });
    expect((await updateSubscription(deps, id)).result).toBe('held');
  });

  it('goes back to normal if the publisher returns to the pinned key', async () => {
    const { id } = await withVersion1();
    await publish(server, list(2), await generateKeyPair(), { etag: '"v2"' });
    expect((await updateSubscription(deps, id)).result).toBe('held');
    await publish(server, list(3), publisher, { etag: '"v3"' });
    const out = await updateSubscription(deps, id);
    expect(out.result).toBe('updated');
    expect(out.status.state).toBe('ok');
    expect(out.status.heldKey).toBeUndefined();
  });
});

describe('the user list is never touched by updates', () => {
  it('survives subscribing, updating, failing and unsubscribing', async () => {
    await store.addUserEntry(userEntryFromCheck({ id: 'mine', label: 'Mine', sha256: SHA_A }));
    const before = await store.getListBytes(USER_LIST_ID);
    const { id } = await withVersion1();
    await publish(server, list(2), publisher, { etag: '"v2"' });
    await updateSubscription(deps, id);
    server.down = true;
    await updateAll(deps);
    await store.deleteSubscription(id);
    expect(await store.getListBytes(USER_LIST_ID)).toEqual(before);
    expect((await store.lookup(undefined, SHA_A)).map((m) => [m.list, m.entry])).toEqual([[USER_LIST_ID, 'mine']]);
    await expect(updateSubscription(deps, USER_LIST_ID)).rejects.toThrow(/not fetched/);
  });
});

describe('trust lists through the same updater', () => {
  const PEM_URL = 'https://trust.example.org/anchors.pem';
  const pem = readFileSync(join(C2PA_FIXTURES, 'trust/c2pa-rs__sdk-test__test_cert_root_bundle.pem'));
  const pemCount = (pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

  it('validates PEM certificates', () => {
    expect(validatePemCertificates(pem).certificates).toBe(pemCount);
    expect(() => validatePemCertificates(new TextEncoder().encode('hello'))).toThrow(/no PEM certificate/);
    expect(() => validatePemCertificates(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'))).toThrow(/not valid base64/);
    expect(() => validatePemCertificates(new TextEncoder().encode('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'))).toThrow(/only certificates/);
    expect(() => validatePemCertificates(new Uint8Array([0xff, 0xfe]))).toThrow(/not text/);
  });

  it('stores, answers 304, and keeps the old copy when a bad one arrives', async () => {
    server.put(PEM_URL, pem, { etag: '"t1"' });
    const first = await updateTrustList(deps, { id: 'trust:anchors', url: PEM_URL });
    expect(first).toMatchObject({ result: 'updated', status: { state: 'ok', kind: 'trust', etag: '"t1"' } });
    expect((await store.getResource('trust:anchors'))!).toMatchObject({ bytes: new Uint8Array(pem), summary: { certificates: pemCount } });

    expect((await updateTrustList(deps, { id: 'trust:anchors', url: PEM_URL })).result).toBe('not-modified');
    expect(server.requests.at(-1)!.headers).toEqual({ 'If-None-Match': '"t1"' });

    server.put(PEM_URL, '<html>captive portal</html>', { etag: '"t2"' });
    const bad = await updateTrustList(deps, { id: 'trust:anchors', url: PEM_URL });
    expect(bad).toMatchObject({ result: 'failed', error: 'trust list holds no PEM certificate' });
    expect((await store.getResource('trust:anchors'))!.bytes).toEqual(new Uint8Array(pem));
    expect((await store.getStatus('trust:anchors'))!).toMatchObject({ state: 'error', etag: '"t1"', lastError: 'trust list holds no PEM certificate' });

    server.put(PEM_URL, pem.subarray(0, 200), { etag: '"t3"' });
    expect((await updateTrustList(deps, { id: 'trust:anchors', url: PEM_URL, maxBytes: 100 })).error).toMatch(/larger than the 100-byte limit/);
  });

  it('serves other resources with a caller-supplied validator', async () => {
    const cfgUrl = 'https://trust.example.org/store.cfg';
    server.put(cfgUrl, '1.3.6.1.5.5.7.3.4\n1.3.6.1.5.5.7.3.36\n');
    const validate = (bytes: Uint8Array) => {
      const oids = new TextDecoder().decode(bytes).split('\n').filter(Boolean);
      if (!oids.every((o) => /^\d+(\.\d+)+$/.test(o))) throw new Error('not a list of OIDs');
      return { oids: oids.length };
    };
    const out = await updateStoredResource(deps, { id: 'trust:ekus', url: cfgUrl, kind: 'trust-config', validate });
    expect(out.result).toBe('updated');
    expect((await store.getResource('trust:ekus'))!.summary).toEqual({ oids: 2 });
  });
});

describe('a server that stalls in the middle of the body', () => {
  it('times out and keeps the previous version (the deadline covers the body, not only the headers)', async () => {
    const { id } = await withVersion1();
    const stalled: FetchLike = async (url, init) => {
      if (url !== URL_) return server.fetch(url, init);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"format":"provenance-lens-list",'));
          // …and nothing more, ever; only the abort ends it.
          init.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(stream, { status: 200 });
    };
    const out = await updateSubscription({ ...deps, fetch: stalled, timeoutMs: 200 }, id);
    expect(out.result).toBe('failed');
    expect(out.error).toMatch(/timed out/);
    expect((await store.getMeta(id))?.header.sequence).toBe(1);
  });
});
