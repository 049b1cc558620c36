/** Picks the adapter for a hostname: the first specific one that matches, else the generic one. */
import { generic } from './generic';
import { huggingface, hfMediaAddress, isHuggingFaceHost } from './huggingface';
import { x } from './x';
import type { SiteAdapter } from './types';

const SPECIFIC: SiteAdapter[] = [x, huggingface];

export function adapterFor(hostname: string): SiteAdapter {
  return SPECIFIC.find((a) => a.matches(hostname)) ?? generic;
}

/**
 * The address to check for a link or a player source the user points at (context menu): site
 * rules that need no page, e.g. a Hugging Face file page (`/blob/`) becomes its `/resolve/` file.
 */
export function mediaAddressFor(address: string): string {
  try {
    if (isHuggingFaceHost(new URL(address).hostname)) return hfMediaAddress(address);
  } catch {
    /* not an address: returned as it is, and refused by the caller */
  }
  return address;
}
