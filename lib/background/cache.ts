/** Cached verdicts: reused while fresh and validated against the current trust configuration. */
import { db, type CachedVerdict } from '../db';

export const VERDICT_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 5000;

export async function getCached(key: string, trustVersion: string | null, now = Date.now()): Promise<CachedVerdict | undefined> {
  const hit = await (await db()).get('verdicts', key);
  if (!hit) return undefined;
  if (now - hit.storedAt > VERDICT_TTL_MS) return undefined;
  // A C2PA verdict made without (or with other) trust lists may change under the current ones.
  if (hit.evidence.c2pa && hit.evidence.c2pa.state !== 'absent' && hit.trustVersion !== trustVersion) return undefined;
  return hit;
}

/** The stored entry whatever its age or trust version. */
export async function getCachedEntry(key: string): Promise<CachedVerdict | undefined> {
  return (await db()).get('verdicts', key);
}

export async function putCached(entry: CachedVerdict): Promise<void> {
  await (await db()).put('verdicts', entry);
}

export async function allCached(): Promise<CachedVerdict[]> {
  return (await db()).getAll('verdicts');
}

/** Keeps the newest MAX_ENTRIES; run now and then, not on every write. */
export async function pruneCache(max = MAX_ENTRIES): Promise<number> {
  const d = await db();
  const n = await d.count('verdicts');
  if (n <= max) return 0;
  const tx = d.transaction('verdicts', 'readwrite');
  let cursor = await tx.store.index('storedAt').openCursor();
  let removed = 0;
  while (cursor && removed < n - max) {
    await cursor.delete();
    removed++;
    cursor = await cursor.continue();
  }
  await tx.done;
  return removed;
}
