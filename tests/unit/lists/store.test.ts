import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import { ListStore, USER_LIST_ID, userEntryFromCheck, type Subscription } from '../../../lib/lists/store';
import { parseList, serializeList, type HashList } from '../../../lib/lists/format';
import { exportBackup, importBackup, parseBackup, BackupError } from '../../../lib/lists/backup';
import { MATCH_RULE } from '../../../lib/fingerprint/match';
import { entryFromFrames, header, PDQ_1, PDQ_2, SHA_A, SHA_B } from './helpers';
import { encodePublicKey, generateKeyPair, toBase64 } from '../../../lib/lists/signature';

let n = 0;
const opened: { store: ListStore; name: string }[] = [];

async function freshStore(name = `lists-test-${process.pid}-${++n}`): Promise<ListStore> {
  const store = await ListStore.open({ name });
  opened.push({ store, name });
  return store;
}

afterEach(async () => {
  for (const { store, name } of opened.splice(0)) {
    store.close();
    await deleteDB(name);
  }
});

function sampleList(sequence: number, ids = ['a', 'b']): HashList {
  return {
    header: header('Sample', sequence),
    entries: ids.map((id, i) => entryFromFrames(id, [{ t: 0, pdq: i ? PDQ_2 : PDQ_1, quality: 90 }, { t: 1, pdq: i ? PDQ_2 : PDQ_1, quality: 90 }])),
  };
}

const bytesOf = (l: HashList) => new TextEncoder().encode(serializeList(l));
const frames = (pdq: string) => [
  { t: 0, pdq, quality: 100 },
  { t: 1, pdq, quality: 100 },
];

describe('list store', () => {
  it('stores a list atomically with its index, and serves lookups after a reopen (index read from the blob)', async () => {
    const name = `lists-reopen-${process.pid}`;
    const first = await ListStore.open({ name });
    const list = sampleList(4);
    await first.replaceList('sub-1', bytesOf(list), list, { id: 'sub-1', kind: 'list', state: 'ok', sequence: 4 });
    first.close();

    const second = await freshStore(name);
    const meta = await second.getMeta('sub-1');
    expect(meta).toMatchObject({ id: 'sub-1', entries: 2, frames: 4, sha256: 0, header: { sequence: 4, name: 'Sample' } });
    expect(await second.getListBytes('sub-1')).toEqual(bytesOf(list));
    expect(await second.getStatus('sub-1')).toMatchObject({ state: 'ok', sequence: 4 });
    const matches = await second.lookup({ frames: frames(PDQ_2) });
    expect(matches.map((m) => [m.list, m.entry, m.kind])).toEqual([['sub-1', 'b', 'perceptual']]);
  });

  it('rebuilds an index blob that is damaged', async () => {
    const store = await freshStore();
    const list = sampleList(1);
    await store.replaceList('sub-x', bytesOf(list), list);
    const meta = (await store.getMeta('sub-x'))!;
    await store.db.put('indexes', { id: 'sub-x', buffer: new ArrayBuffer(16), storedAt: meta.storedAt });
    const reopened = await ListStore.open({ name: opened[0].name });
    expect((await reopened.lookup({ frames: frames(PDQ_1) })).map((m) => m.entry)).toEqual(['a']);
    expect((await store.db.get('indexes', 'sub-x'))!.buffer.byteLength).toBeGreaterThan(16);
    reopened.close();
  });

  it('keeps the user list across reopen, and edits it by id', async () => {
    const name = `lists-user-${process.pid}`;
    const store = await ListStore.open({ name });
    const e1 = userEntryFromCheck({ label: 'Seen on X', notes: 'looks generated', sha256: SHA_A.toUpperCase(), frames: frames(PDQ_1), now: new Date('2026-03-01T00:00:00Z') });
    expect(e1).toEqual({
      id: `sha256-${SHA_A.slice(0, 16)}`,
      label: 'Seen on X',
      source: '',
      notes: 'looks generated',
      added: '2026-03-01T00:00:00.000Z',
      sha256: [SHA_A],
      vpdq: [
        [PDQ_1, 100, 0],
        [PDQ_1, 100, 1],
      ],
    });
    await store.addUserEntry(e1);
    await store.addUserEntry(userEntryFromCheck({ id: 'second', label: 'Second', sha256: SHA_B }));
    await store.addUserEntry({ ...e1, notes: 'edited' });
    store.close();

    const again = await freshStore(name);
    const user = await again.getUserList();
    expect(user.entries.map((e) => [e.id, e.notes])).toEqual([
      [e1.id, 'edited'],
      ['second', ''],
    ]);
    expect(user.header.sequence).toBe(3);
    expect((await again.lookup(undefined, SHA_B)).map((m) => [m.list, m.entry, m.kind])).toEqual([[USER_LIST_ID, 'second', 'exact']]);
    await again.removeUserEntry('second');
    expect((await again.getUserList()).entries.map((e) => e.id)).toEqual([e1.id]);
  });

  it('survives an app upgrade that changes the matching rule: indexes are rebuilt from the stored files', async () => {
    const name = `lists-upgrade-${process.pid}`;
    const store = await ListStore.open({ name });
    await store.addUserEntry(userEntryFromCheck({ id: 'mine', label: 'Mine', frames: frames(PDQ_1).map((f) => ({ ...f, quality: 55 })) }));
    const before = await store.getListBytes(USER_LIST_ID);
    store.close();
    const saved = MATCH_RULE.qualityMin;
    try {
      MATCH_RULE.qualityMin = 60; // the new version no longer uses quality-55 frames
      const upgraded = await freshStore(name);
      expect(await upgraded.lookup({ frames: frames(PDQ_1) })).toEqual([]);
      expect(await upgraded.getListBytes(USER_LIST_ID)).toEqual(before);
      MATCH_RULE.qualityMin = 50;
      const downgraded = await ListStore.open({ name });
      expect((await downgraded.lookup({ frames: frames(PDQ_1) })).map((m) => m.entry)).toEqual(['mine']);
      downgraded.close();
    } finally {
      MATCH_RULE.qualityMin = saved;
    }
  });

  it('refuses an invalid user entry without touching the list', async () => {
    const store = await freshStore();
    await store.addUserEntry(userEntryFromCheck({ id: 'ok', label: 'OK', sha256: SHA_A }));
    await expect(store.addUserEntry({ ...userEntryFromCheck({ id: 'bad', label: 'Bad', sha256: SHA_B }), label: '' })).rejects.toThrow(/"label" must not be empty/);
    expect((await store.getUserList()).entries.map((e) => e.id)).toEqual(['ok']);
  });

  it('never lets a subscription take the user list id', async () => {
    const store = await freshStore();
    await expect(store.putSubscription({ id: USER_LIST_ID, url: 'https://x.test/l', publicKey: 'k', enabled: true, addedAt: '' })).rejects.toThrow(/reserved/);
    await expect(store.deleteSubscription(USER_LIST_ID)).rejects.toThrow(/not a subscription/);
  });

  it('skips disabled subscriptions in lookups', async () => {
    const store = await freshStore();
    const list = sampleList(1);
    await store.putSubscription({ id: 'sub-1', url: 'https://x.test/l', publicKey: 'k', enabled: false, addedAt: '' });
    await store.replaceList('sub-1', bytesOf(list), list);
    expect(await store.lookup({ frames: frames(PDQ_1) })).toEqual([]);
    await store.putSubscription({ id: 'sub-1', url: 'https://x.test/l', publicKey: 'k', enabled: true, addedAt: '' });
    expect(await store.lookup({ frames: frames(PDQ_1) })).toHaveLength(1);
  });
});

describe('backup export and import', () => {
  async function populated(): Promise<{ store: ListStore; sub: Subscription }> {
    const store = await freshStore();
    const { publicKey } = await generateKeyPair();
    const sub: Subscription = { id: 'sub-abc', url: 'https://lists.example.org/leaks.jsonl', publicKey: toBase64(publicKey), name: 'Leaks', enabled: true, addedAt: '2026-01-01T00:00:00.000Z' };
    await store.putSubscription(sub);
    const list = sampleList(9);
    await store.replaceList(sub.id, bytesOf(list), list);
    await store.addUserEntry(userEntryFromCheck({ id: 'mine', label: 'Mine', notes: 'keep me', sha256: SHA_A }));
    return { store, sub };
  }

  it('exports subscriptions, the user list and opaque settings as one JSON file', async () => {
    const { store, sub } = await populated();
    const text = await exportBackup(store, { theme: 'dark', sites: ['x.com'] }, new Date('2026-04-01T00:00:00Z'));
    const json = JSON.parse(text);
    expect(json.format).toBe('provenance-lens-backup');
    expect(json.version).toBe(1);
    expect(json.exported).toBe('2026-04-01T00:00:00.000Z');
    expect(json.subscriptions).toEqual([sub]);
    expect(json.settings).toEqual({ theme: 'dark', sites: ['x.com'] });
    expect(parseList(json.userList).entries.map((e) => e.id)).toEqual(['mine']);
  });

  it('imports into an empty profile: subscriptions, user entries, settings back', async () => {
    const { store, sub } = await populated();
    const text = await exportBackup(store, { theme: 'dark' });
    const target = await freshStore();
    const report = await importBackup(target, text);
    expect(report).toEqual({ settings: { theme: 'dark' }, subscriptionsAdded: [sub.id], subscriptionsKept: [], userEntriesAdded: 1, userEntriesRenamed: 0 });
    expect(await target.subscriptions()).toEqual([sub]);
    expect((await target.getUserList()).entries).toEqual((await store.getUserList()).entries);
    // Subscribed lists come back through the updater, not the backup.
    expect(await target.getMeta(sub.id)).toBeUndefined();
  });

  it('keeps what the user has: existing entries, existing subscriptions; conflicting imports get a new id; twice = once', async () => {
    const { store, sub } = await populated();
    const text = await exportBackup(store, null);
    const target = await freshStore();
    const myKey = toBase64((await generateKeyPair()).publicKey);
    await target.putSubscription({ ...sub, publicKey: myKey });
    await target.addUserEntry(userEntryFromCheck({ id: 'mine', label: 'Different', sha256: SHA_B }));
    const report = await importBackup(target, text);
    expect(report).toMatchObject({ subscriptionsAdded: [], subscriptionsKept: [sub.id], userEntriesAdded: 1, userEntriesRenamed: 1 });
    expect((await target.getSubscription(sub.id))!.publicKey).toBe(myKey);
    expect((await target.getUserList()).entries.map((e) => [e.id, e.label])).toEqual([
      ['mine', 'Different'],
      ['mine~2', 'Mine'],
    ]);
    const again = await importBackup(target, text);
    expect(again).toMatchObject({ userEntriesAdded: 0, userEntriesRenamed: 0 });
    expect((await target.getUserList()).entries).toHaveLength(2);
  });

  it('validates everything before writing anything', async () => {
    const { store } = await populated();
    const good = JSON.parse(await exportBackup(store, { a: 1 }));
    const target = await freshStore();
    await target.addUserEntry(userEntryFromCheck({ id: 'existing', label: 'Existing', sha256: SHA_B }));
    const before = await target.getListBytes(USER_LIST_ID);
    const { publicKey } = await generateKeyPair();
    const variants: [string, unknown, RegExp][] = [
      ['not JSON', '{', /not valid JSON/],
      ['other format', { ...good, format: 'x' }, /not a Provenance Lens backup/],
      ['future version', { ...good, version: 2 }, /unsupported backup version 2/],
      ['bad key', { ...good, subscriptions: [...good.subscriptions, { ...good.subscriptions[0], id: 'sub-2', url: 'https://b.test/l', publicKey: 'AAAA' }] }, /subscriptions\[1\]: publicKey/],
      ['bad url', { ...good, subscriptions: [{ ...good.subscriptions[0], url: 'file:///etc/passwd' }] }, /must be http\(s\)/],
      ['user id taken', { ...good, subscriptions: [{ ...good.subscriptions[0], id: 'user' }] }, /invalid id "user"/],
      ['duplicate ids', { ...good, subscriptions: [good.subscriptions[0], { ...good.subscriptions[0], url: 'https://c.test/l' }] }, /duplicate id/],
      ['bad user list', { ...good, subscriptions: [{ ...good.subscriptions[0], id: 'sub-new', url: 'https://n.test/l', publicKey: encodePublicKey(publicKey) }], userList: good.userList.replace('"Mine"', '""') }, /userList: line 2/],
    ];
    for (const [name, value, message] of variants) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      await expect(importBackup(target, text), name).rejects.toThrow(message);
    }
    await expect(importBackup(target, '{')).rejects.toBeInstanceOf(BackupError);
    expect(await target.subscriptions()).toEqual([]);
    expect(await target.getListBytes(USER_LIST_ID)).toEqual(before);
  });

  it('parseBackup accepts a key file text as publicKey', async () => {
    const { publicKey } = await generateKeyPair();
    const parsed = parseBackup(JSON.stringify({ format: 'provenance-lens-backup', version: 1, exported: '', subscriptions: [{ id: 's', url: 'https://a.test/l.jsonl', publicKey: encodePublicKey(publicKey), enabled: true, addedAt: '' }], userList: null, settings: 7 }));
    expect(parsed.subscriptions[0].id).toBe('s');
    expect(parsed.settings).toBe(7);
  });
});
