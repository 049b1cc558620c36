/**
 * Keeps one downloaded text resource fresh: conditional request (ETag / Last-Modified),
 * validation, then an atomic replace. A failed update keeps the previous text and records why.
 */
import { db, type StoredResource } from '../db';
import { fetchText } from '../media/fetch';

export interface ResourceUpdate {
  id: string;
  url: string;
  /** Returns a reason to refuse the text, or undefined to accept it. */
  validate: (text: string) => string | undefined;
  /** Skip the request when the stored copy is younger than this. */
  maxAgeMs: number;
  maxBytes?: number;
  fetchImpl?: typeof fetch;
  now?: number;
}

export async function updateStoredResource(u: ResourceUpdate): Promise<StoredResource> {
  const d = await db();
  const now = u.now ?? Date.now();
  const prev = await d.get('resources', u.id);
  const sameUrl = prev?.url === u.url;
  if (sameUrl && prev?.text && prev.fetchedAt && now - prev.fetchedAt < u.maxAgeMs) return prev;
  const headers: Record<string, string> = {};
  if (sameUrl && prev?.text) {
    if (prev.etag) headers['If-None-Match'] = prev.etag;
    if (prev.lastModified) headers['If-Modified-Since'] = prev.lastModified;
  }
  let next: StoredResource;
  try {
    const res = await fetchConditional(u, headers);
    if (res.status === 304 && sameUrl && prev?.text) {
      next = { ...prev, fetchedAt: now, lastAttempt: now, lastError: undefined };
    } else {
      const problem = u.validate(res.text);
      if (problem) throw new Error(`refused: ${problem}`);
      next = {
        id: u.id,
        url: u.url,
        text: res.text,
        etag: res.headers.get('etag') ?? undefined,
        lastModified: res.headers.get('last-modified') ?? undefined,
        fetchedAt: now,
        lastAttempt: now,
      };
    }
  } catch (err) {
    // Keep what we had (only if it came from this address); say why the update failed.
    next = sameUrl && prev ? { ...prev, lastAttempt: now, lastError: (err as Error).message } : { id: u.id, url: u.url, text: '', lastAttempt: now, lastError: (err as Error).message };
  }
  await d.put('resources', next);
  return next;
}

async function fetchConditional(u: ResourceUpdate, headers: Record<string, string>) {
  return fetchText(u.url, { fetchImpl: u.fetchImpl, headers, maxBytes: u.maxBytes ?? 8 * 1024 * 1024, timeoutMs: 30_000 });
}
