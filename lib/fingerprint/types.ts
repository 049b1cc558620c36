import type { FrameHash } from '../verdict';

export type { FrameHash };

/**
 * A video's perceptual fingerprint: vPDQ-compatible frames (one per second by default) plus
 * alternate hashes that stand for some of those frames under edits we want to survive.
 *
 * Matching relation (shared by the brute-force matcher in match.ts and the multi-index in
 * lib/lists): frame i of A is near frame j of B when ANY hash standing for A.frames[i]
 * (its own pdq, or an alternate with of === i) is within MATCH_RULE.distanceMax bits of ANY
 * hash standing for B.frames[j]. Only frames with quality >= MATCH_RULE.qualityMin take part.
 */
export interface VideoFingerprint {
  frames: FrameHash[];
  /**
   * Extra hashes for frames[of]: the mirrored hash on a query, crop variants on a listed
   * video, the hash after border removal, and so on. `why` is informational ("mirror", "crop-l5"…).
   */
  alternates?: { of: number; pdq: string; why?: string }[];
}

export interface MatchScore {
  /** % of the query's usable frames that are near some usable frame of the target. */
  queryPct: number;
  /** % of the target's usable frames that are near some usable frame of the query. */
  targetPct: number;
  queryUsable: number;
  targetUsable: number;
  queryHits: number;
  targetHits: number;
  /** Whether the scores pass MATCH_RULE. */
  matched: boolean;
  /**
   * Stretches of the query (seconds, first and last frame) where MATCH_RULE.minRunFrames or
   * more consecutive frames found the target: where a listed clip sits inside a compilation.
   * Only when these runs are what makes the match (query % under MATCH_RULE.minQueryPct).
   */
  segments?: { from: number; to: number }[];
}
