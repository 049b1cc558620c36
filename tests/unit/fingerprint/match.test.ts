import { describe, expect, it } from 'vitest';
import { MATCH_RULE, matchFingerprints, scoreFromHits, usableIndices } from '../../../lib/fingerprint/match';
import { hammingHex } from '../../../lib/fingerprint/hash256';
import type { VideoFingerprint } from '../../../lib/fingerprint/types';

/** Deterministic pseudo-random hashes, and copies with exactly `bits` bits flipped. */
function rng(seed: number) {
  return () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return seed / 2 ** 32;
  };
}
const rand = rng(42);
function randomHash(): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}
function flip(hex: string, bits: number): string {
  const chars = hex.split('').map((c) => parseInt(c, 16));
  const positions = new Set<number>();
  while (positions.size < bits) positions.add(Math.floor(rand() * 256));
  for (const p of positions) chars[p >> 2] ^= 1 << (p & 3);
  return chars.map((c) => c.toString(16)).join('');
}
const video = (hashes: string[], quality = 100): VideoFingerprint => ({ frames: hashes.map((pdq, i) => ({ t: i, pdq, quality, frame: i * 30 })) });

describe('scoreFromHits', () => {
  it('computes both percentages over usable frames', () => {
    const s = scoreFromHits(4, 20, 3, 5);
    expect(s).toMatchObject({ queryPct: 75, targetPct: 25, queryUsable: 4, targetUsable: 20, queryHits: 3, targetHits: 5 });
  });

  it('matches when the query is mostly found, whatever share of the target it covers (a clip of a listed video)', () => {
    expect(scoreFromHits(4, 200, 4, 4).matched).toBe(true);
    expect(MATCH_RULE.minTargetPct).toBe(0);
  });

  it(`needs ${MATCH_RULE.minQueryPct}% of the query and ${MATCH_RULE.minMatchedFrames} matched frames on each side`, () => {
    const q = MATCH_RULE.minQueryPct;
    expect(scoreFromHits(100, 100, q, q).matched).toBe(true);
    expect(scoreFromHits(100, 100, q - 1, q - 1).matched).toBe(false);
    expect(scoreFromHits(10, 10, MATCH_RULE.minMatchedFrames - 1, MATCH_RULE.minMatchedFrames - 1).matched).toBe(false);
    // A query with a single usable frame can still match on that frame…
    expect(scoreFromHits(1, 10, 1, 1).matched).toBe(true);
    // …and so can a listed video with a single usable frame (a still, a short clip)…
    expect(scoreFromHits(5, 1, 5, 1).matched).toBe(true);
    // …but otherwise several query frames all landing on one target frame are one piece of evidence.
    expect(scoreFromHits(3, 10, 3, 1).matched).toBe(false);
  });

  it('never matches with nothing usable', () => {
    expect(scoreFromHits(0, 10, 0, 0)).toMatchObject({ matched: false, queryPct: 0 });
    expect(scoreFromHits(10, 0, 0, 0)).toMatchObject({ matched: false, targetPct: 0 });
  });
});

describe('matchFingerprints (the reference relation)', () => {
  it(`frames are near within ${MATCH_RULE.distanceMax} bits, not beyond`, () => {
    const a = randomHash();
    const atMax = flip(a, MATCH_RULE.distanceMax);
    const beyond = flip(a, MATCH_RULE.distanceMax + 1);
    expect(hammingHex(a, atMax)).toBe(MATCH_RULE.distanceMax);
    expect(matchFingerprints(video([a]), video([atMax])).queryHits).toBe(1);
    expect(matchFingerprints(video([a]), video([beyond])).queryHits).toBe(0);
  });

  it('counts hits in both directions: a 3-frame clip of a 20-frame video', () => {
    const target = Array.from({ length: 20 }, randomHash);
    const clip = target.slice(5, 8).map((h) => flip(h, 10));
    const s = matchFingerprints(video(clip), video(target));
    expect(s).toMatchObject({ queryUsable: 3, targetUsable: 20, queryHits: 3, targetHits: 3, queryPct: 100, targetPct: 15, matched: true });
    // The other way round the 20-frame video is a compilation holding the clip at frames 5-7.
    const back = matchFingerprints(video(target), video(clip));
    expect(back).toMatchObject({ queryPct: 15, targetPct: 100, matched: true, segments: [{ from: 5, to: 7 }] });
  });

  it(`a compilation matches through ${MATCH_RULE.minRunFrames} consecutive frames, not through scattered ones`, () => {
    const listed = Array.from({ length: 6 }, randomHash);
    const other = () => Array.from({ length: 10 }, randomHash);
    const run = [...other(), ...listed.slice(0, MATCH_RULE.minRunFrames).map((h) => flip(h, 12)), ...other()];
    const s = matchFingerprints(video(run), video(listed));
    expect(s).toMatchObject({ queryHits: MATCH_RULE.minRunFrames, matched: true, segments: [{ from: 10, to: 9 + MATCH_RULE.minRunFrames }] });
    expect(s.queryPct).toBeLessThan(MATCH_RULE.minQueryPct);
    const scattered = other();
    scattered[2] = listed[0];
    scattered[5] = listed[1];
    scattered[8] = listed[2];
    const n = matchFingerprints(video([...scattered, ...other()]), video(listed));
    expect(n.queryHits).toBe(3);
    expect(n.matched).toBe(false);
    expect(n.segments).toBeUndefined();
    const short = [...other(), ...listed.slice(0, MATCH_RULE.minRunFrames - 1), ...other()];
    expect(matchFingerprints(video(short), video(listed)).matched).toBe(false);
  });

  it(`ignores frames under quality ${MATCH_RULE.qualityMin} on both sides`, () => {
    const hashes = Array.from({ length: 4 }, randomHash);
    const q = video(hashes);
    q.frames[0].quality = MATCH_RULE.qualityMin - 1;
    const t = video(hashes);
    t.frames[1].quality = 0;
    expect(usableIndices(q.frames)).toEqual([1, 2, 3]);
    const s = matchFingerprints(q, t);
    expect(s).toMatchObject({ queryUsable: 3, targetUsable: 3, queryHits: 2, targetHits: 2 });
  });

  it('any hash standing for a frame counts: alternates on the query or the target side', () => {
    const original = Array.from({ length: 3 }, randomHash);
    const edited = Array.from({ length: 3 }, randomHash); // e.g. mirrored: nothing in common
    expect(matchFingerprints(video(edited), video(original)).queryHits).toBe(0);
    const query: VideoFingerprint = { ...video(edited), alternates: original.map((h, of) => ({ of, pdq: flip(h, 5), why: 'mirror' })) };
    expect(matchFingerprints(query, video(original))).toMatchObject({ queryHits: 3, targetHits: 3, matched: true });
    const target: VideoFingerprint = { ...video(original), alternates: edited.map((h, of) => ({ of, pdq: flip(h, 5), why: 'crop-5' })) };
    expect(matchFingerprints(video(edited), target)).toMatchObject({ queryHits: 3, targetHits: 3, matched: true });
  });

  it('an alternate only stands for its own frame, and not for an unusable one', () => {
    const original = Array.from({ length: 3 }, randomHash);
    const q = video(Array.from({ length: 3 }, randomHash));
    q.frames[2].quality = 10;
    q.alternates = [
      { of: 0, pdq: original[0] },
      { of: 2, pdq: original[2] }, // frame 2 is unusable: does not count
    ];
    const s = matchFingerprints(q, video(original));
    expect(s).toMatchObject({ queryUsable: 2, queryHits: 1, targetHits: 1 });
  });

  it('unrelated random videos do not match', () => {
    const s = matchFingerprints(video(Array.from({ length: 30 }, randomHash)), video(Array.from({ length: 30 }, randomHash)));
    expect(s).toMatchObject({ queryHits: 0, targetHits: 0, matched: false });
  });
});
