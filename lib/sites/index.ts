/** Picks the adapter for a hostname: the first specific one that matches, else the generic one. */
import { generic } from './generic';
import type { SiteAdapter } from './types';

const SPECIFIC: SiteAdapter[] = [];

export function adapterFor(hostname: string): SiteAdapter {
  return SPECIFIC.find((a) => a.matches(hostname)) ?? generic;
}
