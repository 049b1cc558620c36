/**
 * The extension's IndexedDB (via idb): cached verdicts, and files a user picked for a manual
 * lookup (handed from the page to the worker without a copy in a message). Lists and the
 * downloaded trust lists live in the lists database (lib/lists/store.ts).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Evidence, Verdict } from './verdict';

export interface CachedVerdict {
  key: string;
  verdict: Verdict;
  /** What the check found, kept so lists can be re-matched without fetching again. */
  evidence: Evidence;
  storedAt: number;
  /** The trust configuration the C2PA part was validated against. */
  trustVersion: string | null;
}

export interface Upload {
  id: string;
  name: string;
  blob: Blob;
  storedAt: number;
}

interface Schema extends DBSchema {
  verdicts: { key: string; value: CachedVerdict; indexes: { storedAt: number } };
  uploads: { key: string; value: Upload };
}

export const DB_NAME = 'provenance-lens';
const DB_VERSION = 1;

let dbp: Promise<IDBPDatabase<Schema>> | undefined;

export function db(): Promise<IDBPDatabase<Schema>> {
  dbp ??= openDB<Schema>(DB_NAME, DB_VERSION, {
    upgrade(d) {
      const v = d.createObjectStore('verdicts', { keyPath: 'key' });
      v.createIndex('storedAt', 'storedAt');
      d.createObjectStore('uploads', { keyPath: 'id' });
    },
    terminated() {
      dbp = undefined;
    },
  });
  return dbp;
}

/** For tests: forget the open connection (fake-indexeddb resets between suites). */
export function resetDbForTests(): void {
  dbp = undefined;
}
