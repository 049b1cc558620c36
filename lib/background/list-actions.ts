/**
 * What the options page and popup can ask about lists, as plain functions over the list
 * store and the updater (the background wires them to messages and alarms).
 */
import { exportBackup, importBackup } from '../lists/backup';
import { USER_LIST_ID, userEntryFromCheck, type ListStore, type ResourceStatus, type StoredListMeta, type Subscription } from '../lists/store';
import { confirmPublisherKey, setSubscriptionEnabled, subscribe, unsubscribe, updateAll, updateSubscription, type FetchLike, type UpdateOutcome } from '../lists/updater';
import type { ListEntry } from '../lists/format';
import type { Evidence } from '../verdict';

export interface ListRow {
  id: string;
  name: string;
  subscription?: Subscription;
  meta?: StoredListMeta;
  status?: ResourceStatus;
}

export interface ListsOverview {
  lists: ListRow[];
  user: { entries: Pick<ListEntry, 'id' | 'label' | 'notes' | 'source' | 'added'>[] };
}

export async function listsOverview(store: ListStore): Promise<ListsOverview> {
  const [subs, metas, statuses, user] = await Promise.all([store.subscriptions(), store.listMetas(), store.statuses(), store.getUserList()]);
  const meta = new Map(metas.map((m) => [m.id, m]));
  const status = new Map(statuses.map((s) => [s.id, s]));
  return {
    lists: subs.map((s) => ({ id: s.id, name: s.name ?? meta.get(s.id)?.header.name ?? s.url, subscription: s, meta: meta.get(s.id), status: status.get(s.id) })),
    user: { entries: user.entries.map(({ id, label, notes, source, added }) => ({ id, label, notes, source, added })) },
  };
}

export interface ListDeps {
  store: ListStore;
  fetch: FetchLike;
  now?: () => Date;
}

export async function subscribeAndUpdate(d: ListDeps, s: { url: string; publicKey: string; name?: string }): Promise<UpdateOutcome> {
  const sub = await subscribe(d, s);
  return updateSubscription(d, sub.id);
}

export const updateOne = (d: ListDeps, id: string) => updateSubscription(d, id);
export const updateEvery = (d: ListDeps) => updateAll(d);
export const removeList = (d: ListDeps, id: string) => unsubscribe(d, id);
export const enableList = (d: ListDeps, id: string, enabled: boolean) => setSubscriptionEnabled(d, id, enabled);
export const confirmKey = (d: ListDeps, id: string, key: string) => confirmPublisherKey(d, id, key);

/** Adds what a check found (its SHA-256 and frames) to the user's own list, with their label and note. */
export async function addToUserList(store: ListStore, e: Evidence, label: string, notes?: string): Promise<void> {
  if (!e.sha256 && !e.frames?.length) throw new Error('this check found nothing to list (no bytes were read)');
  const entry = userEntryFromCheck({ label, notes, source: /^https?:\/\//.test(e.source) ? e.source : undefined, sha256: e.sha256, frames: e.frames, alternates: e.alternates });
  await store.addUserEntry(entry);
}

export const removeFromUserList = (store: ListStore, id: string) => store.removeUserEntry(id);
export const backupText = (store: ListStore, settings: unknown) => exportBackup(store, settings);
export const restoreBackup = (store: ListStore, text: string) => importBackup(store, text);
export { USER_LIST_ID };
