/**
 * The matching rule: when two video fingerprints count as the same video (docs/matching.md).
 * Videos are compared as bags of usable frames (quality >= qualityMin), in both directions,
 * using the relation documented in ./types.ts (any hash standing for a frame — its pdq or an
 * alternate — within distanceMax bits of any hash standing for the other frame).
 *
 * Thresholds, measured on the sample videos and 72 edited copies (robustness.test.ts): true
 * frame matches are at most 28 bits apart, unrelated videos at least 88; true matches cover
 * 80-100 % of the query, unrelated ones 0 %.
 */
import type { FrameHash } from '../verdict';
import type { MatchScore, VideoFingerprint } from './types';
import { hamming, hexToHash, type Hash256 } from './hash256';

export const MATCH_RULE = {
  /** PDQ's own floor: below it a frame (fade, black, flat wall) says too little. */
  qualityMin: 50,
  /** PDQ's standard match distance (bits of 256). */
  distanceMax: 31,
  /** Most of the query must be found in the target… */
  minQueryPct: 50,
  /** …but it may be a short clip of a long listed video. */
  minTargetPct: 0,
  /** At least this many frames found on each side (fewer only when a video has fewer usable frames). */
  minMatchedFrames: 2,
};

export function usableIndices(frames: FrameHash[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < frames.length; i++) if (frames[i].quality >= MATCH_RULE.qualityMin) out.push(i);
  return out;
}

export function scoreFromHits(queryUsable: number, targetUsable: number, queryHits: number, targetHits: number): MatchScore {
  const queryPct = queryUsable ? (100 * queryHits) / queryUsable : 0;
  const targetPct = targetUsable ? (100 * targetHits) / targetUsable : 0;
  // Two independent frame matches on each side, unless one video has a single usable frame.
  const needed = Math.min(MATCH_RULE.minMatchedFrames, queryUsable, targetUsable);
  const matched =
    needed > 0 &&
    queryHits >= needed &&
    targetHits >= needed &&
    queryPct >= MATCH_RULE.minQueryPct &&
    targetPct >= MATCH_RULE.minTargetPct;
  return { queryPct, targetPct, queryUsable, targetUsable, queryHits, targetHits, matched };
}

/** Every hash standing for each usable frame: the frame's own pdq, then its alternates. */
function standIns(fp: VideoFingerprint, usable: number[]): Hash256[][] {
  const byFrame = new Map<number, Hash256[]>();
  for (const i of usable) byFrame.set(i, [hexToHash(fp.frames[i].pdq)]);
  for (const alt of fp.alternates ?? []) byFrame.get(alt.of)?.push(hexToHash(alt.pdq));
  return usable.map((i) => byFrame.get(i)!);
}

function near(a: Hash256[], b: Hash256[], max: number): boolean {
  for (const x of a) for (const y of b) if (hamming(x, y) <= max) return true;
  return false;
}

/** Brute force: the reference semantics that any index must reproduce. */
export function matchFingerprints(query: VideoFingerprint, target: VideoFingerprint): MatchScore {
  const qu = usableIndices(query.frames);
  const tu = usableIndices(target.frames);
  const q = standIns(query, qu);
  const t = standIns(target, tu);
  const max = MATCH_RULE.distanceMax;
  const targetHit = new Uint8Array(t.length);
  let queryHits = 0;
  for (let i = 0; i < q.length; i++) {
    let hit = false;
    for (let j = 0; j < t.length; j++) {
      if (near(q[i], t[j], max)) {
        hit = true;
        targetHit[j] = 1;
      }
    }
    if (hit) queryHits++;
  }
  let targetHits = 0;
  for (const h of targetHit) targetHits += h;
  return scoreFromHits(qu.length, tu.length, queryHits, targetHits);
}
