/**
 * The matching rule: when two video fingerprints count as the same video.
 * Videos are compared as bags of usable frames (quality >= qualityMin), in both directions,
 * using the relation documented in ./types.ts (any hash standing for a frame — its pdq or an
 * alternate — within distanceMax bits of any hash standing for the other frame).
 * PROVISIONAL thresholds; see docs/matching.md once measured.
 */
import type { FrameHash } from '../verdict';
import type { MatchScore, VideoFingerprint } from './types';
import { hamming, hexToHash, type Hash256 } from './hash256';

export const MATCH_RULE = {
  qualityMin: 50,
  distanceMax: 31,
  minQueryPct: 70,
  minTargetPct: 0,
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
  const matched =
    queryUsable > 0 &&
    targetUsable > 0 &&
    Math.min(queryHits, targetHits) >= Math.min(MATCH_RULE.minMatchedFrames, queryUsable) &&
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
