/**
 * Lists on disk (IndexedDB via idb). Every list — subscribed or the user's own — is kept as
 * its exact file bytes (what the signature covers), a small meta record and its serialized
 * multi-index, and all three are replaced together in one transaction: a reader sees either
 * the old version or the new one, and a failed update leaves the old one untouched.
 *
 * Database "provenance-lens-lists", version 1, object stores (all keyed by `id`):
 *   lists          StoredListMeta   header + counts, small: what the options page lists
 *   files          StoredFile       { id, bytes }: the list file exactly as fetched/signed
 *   indexes        StoredIndex      { id, buffer, storedAt }: lib/lists/index.ts blob
 *   subscriptions  Subscription     url + pinned publisher key
 *   status         ResourceStatus   per list / resource: last success, last error, etag…
 *   resources      StoredResource   other fetched resources (C2PA trust lists)
 * The user's list has id "user"; subscriptions can never take that id, and no update,
 * import or schema upgrade deletes it (upgrades only ever add stores).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FrameHash } from '../verdict';
import type { VideoFingerprint } from '../fingerprint/types';
import type { ListMatch } from '../verdict';
import {
  fingerprintToEntryHashes,
  isHex64,
  listStats,
  newHeader,
  parseList,
  serializeList,
  type HashList,
  type ListEntry,
  type ListHeader,
} from './format';
import { buildIndex, IndexFormatError, loadIndex, lookupAll, type ListIndex } from './index';

export const LISTS_DB = 'provenance-lens-lists';
export const LISTS_DB_VERSION = 1;
export const USER_LIST_ID = 'user';
export const USER_LIST_NAME = 'My list';

export interface StoredListMeta {
  id: string;
  header: ListHeader;
  entries: number;
  frames: number;
  alternates: number;
  sha256: number;
  /** Size of the list file. */
  bytes: number;
  storedAt: string;
}

export interface StoredFile {
  id: string;
  bytes: Uint8Array;
}

export interface StoredIndex {
  id: string;
  buffer: ArrayBuffer;
  storedAt: string;
}

export interface Subscription {
  id: string;
  url: string;
  /** Pinned publisher key, base64 of the raw 32 bytes. */
  publicKey: string;
  /** Optional name the user gave it; the list header's name is shown otherwise. */
  name?: string;
  enabled: boolean;
  addedAt: string;
  /** Per-subscription size cap in bytes (the updater's default otherwise). */
  maxBytes?: number;
}

export type ResourceState = 'never' | 'ok' | 'error' | 'held';

export interface ResourceStatus {
  id: string;
  /** 'list' for subscriptions; anything else for generic resources (e.g. 'trust'). */
  kind: string;
  url?: string;
  state: ResourceState;
  lastAttempt?: string;
  lastSuccess?: string;
  /** Why the last attempt failed or is held; cleared by a success. */
  lastError?: string;
  etag?: string;
  lastModified?: string;
  /** Lists: what is stored now. */
  sequence?: number;
  entries?: number;
  bytes?: number;
  /** state 'held': the new publisher key awaiting the user's confirmation (base64). */
  heldKey?: string;
}

export interface StoredResource {
  id: string;
  bytes: Uint8Array;
  storedAt: string;
  /** Where these bytes came from (a copy from an address no longer configured does not count). */
  url?: string;
  /** Validator's summary, e.g. { certificates: 12 }. */
  summary?: Record<string, string | number | boolean>;
}

interface ListsDB extends DBSchema {
  lists: { key: string; value: StoredListMeta };
  files: { key: string; value: StoredFile };
  indexes: { key: string; value: StoredIndex };
  subscriptions: { key: string; value: Subscription };
  status: { key: string; value: ResourceStatus };
  resources: { key: string; value: StoredResource };
}

/** Where update status is read and written (the generic updater needs only this). */
export interface StatusStore {
  getStatus(id: string): Promise<ResourceStatus | undefined>;
  putStatus(status: ResourceStatus): Promise<void>;
}

export class ListStore implements StatusStore {
  private indexCache = new Map<string, { storedAt: string; index: ListIndex }>();

  private constructor(readonly db: IDBPDatabase<ListsDB>) {}

  static async open(opts: { name?: string } = {}): Promise<ListStore> {
    const db = await openDB<ListsDB>(opts.name ?? LISTS_DB, LISTS_DB_VERSION, {
      upgrade(db, oldVersion) {
        // Additive only: never delete a store here, the user's list lives in them.
        if (oldVersion < 1) {
          for (const name of ['lists', 'files', 'indexes', 'subscriptions', 'status', 'resources'] as const) {
            if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath: 'id' });
          }
        }
      },
    });
    return new ListStore(db);
  }

  close(): void {
    this.db.close();
  }

  // ───────────── lists ─────────────

  listMetas(): Promise<StoredListMeta[]> {
    return this.db.getAll('lists');
  }

  getMeta(id: string): Promise<StoredListMeta | undefined> {
    return this.db.get('lists', id);
  }

  async getListBytes(id: string): Promise<Uint8Array | undefined> {
    return (await this.db.get('files', id))?.bytes;
  }

  async getList(id: string): Promise<HashList | undefined> {
    const bytes = await this.getListBytes(id);
    return bytes ? parseList(bytes) : undefined;
  }

  /**
   * Replace a list (file bytes, meta, index) and optionally its status, in one transaction.
   * The list must already be validated; the index is built before the transaction opens.
   */
  async replaceList(id: string, bytes: Uint8Array, list: HashList, status?: ResourceStatus, index?: ListIndex): Promise<StoredListMeta> {
    const storedAt = new Date().toISOString();
    const ix = index ?? buildIndex([{ id, name: list.header.name, entries: list.entries }]);
    const meta = metaFor(id, bytes, list, storedAt);
    const tx = this.db.transaction(['lists', 'files', 'indexes', 'status'], 'readwrite');
    await Promise.all([
      tx.objectStore('lists').put(meta),
      tx.objectStore('files').put({ id, bytes }),
      tx.objectStore('indexes').put({ id, buffer: ix.buffer, storedAt }),
      status ? tx.objectStore('status').put(status) : undefined,
      tx.done,
    ]);
    this.indexCache.set(id, { storedAt, index: ix });
    return meta;
  }

  /** The list's index, rebuilt from the stored bytes (and stored again) if its blob is stale or damaged. */
  async getIndex(id: string): Promise<ListIndex | undefined> {
    const meta = await this.getMeta(id);
    if (!meta) return undefined;
    const cached = this.indexCache.get(id);
    if (cached && cached.storedAt === meta.storedAt) return cached.index;
    const stored = await this.db.get('indexes', id);
    let index: ListIndex | undefined;
    if (stored && stored.storedAt === meta.storedAt) {
      try {
        index = loadIndex(stored.buffer);
      } catch (err) {
        if (!(err instanceof IndexFormatError)) throw err;
      }
    }
    if (!index) {
      const list = await this.getList(id);
      if (!list) return undefined;
      index = buildIndex([{ id, name: list.header.name, entries: list.entries }]);
      const tx = this.db.transaction(['indexes'], 'readwrite');
      await Promise.all([tx.objectStore('indexes').put({ id, buffer: index.buffer, storedAt: meta.storedAt }), tx.done]);
    }
    this.indexCache.set(id, { storedAt: meta.storedAt, index });
    return index;
  }

  /** Indexes of the user's list and of every enabled subscription that has a stored list. */
  async activeIndexes(): Promise<ListIndex[]> {
    const [metas, subs] = await Promise.all([this.listMetas(), this.subscriptions()]);
    const disabled = new Set(subs.filter((s) => !s.enabled).map((s) => s.id));
    const out: ListIndex[] = [];
    for (const m of metas) {
      if (disabled.has(m.id)) continue;
      const ix = await this.getIndex(m.id);
      if (ix) out.push(ix);
    }
    return out;
  }

  /** Matches against all active lists. */
  async lookup(query?: VideoFingerprint, sha256?: string): Promise<ListMatch[]> {
    return lookupAll(await this.activeIndexes(), query, sha256);
  }

  async deleteList(id: string): Promise<void> {
    await this.deleteFrom(['lists', 'files', 'indexes', 'status'], id);
  }

  /** Deletes `id` from the given stores in one transaction (all or nothing). */
  private async deleteFrom(stores: ('subscriptions' | 'lists' | 'files' | 'indexes' | 'status')[], id: string): Promise<void> {
    const tx = this.db.transaction(stores, 'readwrite');
    await Promise.all([...stores.map((name) => tx.objectStore(name).delete(id)), tx.done]);
    this.indexCache.delete(id);
  }

  // ───────────── the user's own list ─────────────

  async getUserList(): Promise<HashList> {
    return (await this.getList(USER_LIST_ID)) ?? emptyUserList();
  }

  /** Add an entry (or replace the one with the same id). Validated as a list entry first. */
  addUserEntry(entry: ListEntry): Promise<HashList> {
    return this.editUserList((list) => {
      const i = list.entries.findIndex((e) => e.id === entry.id);
      if (i >= 0) list.entries[i] = entry;
      else list.entries.push(entry);
    });
  }

  removeUserEntry(entryId: string): Promise<HashList> {
    return this.editUserList((list) => {
      list.entries = list.entries.filter((e) => e.id !== entryId);
    });
  }

  /**
   * Read-modify-write of the user's list inside one transaction, so two edits from two
   * contexts cannot lose each other. `edit` must be synchronous.
   */
  async editUserList(edit: (list: HashList) => void): Promise<HashList> {
    const tx = this.db.transaction(['lists', 'files', 'indexes'], 'readwrite');
    const file = await tx.objectStore('files').get(USER_LIST_ID);
    const list = file ? parseList(file.bytes) : emptyUserList();
    edit(list);
    list.header = { ...list.header, sequence: list.header.sequence + 1, created: new Date().toISOString() };
    // Round-trip through the strict parser: the user's list obeys the same rules as any list.
    const text = serializeList(list);
    const checked = parseList(text);
    const bytes = new TextEncoder().encode(text);
    const index = buildIndex([{ id: USER_LIST_ID, name: checked.header.name, entries: checked.entries }]);
    const storedAt = new Date().toISOString();
    await Promise.all([
      tx.objectStore('lists').put(metaFor(USER_LIST_ID, bytes, checked, storedAt)),
      tx.objectStore('files').put({ id: USER_LIST_ID, bytes }),
      tx.objectStore('indexes').put({ id: USER_LIST_ID, buffer: index.buffer, storedAt }),
      tx.done,
    ]);
    this.indexCache.set(USER_LIST_ID, { storedAt, index });
    return checked;
  }

  // ───────────── subscriptions ─────────────

  subscriptions(): Promise<Subscription[]> {
    return this.db.getAll('subscriptions');
  }

  getSubscription(id: string): Promise<Subscription | undefined> {
    return this.db.get('subscriptions', id);
  }

  async putSubscription(sub: Subscription): Promise<void> {
    if (sub.id === USER_LIST_ID) throw new Error(`"${USER_LIST_ID}" is reserved for your own list`);
    await this.db.put('subscriptions', sub);
  }

  /** Pin a new key and clear the held state, together. */
  async pinKey(id: string, publicKey: string, status: ResourceStatus): Promise<void> {
    const tx = this.db.transaction(['subscriptions', 'status'], 'readwrite');
    const sub = await tx.objectStore('subscriptions').get(id);
    if (!sub) throw new Error(`no subscription "${id}"`);
    await Promise.all([tx.objectStore('subscriptions').put({ ...sub, publicKey }), tx.objectStore('status').put(status), tx.done]);
  }

  /** Remove a subscription with its list, index and status. */
  async deleteSubscription(id: string): Promise<void> {
    if (id === USER_LIST_ID) throw new Error('your own list is not a subscription');
    await this.deleteFrom(['subscriptions', 'lists', 'files', 'indexes', 'status'], id);
  }

  // ───────────── status ─────────────

  getStatus(id: string): Promise<ResourceStatus | undefined> {
    return this.db.get('status', id);
  }

  async putStatus(status: ResourceStatus): Promise<void> {
    await this.db.put('status', status);
  }

  statuses(): Promise<ResourceStatus[]> {
    return this.db.getAll('status');
  }

  // ───────────── other resources (trust lists) ─────────────

  getResource(id: string): Promise<StoredResource | undefined> {
    return this.db.get('resources', id);
  }

  async putResource(resource: StoredResource, status: ResourceStatus): Promise<void> {
    const tx = this.db.transaction(['resources', 'status'], 'readwrite');
    await Promise.all([tx.objectStore('resources').put(resource), tx.objectStore('status').put(status), tx.done]);
  }

  // ───────────── backup import (see backup.ts) ─────────────

  /**
   * Write already-validated backup content in one transaction: subscriptions not present
   * yet are added (existing ones, with their pinned keys, are kept), and the user's list is
   * merged by `merge`, which receives the current list.
   */
  async importValidated(subs: Subscription[], merge: (current: HashList) => HashList): Promise<{ added: string[]; kept: string[]; userList: HashList }> {
    const tx = this.db.transaction(['subscriptions', 'lists', 'files', 'indexes'], 'readwrite');
    const existing = await tx.objectStore('subscriptions').getAll();
    const byId = new Set(existing.map((s) => s.id));
    const byUrl = new Set(existing.map((s) => s.url));
    const added: string[] = [];
    const kept: string[] = [];
    for (const s of subs) {
      if (byId.has(s.id) || byUrl.has(s.url)) kept.push(s.id);
      else added.push(s.id);
    }
    const file = await tx.objectStore('files').get(USER_LIST_ID);
    const current = file ? parseList(file.bytes) : emptyUserList();
    const merged = merge(current);
    const text = serializeList(merged);
    const checked = parseList(text);
    const bytes = new TextEncoder().encode(text);
    const index = buildIndex([{ id: USER_LIST_ID, name: checked.header.name, entries: checked.entries }]);
    const storedAt = new Date().toISOString();
    const writes: Promise<unknown>[] = subs.filter((s) => added.includes(s.id)).map((s) => tx.objectStore('subscriptions').put(s));
    writes.push(
      tx.objectStore('lists').put(metaFor(USER_LIST_ID, bytes, checked, storedAt)),
      tx.objectStore('files').put({ id: USER_LIST_ID, bytes }),
      tx.objectStore('indexes').put({ id: USER_LIST_ID, buffer: index.buffer, storedAt }),
    );
    await Promise.all([...writes, tx.done]);
    this.indexCache.set(USER_LIST_ID, { storedAt, index });
    return { added, kept, userList: checked };
  }
}

function metaFor(id: string, bytes: Uint8Array, list: HashList, storedAt: string): StoredListMeta {
  return { id, header: list.header, ...listStats(list), bytes: bytes.byteLength, storedAt };
}

export function emptyUserList(): HashList {
  return { header: newHeader({ name: USER_LIST_NAME, publisher: '', sequence: 0, created: new Date().toISOString() }), entries: [] };
}

/**
 * A user-list entry from a lookup result: the video's SHA-256 and/or frames, with the
 * user's label and note. The id defaults to one derived from the digest or the time.
 */
export function userEntryFromCheck(c: {
  label: string;
  notes?: string;
  source?: string;
  sha256?: string;
  frames?: FrameHash[];
  alternates?: VideoFingerprint['alternates'];
  id?: string;
  now?: Date;
}): ListEntry {
  const now = c.now ?? new Date();
  const sha = c.sha256?.toLowerCase();
  if (sha !== undefined && !isHex64(sha)) throw new Error('sha256 must be 64 hex characters');
  const hashes = fingerprintToEntryHashes({ frames: c.frames ?? [], alternates: c.alternates });
  return {
    id: c.id ?? (sha ? `sha256-${sha.slice(0, 16)}` : `added-${now.getTime().toString(36)}`),
    label: c.label,
    source: c.source ?? '',
    notes: c.notes ?? '',
    added: now.toISOString(),
    sha256: sha ? [sha] : [],
    ...hashes,
  };
}
