/**
 * Is the picture an element shows the file that was checked? (issue 10)
 *
 * A page controls its server: it can give the extension's fetch one file and its player another
 * ("cloaking"), or show a poster, a stream or a canvas instead. So a verdict about bytes vouches for
 * a picture only when frames drawn from the element agree with frames decoded from those bytes at
 * the same instants. Both sides are PDQ hashes of the same decoded frame (the element's scaled to
 * at most 720p): the same frame lands within a few bits, another video's ~128 bits away.
 *
 * Agreement: an element frame found among the checked file's frames (at any instant: an HLS or
 * MSE stream's clock may not start at 0) confirms the picture. Disagreement: a frame far from
 * every checked frame (DIFFERENT_BITS). One is enough when it sits at an instant the file has a
 * frame for (ALIGNED_S: at t = 0 both sides show the very first frame); otherwise it takes
 * MISMATCH_PAIRS — and always more differing frames than agreeing ones.
 *
 * Flat, low-detail frames (PDQ quality under the matching rule's minimum) are left out both ways:
 * their hash bits follow noise, so two decodes of the very same frame can land 100 bits apart.
 * A video made only of such frames stays "not confirmed", and says why.
 */
import { hamming, hexToHash } from './fingerprint/hash256';
import { MATCH_RULE } from './fingerprint/match';
import type { FrameHash, PictureBinding } from './verdict';

const ALIGNED_S = 0.05;
const NEAR_S = 0.5;
const MISMATCH_PAIRS = 2;
/**
 * Clearly another picture: a re-decode of the same frame stays far below (~0–20 bits), a
 * neighbouring frame of fast footage below ~70; unrelated pictures sit near 128.
 */
const DIFFERENT_BITS = 90;

export interface ElementFrameHash {
  t: number;
  pdq: string;
  quality: number;
}

export function comparePicture(file: readonly FrameHash[] | undefined, element: readonly ElementFrameHash[]): PictureBinding {
  if (!file?.length) return { state: 'pending', note: 'no frames of the checked file to compare with yet' };
  if (!element.length) return { state: 'pending', note: 'the video has shown no frame yet (a poster or nothing is drawn)' };
  const usable = file.filter((f) => f.quality >= MATCH_RULE.qualityMin).map((f) => ({ t: f.t, h: hexToHash(f.pdq) }));
  let agree = 0;
  let alignedDiffer = 0;
  let nearDiffer = 0;
  let flat = 0;
  let worst = 0;
  for (const e of element) {
    if (e.quality < MATCH_RULE.qualityMin) {
      flat++;
      continue;
    }
    const eh = hexToHash(e.pdq);
    let any = Infinity;
    let near: { d: number; dt: number } | undefined;
    for (const f of usable) {
      const d = hamming(eh, f.h);
      any = Math.min(any, d);
      const dt = Math.abs(f.t - e.t);
      if (dt <= NEAR_S && (!near || d < near.d)) near = { d, dt };
    }
    // Found anywhere in the checked frames: the same picture (a stream's own clock may be offset).
    if (any <= MATCH_RULE.distanceMax) {
      agree++;
      continue;
    }
    // Differing means far from *every* checked frame: another rendition, a frame between two
    // sampled ones or an offset clock stays well under that; another video does not.
    if (any < DIFFERENT_BITS) continue;
    worst = Math.max(worst, any);
    if (near && near.dt <= ALIGNED_S) alignedDiffer++;
    else nearDiffer++;
  }
  const shown = `${element.length} frame${element.length === 1 ? '' : 's'} of the video`;
  const differ = alignedDiffer + nearDiffer;
  if ((alignedDiffer || nearDiffer >= MISMATCH_PAIRS) && differ > agree) {
    return { state: 'mismatch', note: `${differ} of ${shown} differ from every frame of the checked file (by at least ${worst} of 256 bits)` };
  }
  if (agree) return { state: 'confirmed', note: `${agree} of ${shown} match the checked file` };
  if (flat === element.length) return { state: 'pending', note: 'its frames so far have too little detail to be compared with the checked file' };
  return { state: 'pending', note: 'the part of the video shown so far has not been compared with the checked file (other instants, or neither a match nor clearly different)' };
}
