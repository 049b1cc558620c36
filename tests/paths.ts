import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The read-only shared material (fixtures, site facts), read in place and never copied. */
export const SHARED = process.env.PL_SHARED ? resolve(process.env.PL_SHARED) : resolve(ROOT, '../shared');
export const C2PA_FIXTURES = resolve(SHARED, 'fixtures/c2pa');
export const PDQ_FIXTURES = resolve(SHARED, 'fixtures/pdq');
/** Scratch space for media generated at test time (git-ignored). */
export const GENERATED = resolve(ROOT, '.cache/generated');
