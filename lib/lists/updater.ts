/**
 * Keeping fetched resources current: subscribed hash lists and C2PA trust lists.
 *
 * One generic core, `updateResource`: conditional fetch (If-None-Match / If-Modified-Since
 * → 304 means nothing to do, recorded as a success), size cap (Content-Length and while
 * streaming), caller's validation, then the caller's atomic store of value + status. Any
 * failure — network, HTTP status, size, validation — only writes a status record saying
 * why; the stored value stays exactly as it was.
 *
 * Subscribed lists add: the detached signature fetched from `<list url>.sig` (".sig" appended
 * to the URL's path, any query kept; see `signatureUrl`) and checked
 * against the pinned publisher key; a validly signed list under a *different* key (named by
 * the .sig's `signed-by` line) is held with status "publisher key changed — confirm" until
 * `confirmPublisherKey` is called; the `sequence` must grow (an equal sequence with
 * identical bytes is "unchanged", anything else is refused as a rollback).
 *
 * Pure: `fetch`, `now` and the store are injected; no timers here (the background's alarms
 * call `updateAll` / `updateTrustList`).
 */
import { parseList, type HashList, type ListLimits } from './format';
import { buildIndex, type ListIndex } from './index';
import { decodePublicKey, equalBytes, toBase64, verifyDetached } from './signature';
import { readBodyCapped } from '../media/fetch';
import { USER_LIST_ID, type ListStore, type ResourceStatus, type StatusStore, type Subscription } from './store';

// ───────────────────────────── injected dependencies ─────────────────────────────

export interface ResponseLike {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  body?: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type FetchLike = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal; cache?: RequestCache; credentials?: RequestCredentials }) => Promise<ResponseLike>;

/** The global fetch as a FetchLike (called unbound: browsers refuse fetch with another `this`). */
export const platformFetch: FetchLike = (url, init) => fetch(url, init) as unknown as Promise<ResponseLike>;

export interface UpdaterDeps {
  fetch: FetchLike;
  now?: () => Date;
  /** Per request; default 120 s. */
  timeoutMs?: number;
}

export const DEFAULT_LIST_MAX_BYTES = 128 * 1024 * 1024;
export const DEFAULT_RESOURCE_MAX_BYTES = 8 * 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 4096;
export const HELD_KEY_MESSAGE = 'publisher key changed — confirm';

/** Where a list's signature is fetched from. */
export function signatureUrl(listUrl: string): string {
  const u = new URL(listUrl);
  u.pathname += '.sig';
  return u.toString();
}

/** Subscriptions are http(s) URLs without credentials. */
export function checkListUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a URL: "${String(url).slice(0, 200)}"`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`list URLs must be http(s), not ${u.protocol}`);
  if (u.username || u.password) throw new Error('list URLs must not carry credentials');
  return u;
}

// ───────────────────────────── the generic core ─────────────────────────────

/** Thrown by a validator to refuse an update with a status other than a plain error. */
export class UpdateRefused extends Error {
  override name = 'UpdateRefused';
  constructor(
    message: string,
    readonly state: 'error' | 'held' = 'error',
    readonly patch: Partial<ResourceStatus> = {},
  ) {
    super(message);
  }
}

export type Validated<T> =
  | { unchanged: true }
  | { unchanged?: false; value: T; summary?: Partial<ResourceStatus> };

export interface ResourceSpec<T> {
  id: string;
  url: string;
  /** Recorded in the status ('list', 'trust', …). */
  kind: string;
  maxBytes: number;
  statusStore: StatusStore;
  /** Whether a stored copy exists (conditional requests only make sense then). */
  hasStored(): Promise<boolean>;
  /** Check the bytes; throw (Error or UpdateRefused) to refuse them. */
  validate(bytes: Uint8Array, previous: ResourceStatus | undefined): Promise<Validated<T>> | Validated<T>;
  /** Persist the value and the success status in ONE transaction. */
  store(value: T, status: ResourceStatus): Promise<void>;
}

export type UpdateResult = 'updated' | 'not-modified' | 'unchanged' | 'failed' | 'held';

export interface UpdateOutcome {
  id: string;
  result: UpdateResult;
  /** Why, for failed and held. */
  error?: string;
  status: ResourceStatus;
}

export async function updateResource<T>(deps: UpdaterDeps, spec: ResourceSpec<T>): Promise<UpdateOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const previous = await spec.statusStore.getStatus(spec.id);
  const base: ResourceStatus = { ...(previous ?? { state: 'never' }), id: spec.id, kind: spec.kind, url: spec.url, lastAttempt: now };

  const fail = async (err: unknown): Promise<UpdateOutcome> => {
    const refused = err instanceof UpdateRefused ? err : undefined;
    const message = describeError(err);
    const status: ResourceStatus = { ...base, ...refused?.patch, state: refused?.state ?? 'error', lastError: message };
    if (status.state !== 'held') delete status.heldKey;
    await spec.statusStore.putStatus(status);
    return { id: spec.id, result: status.state === 'held' ? 'held' : 'failed', error: message, status };
  };

  try {
    // Validators compare against what is stored: conditional headers only when a copy exists.
    // …and only for the same address: an ETag from another URL means nothing here.
    const haveCopy = previous?.state !== undefined && previous.lastSuccess !== undefined && previous.url === spec.url && (await spec.hasStored());
    const headers: Record<string, string> = {};
    if (haveCopy && previous?.etag) headers['If-None-Match'] = previous.etag;
    if (haveCopy && previous?.lastModified) headers['If-Modified-Since'] = previous.lastModified;
    const { res, bytes } = await fetchWithTimeout(deps, spec.url, headers, spec.maxBytes, spec.url);
    if (res.status === 304) {
      if (!haveCopy) throw new Error('server answered 304 Not Modified but nothing is stored yet');
      const status = clearedSuccess(base, now);
      await spec.statusStore.putStatus(status);
      return { id: spec.id, result: 'not-modified', status };
    }
    if (!res.ok || !bytes) throw new Error(`HTTP ${res.status} from ${spec.url}`);
    const validated = await spec.validate(bytes, previous);
    const success: ResourceStatus = {
      ...clearedSuccess(base, now),
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
    };
    if (validated.unchanged) {
      await spec.statusStore.putStatus(success);
      return { id: spec.id, result: 'unchanged', status: success };
    }
    const status = { ...success, ...validated.summary, bytes: bytes.byteLength };
    await spec.store(validated.value, status);
    return { id: spec.id, result: 'updated', status };
  } catch (err) {
    return fail(err);
  }
}

function clearedSuccess(base: ResourceStatus, now: string): ResourceStatus {
  const s: ResourceStatus = { ...base, state: 'ok', lastSuccess: now };
  delete s.lastError;
  delete s.heldKey;
  return s;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'AbortError' || err.name === 'TimeoutError') return 'network: the request timed out';
    if (err instanceof TypeError) return `network: ${err.message}`;
    return err.message;
  }
  return String(err);
}

/**
 * One request and its body, under one deadline (a server that stalls in the middle of the
 * body must not hold an update forever). 304 and error statuses come back without a body.
 */
async function fetchWithTimeout(
  deps: UpdaterDeps,
  url: string,
  headers: Record<string, string>,
  maxBytes: number,
  what: string,
): Promise<{ res: ResponseLike; bytes?: Uint8Array }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), deps.timeoutMs ?? 120_000);
  try {
    // no-store: our own validators decide; a browser cache answering 200 from a stale copy would hide 304s.
    const res = await deps.fetch(url, { headers, signal: ac.signal, cache: 'no-store', credentials: 'omit' });
    if (res.status === 304 || !res.ok) {
      await res.body?.cancel().catch(() => {});
      return { res };
    }
    return { res, bytes: await readCapped(res, maxBytes, what) };
  } catch (err) {
    if ((err as Error)?.name === 'AbortError' || ac.signal.aborted) throw new Error(`timed out after ${Math.round((deps.timeoutMs ?? 120_000) / 1000)} s`);
    if ((err as Error)?.message?.includes('-byte limit')) throw err;
    throw new Error(`network: ${(err as Error)?.message ?? err}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The body, refusing more than maxBytes without reading (much) more than that. */
export async function readCapped(res: ResponseLike, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooBig = () => new Error(`${what} is larger than the ${maxBytes}-byte limit`);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooBig();
  return readBodyCapped(res, maxBytes, tooBig);
}

// ───────────────────────────── subscriptions ─────────────────────────────

export interface ListUpdaterDeps extends UpdaterDeps {
  store: ListStore;
  /** Parser limits for fetched lists. */
  limits?: Partial<ListLimits>;
}

/** A stable id for a list URL: "sub-" + the first 12 hex of SHA-256(url). */
export async function subscriptionId(url: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url)));
  return 'sub-' + [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Record a subscription with its pinned key. Does not fetch: call `updateSubscription` next. */
export async function subscribe(deps: ListUpdaterDeps, s: { url: string; publicKey: string; name?: string; maxBytes?: number }): Promise<Subscription> {
  const url = checkListUrl(s.url).toString();
  const key = toBase64(decodePublicKey(s.publicKey));
  const id = await subscriptionId(url);
  const existing = await deps.store.subscriptions();
  if (existing.some((x) => x.id === id || x.url === url)) throw new Error(`already subscribed to ${url}`);
  const sub: Subscription = { id, url, publicKey: key, enabled: true, addedAt: (deps.now ?? (() => new Date()))().toISOString() };
  if (s.name) sub.name = s.name;
  if (s.maxBytes) sub.maxBytes = s.maxBytes;
  await deps.store.putSubscription(sub);
  await deps.store.putStatus({ id, kind: 'list', url, state: 'never' });
  return sub;
}

export async function unsubscribe(deps: ListUpdaterDeps, id: string): Promise<void> {
  await deps.store.deleteSubscription(id);
}

export async function setSubscriptionEnabled(deps: ListUpdaterDeps, id: string, enabled: boolean): Promise<void> {
  const sub = await deps.store.getSubscription(id);
  if (!sub) throw new Error(`no subscription "${id}"`);
  await deps.store.putSubscription({ ...sub, enabled });
}

interface ValidatedList {
  bytes: Uint8Array;
  list: HashList;
  index: ListIndex;
}

export async function updateSubscription(deps: ListUpdaterDeps, id: string): Promise<UpdateOutcome> {
  if (id === USER_LIST_ID) throw new Error('your own list is not fetched');
  const sub = await deps.store.getSubscription(id);
  if (!sub) throw new Error(`no subscription "${id}"`);
  const { store } = deps;
  return updateResource<ValidatedList>(deps, {
    id,
    url: sub.url,
    kind: 'list',
    maxBytes: sub.maxBytes ?? DEFAULT_LIST_MAX_BYTES,
    statusStore: store,
    hasStored: async () => (await store.getMeta(id)) !== undefined,
    async validate(bytes) {
      const sig = await fetchWithTimeout(deps, signatureUrl(sub.url), {}, MAX_SIGNATURE_BYTES, 'signature file');
      if (!sig.bytes) throw new Error(`signature: HTTP ${sig.res.status} from ${signatureUrl(sub.url)}`);
      const sigText = new TextDecoder().decode(sig.bytes);
      const verdict = await verifyDetached(bytes, sigText, decodePublicKey(sub.publicKey));
      if (!verdict.ok) {
        if (verdict.reason === 'key-changed') throw new UpdateRefused(`${HELD_KEY_MESSAGE}: ${verdict.message}`, 'held', { heldKey: verdict.newKey });
        throw new Error(verdict.message);
      }
      let list: HashList;
      try {
        list = parseList(bytes, deps.limits);
      } catch (err) {
        throw new Error(`list does not parse: ${(err as Error).message}`);
      }
      const stored = await store.getMeta(id);
      if (stored) {
        const had = stored.header.sequence;
        const got = list.header.sequence;
        if (got === had) {
          const old = await store.getListBytes(id);
          if (old && equalBytes(old, bytes)) return { unchanged: true };
        }
        if (got <= had) throw new Error(`rollback refused: sequence ${got} is not newer than the stored ${had}`);
      }
      const index = buildIndex([{ id, name: sub.name ?? list.header.name, entries: list.entries }]);
      return { value: { bytes, list, index }, summary: { sequence: list.header.sequence, entries: list.entries.length } };
    },
    async store(v, status) {
      await store.replaceList(id, v.bytes, v.list, status, v.index);
    },
  });
}

/** Every enabled subscription, one after the other (each records its own status). */
export async function updateAll(deps: ListUpdaterDeps): Promise<UpdateOutcome[]> {
  const out: UpdateOutcome[] = [];
  for (const sub of await deps.store.subscriptions()) {
    if (sub.enabled) out.push(await updateSubscription(deps, sub.id));
  }
  return out;
}

/**
 * The user accepts the publisher's new key (shown to them from status.heldKey): pin it and
 * fetch again. Refuses a key other than the one held, so a stale confirmation cannot pin
 * whatever key turns up next.
 */
export async function confirmPublisherKey(deps: ListUpdaterDeps, id: string, newKey: string): Promise<UpdateOutcome> {
  const status = await deps.store.getStatus(id);
  const key = toBase64(decodePublicKey(newKey));
  if (status?.state !== 'held' || status.heldKey !== key) throw new Error('no key change is waiting for this key on this subscription');
  const cleared: ResourceStatus = { ...status, state: status.lastSuccess ? 'ok' : 'never' };
  delete cleared.heldKey;
  delete cleared.lastError;
  await deps.store.pinKey(id, key, cleared);
  return updateSubscription(deps, id);
}

// ───────────────────────────── C2PA trust lists ─────────────────────────────

export interface PemSummary {
  text: string;
  certificates: number;
}

/**
 * A PEM bundle with at least one certificate whose base64 body decodes to a DER SEQUENCE.
 * Other PEM blocks (keys, CRLs) are refused: a trust list holds certificates only.
 */
export function validatePemCertificates(bytes: Uint8Array): PemSummary {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('trust list is not text (invalid UTF-8)');
  }
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  let certificates = 0;
  let m: RegExpExecArray | null;
  while ((m = block.exec(text))) {
    if (m[1] !== 'CERTIFICATE') throw new Error(`trust list contains a "${m[1]}" block; only certificates are allowed`);
    const b64 = m[2].replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error(`certificate ${certificates + 1} is not valid base64`);
    const first = atob(b64.slice(0, 4)).charCodeAt(0);
    if (first !== 0x30 || b64.length < 100) throw new Error(`certificate ${certificates + 1} is not a DER certificate`);
    certificates++;
  }
  if (!certificates) throw new Error('trust list holds no PEM certificate');
  const leftover = text.replace(block, '').trim();
  if (/-----(BEGIN|END) /.test(leftover)) throw new Error('trust list has an unterminated PEM block');
  return { text, certificates };
}

/**
 * Fetch a resource into the `resources` store (read it back with `store.getResource(id)`),
 * validated by `validate` — by default as a PEM trust list. Validators return a small
 * summary kept with the resource, or throw to refuse the bytes.
 */
export async function updateStoredResource(
  deps: ListUpdaterDeps,
  r: { id: string; url: string; kind?: string; maxBytes?: number; validate?: (bytes: Uint8Array) => Record<string, string | number | boolean> },
): Promise<UpdateOutcome> {
  const { store } = deps;
  const validate = r.validate ?? ((bytes: Uint8Array) => ({ certificates: validatePemCertificates(bytes).certificates }));
  return updateResource<{ bytes: Uint8Array; summary: Record<string, string | number | boolean> }>(deps, {
    id: r.id,
    url: r.url,
    kind: r.kind ?? 'trust',
    maxBytes: r.maxBytes ?? DEFAULT_RESOURCE_MAX_BYTES,
    statusStore: store,
    hasStored: async () => (await store.getResource(r.id)) !== undefined,
    validate(bytes) {
      return { value: { bytes, summary: validate(bytes) } };
    },
    async store(v, status) {
      await store.putResource({ id: r.id, bytes: v.bytes, url: r.url, storedAt: status.lastSuccess ?? new Date().toISOString(), summary: v.summary }, status);
    },
  });
}

/** A C2PA trust list (PEM certificates): `updateStoredResource` with the PEM validator. */
export function updateTrustList(deps: ListUpdaterDeps, r: { id: string; url: string; maxBytes?: number }): Promise<UpdateOutcome> {
  return updateStoredResource(deps, { ...r, kind: 'trust' });
}
