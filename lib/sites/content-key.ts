/**
 * The cache and de-duplication key of a reference, by content where the address names it:
 * an X media id (the same video behind any playlist address or rendition, on any post that
 * shows it) costs one check; anything else is keyed by its address (lib/media/ref.ts mediaKey).
 * Keys come only from addresses on X's own media host, which a page cannot serve.
 */
import { mediaKey, type MediaRef } from '../media/ref';
import { classifyTwimg } from './x';

export function contentKey(ref: MediaRef): string {
  if (ref.kind === 'hls' || ref.kind === 'url') {
    const x = classifyTwimg(ref.url);
    // A GIF's address is already its content's name.
    if (x?.role === 'master') return `x-media:${x.media.kind}/${x.media.id}`;
  }
  return mediaKey(ref);
}
