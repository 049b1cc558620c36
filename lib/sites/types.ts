import type { MediaRef } from '../media/ref';

/**
 * A site adapter knows how one site shows video and how to find the media behind a
 * `<video>` element. One file per site in lib/sites/; `generic.ts` serves every other site.
 */
export interface SiteAdapter {
  name: string;
  /** Does this adapter serve pages on this hostname? */
  matches(hostname: string): boolean;
  /** The best description of the element's media, or undefined while it has none yet. */
  resolve(video: HTMLVideoElement, page: PageContext): MediaRef | undefined;
  /**
   * Optional: watch what resolution depends on besides the element itself (X: the page's
   * requests to its media host) and call `onChange` when a video may now resolve differently.
   * Returns a function that stops watching.
   */
  watch?(win: Window, onChange: () => void): () => void;
}

export interface PageContext {
  /** The frame's address. */
  url: string;
  hostname: string;
}
