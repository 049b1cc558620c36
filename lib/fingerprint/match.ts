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
  /**
   * A compilation: this many consecutive usable query frames (≈ seconds at 1 hash/s) all near
   * the target also make a match, whatever query % is; the seconds are reported as segments.
   */
  minRunFrames: 3,
  /** Consecutive usable frames further apart than this (s) do not continue a run. */
  maxRunGap: 2.5,
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

/**
 * Scores from which usable query frames found the target (`queryHit[k]` for the k-th usable
 * frame, at `queryTimes[k]` seconds): MATCH_RULE's share rule, or a run of `minRunFrames`
 * consecutive hits (a listed clip inside a longer video). When runs make the match, they are
 * reported as segments.
 */
export function scoreFromFrameHits(queryTimes: readonly number[], queryHit: ArrayLike<number | boolean>, targetUsable: number, targetHits: number): MatchScore {
  let queryHits = 0;
  const segments: { from: number; to: number }[] = [];
  let runStart = -1;
  const close = (end: number) => {
    if (runStart >= 0 && end - runStart >= MATCH_RULE.minRunFrames) segments.push({ from: queryTimes[runStart], to: queryTimes[end - 1] });
    runStart = -1;
  };
  for (let k = 0; k < queryTimes.length; k++) {
    if (!queryHit[k]) {
      close(k);
      continue;
    }
    queryHits++;
    if (runStart >= 0 && queryTimes[k] - queryTimes[k - 1] > MATCH_RULE.maxRunGap) close(k);
    if (runStart < 0) runStart = k;
  }
  close(queryTimes.length);
  const score = scoreFromHits(queryTimes.length, targetUsable, queryHits, targetHits);
  // Only when they are the reason for the match: most of the query being found says it all.
  if (segments.length && !score.matched) {
    score.segments = segments;
    if (targetHits >= Math.min(MATCH_RULE.minMatchedFrames, targetUsable)) score.matched = true;
  }
  return score;
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
  const queryHit = new Uint8Array(q.length);
  for (let i = 0; i < q.length; i++) {
    for (let j = 0; j < t.length; j++) {
      if (near(q[i], t[j], max)) {
        queryHit[i] = 1;
        targetHit[j] = 1;
      }
    }
  }
  let targetHits = 0;
  for (const h of targetHit) targetHits += h;
  return scoreFromFrameHits(qu.map((i) => query.frames[i].t), queryHit, tu.length, targetHits);
}
