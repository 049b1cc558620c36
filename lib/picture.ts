/**
 * Is the picture an element shows the file that was checked? (issue 10)
 *
 * A page controls its server: it can give the extension's fetch one file and its player another
 * ("cloaking"), or show a poster, a stream or a canvas instead. So a verdict about bytes vouches for
 * a picture only when frames drawn from the element agree with frames decoded from those bytes at
 * the same instants. Both sides are PDQ hashes of the same decoded frame (the element's scaled to
 * at most 720p): the same frame lands within a few bits, another video's ~128 bits away.
 *
 * Instants: the element reports the first frame it shows in each second of media time (and the
 * frame it rests on before playing, usually t = 0); the file's frames are vPDQ's, one per second
 * (+ distinct frames between). A pair counts only when its instants are close: ALIGNED_S apart,
 * where one differing pair is enough to say "mismatch" (at t = 0 both sides are the very first
 * frame); NEAR_S apart, where footage that moves may differ between neighbouring frames, so only
 * agreement counts, and disagreement needs MISMATCH_PAIRS pairs and none agreeing.
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
/** Clearly another picture: a re-decode of the same frame stays far below (~0–20 bits). */
const DIFFERENT_BITS = 64;

export interface ElementFrameHash {
  t: number;
  pdq: string;
  quality: number;
}

export function comparePicture(file: readonly FrameHash[] | undefined, element: readonly ElementFrameHash[]): PictureBinding {
  if (!file?.length) return { state: 'pending', note: 'no frames of the checked file to compare with yet' };
  if (!element.length) return { state: 'pending', note: 'the video has shown no frame yet (a poster or nothing is drawn)' };
  let agree = 0;
  let alignedDiffer = 0;
  let nearDiffer = 0;
  let pairs = 0;
  let worst = 0;
  let flat = 0;
  for (const e of element) {
    if (e.quality < MATCH_RULE.qualityMin) {
      flat++;
      continue;
    }
    const eh = hexToHash(e.pdq);
    let best: { d: number; dt: number } | undefined;
    for (const f of file) {
      const dt = Math.abs(f.t - e.t);
      if (dt > NEAR_S || f.quality < MATCH_RULE.qualityMin) continue;
      const d = hamming(eh, hexToHash(f.pdq));
      if (!best || d < best.d) best = { d, dt };
    }
    if (!best) continue;
    pairs++;
    worst = Math.max(worst, best.d);
    if (best.d <= MATCH_RULE.distanceMax) agree++;
    else if (best.d >= DIFFERENT_BITS) {
      if (best.dt <= ALIGNED_S) alignedDiffer++;
      else nearDiffer++;
    }
  }
  const seconds = `${element.length} frame${element.length === 1 ? '' : 's'} of the video`;
  if (agree && !alignedDiffer) return { state: 'confirmed', note: `${agree} of ${seconds} match the checked file` };
  if (alignedDiffer || (!agree && nearDiffer >= MISMATCH_PAIRS)) return { state: 'mismatch', note: `${alignedDiffer + nearDiffer} of ${seconds} differ from the checked file's frames at the same instants (by up to ${worst} of 256 bits)` };
  if (!pairs && flat === element.length) return { state: 'pending', note: 'its frames so far have too little detail to be compared with the checked file' };
  if (!pairs) return { state: 'pending', note: 'the part of the video shown so far has not been compared with the checked file (different instants, or too little detail)' };
  return { state: 'pending', note: 'the frames compared so far neither match nor clearly differ' };
}
