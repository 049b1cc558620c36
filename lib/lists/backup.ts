/**
 * Backup of everything the user set up, as one JSON file:
 *
 *   { "format": "provenance-lens-backup", "version": 1, "exported": "<ISO date>",
 *     "subscriptions": [{ "id", "url", "publicKey", "name"?, "enabled", "addedAt", "maxBytes"? }],
 *     "userList": "<the user's list file, canonical JSON Lines text>",
 *     "settings": <opaque, whatever the caller passed> }
 *
 * Subscribed lists' contents are not included: they are signed by their publishers and
 * are fetched again after an import. Importing validates the whole file before writing
 * anything, then adds what is missing in one transaction: existing subscriptions (and
 * their pinned keys) are kept, the user's current entries are kept, and imported entries
 * whose id is taken by a different entry are added under a new id.
 */
import { parseList, serializeList, type HashList, type ListEntry, serializeEntry } from './format';
import { decodePublicKey } from './signature';
import { USER_LIST_ID, type ListStore, type Subscription } from './store';
import { checkListUrl } from './updater';

export const BACKUP_FORMAT = 'provenance-lens-backup';
export const BACKUP_VERSION = 1;
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;
const MAX_SUBSCRIPTIONS = 1000;

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface ParsedBackup {
  exported: string;
  subscriptions: Subscription[];
  userList: HashList | null;
  settings: unknown;
}

export interface ImportReport {
  settings: unknown;
  subscriptionsAdded: string[];
  /** Already present (same id or URL): left as they were. */
  subscriptionsKept: string[];
  userEntriesAdded: number;
  /** Imported entries whose id was taken by a different entry, added under a new id. */
  userEntriesRenamed: number;
}

export async function exportBackup(store: ListStore, settings: unknown, now: Date = new Date()): Promise<string> {
  const [subscriptions, user] = await Promise.all([store.subscriptions(), store.getList(USER_LIST_ID)]);
  return JSON.stringify(
    {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      exported: now.toISOString(),
      subscriptions: subscriptions.map(cleanSubscription),
      userList: user ? serializeList(user) : null,
      settings: settings ?? null,
    },
    null,
    1,
  );
}

/** Validate a backup file completely; throws BackupError naming the first problem. */
export function parseBackup(text: string): ParsedBackup {
  if (typeof text !== 'string') throw new BackupError('backup must be text');
  if (text.length > MAX_BACKUP_BYTES) throw new BackupError(`backup is larger than ${MAX_BACKUP_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new BackupError(`backup is not valid JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BackupError('backup must be a JSON object');
  const o = v as Record<string, unknown>;
  if (o.format !== BACKUP_FORMAT) throw new BackupError(`not a Provenance Lens backup (format must be "${BACKUP_FORMAT}")`);
  if (o.version !== BACKUP_VERSION) throw new BackupError(`unsupported backup version ${JSON.stringify(o.version)}`);
  const exported = typeof o.exported === 'string' ? o.exported : '';
  if (!Array.isArray(o.subscriptions)) throw new BackupError('"subscriptions" must be an array');
  if (o.subscriptions.length > MAX_SUBSCRIPTIONS) throw new BackupError(`more than ${MAX_SUBSCRIPTIONS} subscriptions`);
  const seen = new Set<string>();
  const subscriptions = o.subscriptions.map((s, i) => {
    const sub = checkSubscription(s, i);
    if (seen.has(sub.id)) throw new BackupError(`subscriptions[${i}]: duplicate id "${sub.id}"`);
    seen.add(sub.id);
    return sub;
  });
  let userList: HashList | null = null;
  if (o.userList !== null && o.userList !== undefined) {
    if (typeof o.userList !== 'string') throw new BackupError('"userList" must be the list file text');
    try {
      userList = parseList(o.userList);
    } catch (err) {
      throw new BackupError(`userList: ${(err as Error).message}`);
    }
  }
  return { exported, subscriptions, userList, settings: o.settings ?? null };
}

function checkSubscription(s: unknown, i: number): Subscription {
  const where = `subscriptions[${i}]`;
  if (typeof s !== 'object' || s === null) throw new BackupError(`${where} must be an object`);
  const o = s as Record<string, unknown>;
  const str = (k: string, max = 4096) => {
    if (typeof o[k] !== 'string' || (o[k] as string).length > max) throw new BackupError(`${where}: "${k}" must be a string`);
    return o[k] as string;
  };
  const id = str('id', 256);
  if (!id || id === USER_LIST_ID) throw new BackupError(`${where}: invalid id "${id}"`);
  const url = str('url');
  try {
    checkListUrl(url);
  } catch (err) {
    throw new BackupError(`${where}: ${(err as Error).message}`);
  }
  const publicKey = str('publicKey', 512);
  try {
    decodePublicKey(publicKey);
  } catch (err) {
    throw new BackupError(`${where}: publicKey: ${(err as Error).message}`);
  }
  const sub: Subscription = { id, url, publicKey, enabled: o.enabled !== false, addedAt: typeof o.addedAt === 'string' ? o.addedAt : new Date(0).toISOString() };
  if (o.name !== undefined) sub.name = str('name', 256);
  if (o.maxBytes !== undefined) {
    if (typeof o.maxBytes !== 'number' || !Number.isSafeInteger(o.maxBytes) || o.maxBytes <= 0) throw new BackupError(`${where}: "maxBytes" must be a positive integer`);
    sub.maxBytes = o.maxBytes;
  }
  return sub;
}

function cleanSubscription(s: Subscription): Subscription {
  const out: Subscription = { id: s.id, url: s.url, publicKey: s.publicKey, enabled: s.enabled, addedAt: s.addedAt };
  if (s.name !== undefined) out.name = s.name;
  if (s.maxBytes !== undefined) out.maxBytes = s.maxBytes;
  return out;
}

/** Validate, then merge into the store in one transaction. Settings are returned for the caller to apply. */
export async function importBackup(store: ListStore, text: string): Promise<ImportReport> {
  const backup = parseBackup(text);
  let added = 0;
  let renamed = 0;
  const result = await store.importValidated(backup.subscriptions, (current) => {
    added = renamed = 0;
    const merged = mergeEntries(current.entries, backup.userList?.entries ?? []);
    added = merged.added;
    renamed = merged.renamed;
    return { header: current.header, entries: merged.entries };
  });
  return { settings: backup.settings, subscriptionsAdded: result.added, subscriptionsKept: result.kept, userEntriesAdded: added, userEntriesRenamed: renamed };
}

/** Current entries first and unchanged; imported ones appended unless identical to one present. */
export function mergeEntries(current: ListEntry[], imported: ListEntry[]): { entries: ListEntry[]; added: number; renamed: number } {
  const entries = [...current];
  const byId = new Map(current.map((e) => [e.id, serializeEntry(e)]));
  let added = 0;
  let renamed = 0;
  for (const e of imported) {
    const same = byId.get(e.id);
    if (same === serializeEntry(e)) continue;
    let entry = e;
    if (same !== undefined) {
      // Importing the same backup twice must not add the renamed copies again.
      let n = 2;
      let already = false;
      while (byId.has(`${e.id}~${n}`)) {
        if (byId.get(`${e.id}~${n}`) === serializeEntry({ ...e, id: `${e.id}~${n}` })) already = true;
        n++;
      }
      if (already) continue;
      entry = { ...e, id: `${e.id}~${n}` };
      renamed++;
    }
    byId.set(entry.id, serializeEntry(entry));
    entries.push(entry);
    added++;
  }
  return { entries, added, renamed };
}
