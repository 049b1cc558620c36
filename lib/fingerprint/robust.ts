/**
 * Beyond plain vPDQ: extra ("alternate") hashes per frame so that common edits still match.
 * Used by both pipelines (ffmpeg in Node, WebCodecs in the browser); no platform globals.
 *
 * - Borders: letterbox / pillarbox bars of any near-uniform colour are detected and the frame
 *   is hashed again without them (alternate `borders`). The main `pdq` stays the hash of the
 *   whole frame, so fingerprints remain comparable with reference vPDQ hash files.
 * - Mirror: the horizontally mirrored hash, for free from the same DCT (alternate `mirror`,
 *   and `borders-mirror`). Meant for the QUERY side: one side carrying it is enough.
 * - Crops: for a LISTED video, hashes of the frame cropped by 1..5 % per side and of single
 *   sides cut, so a copy cropped by up to 5 % per side still lands near one of them.
 *
 * Alternates whose own PDQ quality is under MATCH_RULE.qualityMin are dropped: a near-flat
 * region's hash says little and would only add chances of a false match.
 */
import type { FrameHash } from '../verdict';
import type { VideoFingerprint } from './types';
import { PdqHasher, type Pixels, type Region } from './pdq';
import { MATCH_RULE } from './match';
import { hamming, hexToHash, type Hash256 } from './hash256';
import { DEFAULT_SECONDS_PER_HASH, frameStep } from './vpdq';

export interface RobustOptions {
  /** Add a border-removed hash when uniform bars are found (default true). */
  borders?: boolean;
  /** Add the mirrored hash(es) (default true; the query side needs it). */
  mirror?: boolean;
  /** Add crop hashes (default false; for listed videos). */
  crops?: boolean;
  /** Add the hashes of the frame turned by 90°, 180° and 270° (default: the query side). */
  rotations?: boolean;
  /**
   * Add the hash of the region that moves, once frames show static margins around it (a meme
   * frame: text bars above and below; default: the query side). See StaticMargins.
   */
  margins?: boolean;
  /**
   * Add the hash of the middle band of the frame (rows 16-74 %, full width), clear of the top
   * and bottom strips where captions and corner logos sit (default: both sides; BAND).
   */
  bands?: boolean;
  /**
   * Add the hashes of inner rectangles outlined by straight edges on all four sides: a video
   * shown as picture-in-picture over other footage (default: the query side). See findInsets.
   */
  insets?: boolean;
}

/**
 * The alternates for one side of a comparison: a LISTED video (`forList`) gets crops and no
 * mirror, a video being checked gets the mirror and no crops (one side carrying each is enough,
 * and lists stay smaller). Explicit `borders` / `mirror` / `crops` win.
 */
export function robustOptions(o: RobustOptions & { forList?: boolean }): RobustOptions {
  const forList = o.forList ?? false;
  return {
    borders: o.borders ?? true,
    mirror: o.mirror ?? !forList,
    crops: o.crops ?? forList,
    rotations: o.rotations ?? (o.mirror ?? !forList),
    margins: o.margins ?? ((o.borders ?? true) && !forList),
    bands: o.bands ?? (o.borders ?? true),
    insets: o.insets ?? ((o.borders ?? true) && !forList),
  };
}

/** A crop, as fractions of the (border-free) frame removed from each side. */
export interface CropSpec {
  why: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const even = (why: string, f: number): CropSpec => ({ why, left: f, top: f, right: f, bottom: f });
const sides = (pct: string, f: number): CropSpec[] => [
  { why: `crop-top-${pct}`, left: 0, top: f, right: 0, bottom: 0 },
  { why: `crop-bottom-${pct}`, left: 0, top: 0, right: 0, bottom: f },
  { why: `crop-left-${pct}`, left: f, top: 0, right: 0, bottom: 0 },
  { why: `crop-right-${pct}`, left: 0, top: 0, right: f, bottom: 0 },
  { why: `crop-lr-${pct}`, left: f, top: 0, right: f, bottom: 0 },
  { why: `crop-tb-${pct}`, left: 0, top: f, right: 0, bottom: f },
];

/**
 * Measured (tests/unit/fingerprint/robustness.test.ts and docs/matching.md): PDQ moves by
 * 6-28 bits for a 0.5 % crop per side and 12-44 bits for 1 %, so even crops are listed every
 * 1 % up to 5 % (a copy cropped anywhere in 0.5-5 % per side then lands within reach of one),
 * plus single sides and opposite pairs at 2.5 % and 5 % (caption/watermark removal, reframing).
 * Crops mixing two adjacent sides (e.g. top-left corner) are not covered.
 */
export const LIST_CROPS: readonly CropSpec[] = [
  even('crop-1', 0.01),
  even('crop-2', 0.02),
  even('crop-3', 0.03),
  even('crop-4', 0.04),
  even('crop-5', 0.05),
  ...sides('2.5', 0.025),
  ...sides('5', 0.05),
];

/** Tunables of the bar detector. */
export const BORDER_RULE = {
  /** A line belongs to a bar when this share of its samples is near the bar colour… */
  uniformShare: 0.95,
  /** …"near" meaning every channel within this many levels (compression noise). */
  nearTolerance: 16,
  /**
   * A bar must end in an edge: in one of the 3 lines after it, at least this share of the
   * samples must be "far" from the bar colour. A smooth wall or sky fading away from the frame
   * edge is not a bar.
   */
  edgeShare: 0.25,
  /** "far" meaning some channel more than this many levels away. */
  farTolerance: 24,
  /** Bars thinner than this share of the dimension are ignored (and 2 px minimum). */
  minBarShare: 0.01,
  /** What remains must be at least this share of each dimension and 16 px. */
  minContentShare: 0.2,
};

/**
 * Finds uniform bars on each side. Returns the content rectangle, or null when there are no
 * bars (or the frame is uniform, or what would remain is implausibly small).
 */
export function detectBorders(data: Pixels, width: number, height: number, channels: 3 | 4): Region | null {
  const top = barDepth(data, width, height, channels, 'top');
  const bottom = barDepth(data, width, height, channels, 'bottom');
  const left = barDepth(data, width, height, channels, 'left');
  const right = barDepth(data, width, height, channels, 'right');
  const minV = Math.max(2, Math.ceil(height * BORDER_RULE.minBarShare));
  const minH = Math.max(2, Math.ceil(width * BORDER_RULE.minBarShare));
  const t = top >= minV ? top : 0;
  const b = bottom >= minV ? bottom : 0;
  const l = left >= minH ? left : 0;
  const r = right >= minH ? right : 0;
  if (!t && !b && !l && !r) return null;
  const region = { x: l, y: t, width: width - l - r, height: height - t - b };
  const minW = Math.max(16, width * BORDER_RULE.minContentShare);
  const minHgt = Math.max(16, height * BORDER_RULE.minContentShare);
  if (region.width < minW || region.height < minHgt) return null;
  return region;
}

type Side = 'top' | 'bottom' | 'left' | 'right';

/** How many lines from `side` inwards look like one uniform bar (its colour = the outermost line's median). */
function barDepth(data: Pixels, width: number, height: number, channels: number, side: Side): number {
  const horizontal = side === 'top' || side === 'bottom';
  const lines = horizontal ? height : width;
  const length = horizontal ? width : height;
  // Pixel offset of sample k on line i (i counted from `side`).
  const rowStride = width * channels;
  const at = (i: number, k: number): number => {
    switch (side) {
      case 'top':
        return i * rowStride + k * channels;
      case 'bottom':
        return (height - 1 - i) * rowStride + k * channels;
      case 'left':
        return k * rowStride + i * channels;
      default:
        return k * rowStride + (width - 1 - i) * channels;
    }
  };
  const step = Math.max(1, Math.floor(length / 256)); // ~256 samples per line is plenty
  const colour = medianColour(data, length, step, (k) => at(0, k));
  const near = BORDER_RULE.nearTolerance;
  const far = BORDER_RULE.farTolerance;
  const share = (i: number, tol: number, within: boolean): number => {
    let count = 0;
    let total = 0;
    for (let k = 0; k < length; k += step, total++) {
      const o = at(i, k);
      const d = Math.max(Math.abs(data[o] - colour[0]), Math.abs(data[o + 1] - colour[1]), Math.abs(data[o + 2] - colour[2]));
      if (within ? d <= tol : d > tol) count++;
    }
    return count / total;
  };
  let depth = 0;
  while (depth < lines && share(depth, near, true) >= BORDER_RULE.uniformShare) depth++;
  if (depth === 0 || depth >= lines) return 0;
  for (let i = depth; i < Math.min(lines, depth + 3); i++) {
    if (share(i, far, false) >= BORDER_RULE.edgeShare) return depth;
  }
  return 0;
}

function medianColour(data: Pixels, length: number, step: number, offset: (k: number) => number): [number, number, number] {
  const r: number[] = [];
  const g: number[] = [];
  const b: number[] = [];
  for (let k = 0; k < length; k += step) {
    const o = offset(k);
    r.push(data[o]);
    g.push(data[o + 1]);
    b.push(data[o + 2]);
  }
  const mid = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
  return [mid(r), mid(g), mid(b)];
}

/** Crop `spec` out of `base`, in whole pixels; null when too small to hash. */
export function cropRegion(base: Region, spec: CropSpec): Region | null {
  const l = Math.round(base.width * spec.left);
  const r = Math.round(base.width * spec.right);
  const t = Math.round(base.height * spec.top);
  const b = Math.round(base.height * spec.bottom);
  const region = { x: base.x + l, y: base.y + t, width: base.width - l - r, height: base.height - t - b };
  return region.width >= 16 && region.height >= 16 ? region : null;
}

/**
 * The middle band hashed on both sides (`band`): captions and subtitles sit in the bottom
 * quarter of the picture, titles in the top strip and channel logos in a corner within about
 * 15 % of the top or bottom edge, so rows 16-74 % of the content are clear of all of them in the
 * usual layouts. Both sides cut the same fractions, so the band of a copy lines up with the band
 * of the original whatever the copy's size.
 */
export const BAND = { top: 0.16, bottom: 0.74 };

export function bandRegion(content: Region): Region | null {
  const y = content.y + Math.round(content.height * BAND.top);
  const height = content.y + Math.round(content.height * BAND.bottom) - y;
  return height >= 16 && content.width >= 16 ? { x: content.x, y, width: content.width, height } : null;
}

/** Tunables of the picture-in-picture finder (findInsets). */
export const INSET_RULE = {
  /** A pixel pair is an edge when some channel steps by more than this many levels. */
  edgeLevels: 24,
  /** Every side of an inset: at least this share of its pixels lie on an edge (±1 px)… */
  minSideShare: 0.75,
  /** Each dimension of an inset is this share of the frame's… */
  minScale: 0.4,
  /** …up to this share (a wider one is a letterbox, the bar detector's business). */
  maxScale: 0.92,
  /** Lines tried per direction (the strongest edge columns and rows). */
  lines: 8,
  /** Insets hashed per frame at most. */
  maxInsets: 2,
  /** A rectangle found in an earlier frame of the video is kept while its sides are this much on an edge. */
  recallShare: 0.5,
  /** Rectangles remembered from earlier frames. */
  remembered: 4,
};

/**
 * Edge maps of one frame and the rectangles they outline. An overlay's border is a sharp step
 * at exactly one column or row, while busy footage (foliage, a grid, noise) has edges
 * everywhere within a pixel, so sides are scored at exact columns and rows. Candidates: the
 * strongest edge columns are paired (40-92 % of the width apart), and for each pair the rows
 * most on an edge *between those columns* are paired in turn (a line of the footage behind
 * runs across the whole frame, the inset's top only across the inset); the same the other way
 * round. A rectangle is a candidate when each of its four sides lies on an edge along at least
 * `minSideShare` of its length. Regions are in pixels of the frame: the left/top edge is the
 * inset's first column/row.
 */
function insetEdges(data: Pixels, width: number, height: number, channels: 3 | 4, buffers: InsetBuffers = {}) {
  const R = INSET_RULE;
  const T = R.edgeLevels;
  // Along a side, every `sy`-th row (every `sx`-th column) is enough to measure its share; across
  // it, every column (row) is looked at, so the side is found at its exact place. Frames over
  // 360 px on their short side are sampled along the sides every 2nd (3rd…) pixel.
  const along = Math.max(1, Math.floor(Math.min(width, height) / 360));
  const rowsN = Math.ceil(height / along);
  const colsN = Math.ceil(width / along);
  // Prefix counts of edges: vPre[k * width + x] counts steps between columns x-1 and x in sampled
  // rows < k (row-major, so filling it walks memory in order: column-major took as long as PDQ
  // itself); hPre[y * (colsN + 1) + k] steps between rows y-1 and y in sampled columns < k.
  const vSize = width * (rowsN + 1);
  const hSize = height * (colsN + 1);
  const vPre = buffers.v && buffers.v.length >= vSize ? buffers.v : (buffers.v = new Uint32Array(vSize));
  const hPre = buffers.h && buffers.h.length >= hSize ? buffers.h : (buffers.h = new Uint32Array(hSize));
  const stride = width * channels;
  // A step: some colour channel of two neighbouring pixels differs by more than T levels (inlined: it runs ~1M times a frame).
  vPre.fill(0, 0, width);
  for (let k = 0; k < rowsN; k++) {
    const row = k * along * stride;
    const from = k * width;
    const to = from + width;
    vPre[to] = vPre[from];
    for (let x = 1, o = row + channels; x < width; x++, o += channels) {
      const p = o - channels;
      const d0 = data[o] - data[p];
      const d1 = data[o + 1] - data[p + 1];
      const d2 = data[o + 2] - data[p + 2];
      vPre[to + x] = vPre[from + x] + (d0 > T || d0 < -T || d1 > T || d1 < -T || d2 > T || d2 < -T ? 1 : 0);
    }
  }
  for (let y = 0; y < height; y++) {
    const base = y * (colsN + 1);
    hPre[base] = 0;
    const row = y * stride;
    if (y === 0) {
      hPre.fill(0, base, base + colsN + 1);
      continue;
    }
    const jump = along * channels;
    for (let k = 0, o = row; k < colsN; k++, o += jump) {
      const p = o - stride;
      const d0 = data[o] - data[p];
      const d1 = data[o + 1] - data[p + 1];
      const d2 = data[o + 2] - data[p + 2];
      hPre[base + k + 1] = hPre[base + k] + (d0 > T || d0 < -T || d1 > T || d1 < -T || d2 > T || d2 < -T ? 1 : 0);
    }
  }
  const vShare = (x: number, y0: number, y1: number) => {
    const k0 = Math.ceil(y0 / along);
    const k1 = Math.ceil(y1 / along);
    return k1 > k0 ? (vPre[k1 * width + x] - vPre[k0 * width + x]) / (k1 - k0) : 0;
  };
  const hShare = (y: number, x0: number, x1: number) => {
    const k0 = Math.ceil(x0 / along);
    const k1 = Math.ceil(x1 / along);
    return k1 > k0 ? (hPre[y * (colsN + 1) + k1] - hPre[y * (colsN + 1) + k0]) / (k1 - k0) : 0;
  };
  /** The weakest side's share of edge pixels (0 when the rectangle touches the frame's edge). */
  const outline = (r: Region, atLeast = 0): number => {
    const [x0, y0, x1, y1] = [r.x, r.y, r.x + r.width, r.y + r.height];
    if (x0 < 1 || y0 < 1 || x1 > width - 1 || y1 > height - 1) return 0;
    const sides = Math.min(vShare(x0, y0, y1), vShare(x1, y0, y1));
    if (sides < atLeast) return sides;
    return Math.min(sides, hShare(y0, x0, x1), hShare(y1, x0, x1));
  };
  /** The `R.lines` strongest local maxima of share(i) over i in 1..length-1 with share >= min. */
  const strongest = (share: (i: number) => number, length: number, min: number): number[] => {
    const s = new Float32Array(length + 1);
    for (let i = 1; i < length; i++) s[i] = share(i);
    const peaks: number[] = [];
    for (let i = 1; i < length; i++) if (s[i] >= min && s[i] >= s[i - 1] && s[i] > s[i + 1]) peaks.push(i);
    return peaks.sort((a, b) => s[b] - s[a]).slice(0, R.lines).sort((a, b) => a - b);
  };
  const pairs = (lines: number[], length: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let a = 0; a < lines.length; a++) {
      for (let b = a + 1; b < lines.length; b++) {
        const d = lines[b] - lines[a];
        if (d >= R.minScale * length && d <= R.maxScale * length) out.push([lines[a], lines[b]]);
      }
    }
    return out;
  };
  const candidates: { region: Region; score: number }[] = [];
  const consider = (x0: number, x1: number, y0: number, y1: number) => {
    const region = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    if (candidates.some((c) => sameRegion(c.region, region))) return;
    const score = outline(region, R.minSideShare);
    if (score >= R.minSideShare) candidates.push({ region, score });
  };
  const minGlobal = R.minScale * R.minSideShare;
  for (const [x0, x1] of pairs(strongest((x) => vShare(x, 0, height), width, minGlobal), width)) {
    for (const [y0, y1] of pairs(strongest((y) => hShare(y, x0, x1), height, R.minSideShare), height)) consider(x0, x1, y0, y1);
  }
  for (const [y0, y1] of pairs(strongest((y) => hShare(y, 0, width), height, minGlobal), height)) {
    for (const [x0, x1] of pairs(strongest((x) => vShare(x, y0, y1), width, R.minSideShare), width)) consider(x0, x1, y0, y1);
  }
  return { candidates, outline };
}

/** The inset rectangles of one frame alone, best first (see InsetFinder for a video). */
export function findInsets(data: Pixels, width: number, height: number, channels: 3 | 4): Region[] {
  return new InsetFinder().add(data, width, height, channels);
}

/** InsetFinder's edge count buffers (two of about 1.8 MB each for 720p). */
export type InsetBuffers = { v?: Uint32Array; h?: Uint32Array };

/**
 * Finds a video overlaid on other footage (picture-in-picture, a reaction video) in each
 * sampled frame: its border is a sharp straight step between two unrelated pictures, on all
 * four sides, at the same place in every frame, while edges inside moving footage come and go.
 * So rectangles found in earlier frames rank first when this frame outlines them too (then a
 * weaker outline, `recallShare`, is enough: the footage around may match the inset's colour for
 * a while), then the best outlined in this frame alone. At most `maxInsets` per frame.
 */
export class InsetFinder {
  /** Rectangles found so far, with the number of frames that outlined them fully. */
  private history: { region: Region; hits: number }[] = [];

  /** `buffers`: edge counts, reused from frame to frame (and from video to video when given). */
  constructor(private readonly buffers: InsetBuffers = {}) {}

  add(data: Pixels, width: number, height: number, channels: 3 | 4): Region[] {
    const R = INSET_RULE;
    if (width < 48 || height < 48) return [];
    const { candidates, outline } = insetEdges(data, width, height, channels, this.buffers);
    const ranked: { region: Region; score: number; hits: number }[] = [];
    for (const h of this.history) {
      const score = outline(h.region, R.recallShare);
      if (score >= R.recallShare) ranked.push({ region: h.region, score, hits: h.hits + (score >= R.minSideShare ? 1 : 0) });
    }
    for (const c of candidates) {
      if (!ranked.some((r) => sameRegion(r.region, c.region, 2))) ranked.push({ ...c, hits: 1 });
    }
    ranked.sort((p, q) => q.hits - p.hits || q.score - p.score);
    const out = ranked.slice(0, R.maxInsets);
    this.history = [...out, ...this.history.filter((h) => !out.some((r) => sameRegion(r.region, h.region, 2)))].slice(0, R.remembered);
    return out.map((r) => r.region);
  }
}

function intersect(a: Region, b: Region): Region | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width >= 16 && height >= 16 ? { x, y, width, height } : null;
}

const sameRegion = (a: Region, b: Region, slack = 0) =>
  Math.abs(a.x - b.x) <= slack && Math.abs(a.y - b.y) <= slack && Math.abs(a.width - b.width) <= slack && Math.abs(a.height - b.height) <= slack;

export interface FrameHashes {
  pdq: string;
  /**
   * PDQ quality of the whole frame, as vPDQ reports it; but when bars were found, the lower of
   * that and the bar-free quality: the bar edge inflates the quality of flat (dark, faded)
   * content, and such frames would otherwise count as informative while matching nothing.
   */
  quality: number;
  alternates: { pdq: string; why: string }[];
  /** Content rectangle used for the `borders` alternate, when bars were found. */
  borders?: Region;
  /** What the bar detector saw in this very frame (before any consensus from other frames). */
  detected: Region | null;
}

interface FrameExtras {
  moving?: Region | null;
  /** Inner rectangles outlined by edges (picture-in-picture candidates), from findInsets; asked for only when needed. */
  insets?: readonly Region[] | (() => readonly Region[] | undefined);
  keep?: (pdq: string, quality: number) => boolean;
  /** Override options.crops for this frame (distinct-frame lists carry crops on vPDQ's frames only). */
  crops?: boolean;
  /**
   * Hears the frame's own hash and quality as soon as they are final, before its alternates are
   * computed (most of the work): a page's picture can be compared with the file's first frame sooner.
   */
  settled?: (pdq: string, quality: number) => void;
}

/** Hashes one frame: the vPDQ hash of the whole frame plus the alternates asked for. */
export class FrameFingerprinter {
  private readonly hasher = new PdqHasher();
  readonly options: Required<RobustOptions>;

  constructor(options: RobustOptions = {}) {
    this.options = {
      borders: options.borders ?? true,
      mirror: options.mirror ?? true,
      crops: options.crops ?? false,
      rotations: options.rotations ?? false,
      margins: options.margins ?? false,
      bands: options.bands ?? false,
      insets: options.insets ?? false,
    };
  }

  /**
   * `knownBorders`: the content rectangle other frames of the same video agree on; it is used
   * when this frame's own detection fails (dark or flat content next to the bars).
   * `moving`: the region that moves while its margins stay still (meme frames), when known.
   * `keep`: asked with the whole-frame hash before any alternate is computed; returning false
   * skips the frame (null), so a frame that repeats the previous one costs one hash only.
   */
  hashFrame(data: Pixels, width: number, height: number, channels: 3 | 4, knownBorders?: Region | null, extra?: { moving?: Region | null; insets?: readonly Region[] }): FrameHashes;
  hashFrame(data: Pixels, width: number, height: number, channels: 3 | 4, knownBorders: Region | null, extra: FrameExtras): FrameHashes | null;
  hashFrame(data: Pixels, width: number, height: number, channels: 3 | 4, knownBorders?: Region | null, extra: FrameExtras = {}): FrameHashes | null {
    const h = this.hasher;
    const main = h.hashPixels(data, width, height, channels, { mode: 'frame' });
    if (extra.keep && !extra.keep(main.hash, main.quality)) return null;
    const out: FrameHashes = { pdq: main.hash, quality: main.quality, alternates: [], detected: null };
    const seen = new Set([main.hash]);
    const push = (pdq: string, why: string) => {
      if (seen.has(pdq)) return;
      seen.add(pdq);
      out.alternates.push({ pdq, why });
    };
    const hashRegion = (region: Region): number => h.dctFromPixels(data, width, height, channels, { mode: 'frame' }, region);
    // Dihedral hashes come from the same DCT (no second pass), so they go first.
    if (this.options.mirror) push(h.transformedHash('flipY'), 'mirror');
    if (this.options.rotations) for (const r of ROTATIONS) push(h.transformedHash(r), r);
    const full: Region = { x: 0, y: 0, width, height };
    let content = full;
    if (this.options.borders) {
      out.detected = detectBorders(data, width, height, channels);
      const use = knownBorders && (!out.detected || !sameRegion(out.detected, knownBorders, 2)) ? knownBorders : out.detected;
      if (use && use.x + use.width <= width && use.y + use.height <= height) {
        const q = hashRegion(use);
        out.borders = use;
        content = use;
        out.quality = Math.min(out.quality, q);
        if (q >= MATCH_RULE.qualityMin) {
          push(h.transformedHash('original'), 'borders');
          if (this.options.mirror) push(h.transformedHash('flipY'), 'borders-mirror');
          if (this.options.rotations) for (const r of ROTATIONS) push(h.transformedHash(r), `borders-${r}`);
        }
      }
    }
    extra.settled?.(out.pdq, out.quality);
    const moving = extra.moving;
    if (this.options.margins && moving && moving.x + moving.width <= width && moving.y + moving.height <= height && !sameRegion(moving, content, 2)) {
      // A meme frame's bars carry text, so the bar detector does not see them; the still margins do.
      // The moving region's own quality decides (the bars' text would inflate the whole frame's).
      const q = hashRegion(moving);
      if (q >= MATCH_RULE.qualityMin) {
        push(h.transformedHash('original'), 'moving');
        if (this.options.mirror) push(h.transformedHash('flipY'), 'moving-mirror');
      }
    }
    // A picture-in-picture inset is judged by its own quality too (the footage around it may be flat).
    if (this.options.insets) {
      for (const r of (typeof extra.insets === 'function' ? extra.insets() : extra.insets) ?? []) {
        if (r.x + r.width > width || r.y + r.height > height || sameRegion(r, content, 2)) continue;
        if (hashRegion(r) >= MATCH_RULE.qualityMin) {
          push(h.transformedHash('original'), 'inset');
          if (this.options.mirror) push(h.transformedHash('flipY'), 'inset-mirror');
        }
      }
    }
    // Frames too flat to take part in matching get no alternates: they could never count.
    if (out.quality < MATCH_RULE.qualityMin) {
      out.alternates.length = 0;
      return out;
    }
    const crops = extra.crops ?? this.options.crops;
    if (this.options.bands) {
      // With bars, the band of the whole frame too: a logo drawn over a bar hides the bar from
      // the detector on the copy, whose band is then cut from its whole frame. Like the crops,
      // a listed video carries it on vPDQ's one-per-second frames only (list size).
      const frameBand = content !== full && (crops || !this.options.crops);
      for (const [base, why] of frameBand ? ([[content, 'band'], [full, 'frame-band']] as const) : ([[content, 'band']] as const)) {
        const r = bandRegion(base);
        if (r && hashRegion(r) >= MATCH_RULE.qualityMin) {
          push(h.transformedHash('original'), why);
          if (this.options.mirror) push(h.transformedHash('flipY'), `${why}-mirror`);
        }
      }
    }
    if (crops) {
      const regions: { region: Region; why: string }[] = [];
      for (const spec of LIST_CROPS) {
        const r = cropRegion(content, spec);
        if (r) regions.push({ region: r, why: spec.why });
        // A copy cropped with its bars still on: the crop is taken from the whole frame, and
        // the copy's own bar removal then leaves the intersection with the content.
        if (content !== full) {
          const c = cropRegion(full, spec);
          const r2 = c && intersect(c, content);
          if (r2 && !sameRegion(r2, content) && !(r && sameRegion(r2, r))) regions.push({ region: r2, why: `frame-${spec.why}` });
        }
      }
      for (const { region, why } of regions) {
        if (hashRegion(region) >= MATCH_RULE.qualityMin) push(h.transformedHash('original'), why);
      }
    }
    return out;
  }
}

const ROTATIONS = ['rotate90', 'rotate180', 'rotate270'] as const;

/**
 * How listed videos are sampled: every decoded frame is hashed, and kept when it differs from
 * the last kept frame by more than `distinctBits` (a still scene costs one hash), or when it is
 * one of vPDQ's own frames (one per second), so a list entry always contains the reference
 * fingerprint. A copy sampled at any instant then finds a listed frame at most 1/(2·fps) s away
 * (the very frame when the copy was cut, not resampled), instead of up to 0.5 s away.
 * Measured (docs/matching.md): see there for the list size per minute this costs.
 */
export const LIST_SAMPLING = {
  /** Consecutive kept frames differ by more than this; a dropped frame is within it of a kept one. */
  distinctBits: 8,
};

/**
 * Which frames a pipeline decodes and which it must keep: with distinct-frame sampling every
 * frame is decoded and vPDQ's own frames (n % frameStep(fps) === 0) are always kept.
 */
export function listSampling(
  o: { forList?: boolean; secondsPerHash?: number; distinctFrames?: boolean },
  fps: number,
): { secondsPerHash?: number; distinctBits?: number; keep: (frame: number) => boolean } {
  const distinct = o.distinctFrames ?? (o.forList === true && o.secondsPerHash === undefined);
  if (!distinct) return { secondsPerHash: o.secondsPerHash, keep: () => true };
  const step = frameStep(fps, o.secondsPerHash ?? DEFAULT_SECONDS_PER_HASH);
  return { secondsPerHash: 0, distinctBits: LIST_SAMPLING.distinctBits, keep: (frame) => frame % step === 0 };
}

export interface BuilderOptions extends RobustOptions {
  /** Keep a frame only when it differs from the last kept one by more than this many bits. */
  distinctBits?: number;
  /** The inset finder's buffers, handed on from an earlier video (see InsetFinder). */
  insetBuffers?: InsetBuffers;
}

/**
 * Finds the region of a video that moves while its margins stay still: a meme frame (text bars
 * above and below, often side margins too) around a shrunk video. Per sampled frame it keeps a
 * coarse luma signature of every row and column; a row or column "moved" once its signature
 * changed between two sampled frames. The moving region is the box of moved rows and columns,
 * reported only when it is clearly inside the frame (margins of at least 4 % on some side) and
 * still covers a quarter of it.
 */
export class StaticMargins {
  private rowSig?: Uint8Array;
  private colSig?: Uint8Array;
  private rowMoved?: Uint8Array;
  private colMoved?: Uint8Array;
  private width = 0;
  private height = 0;
  private frames = 0;
  private xAt?: Int32Array;
  private yAt?: Int32Array;
  private static readonly SAMPLES = 48;
  /** A sample changed when its luma moved more than this many levels (codec noise stays under). */
  private static readonly CHANGE = 24;

  /** Feed one sampled frame; returns the moving region known so far (null: none yet). */
  add(data: Pixels, width: number, height: number, channels: 3 | 4): Region | null {
    const S = StaticMargins.SAMPLES;
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.rowSig = new Uint8Array(height * S);
      this.colSig = new Uint8Array(width * S);
      this.rowMoved = new Uint8Array(height);
      this.colMoved = new Uint8Array(width);
      this.frames = 0;
    }
    // Sample positions, as byte offsets: across a row (x) and down a column (y * stride).
    // Inlined luma and precomputed offsets: 1.2 ms a 720p frame through a closure, 0.9 ms now.
    const stride = width * channels;
    const xs = (this.xAt ??= new Int32Array(S));
    const ys = (this.yAt ??= new Int32Array(S));
    for (let k = 0; k < S; k++) {
      xs[k] = Math.min(width - 1, Math.floor(((k + 0.5) * width) / S)) * channels;
      ys[k] = Math.min(height - 1, Math.floor(((k + 0.5) * height) / S)) * stride;
    }
    const first = this.frames === 0;
    const threshold = StaticMargins.CHANGE;
    const rowSig = this.rowSig!;
    const colSig = this.colSig!;
    const rowMoved = this.rowMoved!;
    const colMoved = this.colMoved!;
    for (let y = 0, row = 0; y < height; y++, row += stride) {
      let changed = 0;
      for (let k = 0, i = y * S; k < S; k++, i++) {
        const o = row + xs[k];
        const v = (data[o] * 77 + data[o + 1] * 150 + data[o + 2] * 29) >> 8;
        if (!first && Math.abs(v - rowSig[i]) > threshold) changed++;
        rowSig[i] = v;
      }
      if (changed >= 2) rowMoved[y] = 1;
    }
    for (let x = 0, col = 0; x < width; x++, col += channels) {
      let changed = 0;
      for (let k = 0, i = x * S; k < S; k++, i++) {
        const o = ys[k] + col;
        const v = (data[o] * 77 + data[o + 1] * 150 + data[o + 2] * 29) >> 8;
        if (!first && Math.abs(v - colSig[i]) > threshold) changed++;
        colSig[i] = v;
      }
      if (changed >= 2) colMoved[x] = 1;
    }
    this.frames++;
    return this.region();
  }

  private region(): Region | null {
    const span = (moved: Uint8Array): [number, number] | null => {
      let a = 0;
      while (a < moved.length && !moved[a]) a++;
      if (a === moved.length) return null;
      let b = moved.length - 1;
      while (!moved[b]) b--;
      return [a, b + 1];
    };
    const rows = span(this.rowMoved!);
    const cols = span(this.colMoved!);
    if (!rows || !cols) return null;
    const region = { x: cols[0], y: rows[0], width: cols[1] - cols[0], height: rows[1] - rows[0] };
    const marginX = Math.max(region.x, this.width - cols[1]) / this.width;
    const marginY = Math.max(region.y, this.height - rows[1]) / this.height;
    if (marginX < 0.04 && marginY < 0.04) return null;
    if (region.width * region.height < 0.25 * this.width * this.height || region.width < 16 || region.height < 16) return null;
    return region;
  }
}

/**
 * Accumulates sampled frames into a VideoFingerprint (shared by the Node and browser pipelines).
 * Bars do not move within a video: once two frames agree on the content rectangle, that
 * rectangle is also used for later frames where the detector alone cannot tell (dark scenes).
 */
export class VideoFingerprintBuilder {
  private readonly frames: FrameHash[] = [];
  private readonly alternates: { of: number; pdq: string; why: string }[] = [];
  private readonly fingerprinter: FrameFingerprinter;
  private readonly margins?: StaticMargins;
  private readonly insets?: InsetFinder;
  private readonly distinctBits?: number;
  private lastDetected: Region | null = null;
  private agreedBorders: Region | null = null;
  private lastKept?: Hash256;

  constructor(options: BuilderOptions = {}) {
    this.fingerprinter = new FrameFingerprinter(options);
    if (this.fingerprinter.options.margins) this.margins = new StaticMargins();
    if (this.fingerprinter.options.insets) this.insets = new InsetFinder(options.insetBuffers);
    this.distinctBits = options.distinctBits;
  }

  /**
   * Adds a sampled frame. With `distinctBits`, a frame within that distance of the last kept
   * one is skipped (null) unless it is an `anchor` (one of vPDQ's own one-per-second frames),
   * and only anchors get crop alternates: 22 crops on every distinct frame would make a list
   * 20 times larger and its building 10 times slower (docs/matching.md).
   */
  add(frame: number, t: number, data: Pixels, width: number, height: number, channels: 3 | 4, anchor = true, settled?: FrameExtras['settled']): FrameHashes | null {
    const keep = anchor;
    const moving = this.margins?.add(data, width, height, channels) ?? null;
    const bits = this.distinctBits;
    const accept =
      bits === undefined
        ? undefined
        : (pdq: string) => {
            const hash = hexToHash(pdq);
            if (!keep && this.lastKept && hamming(hash, this.lastKept) <= bits) return false;
            this.lastKept = hash;
            return true;
          };
    const crops = bits === undefined || anchor ? undefined : false;
    // Found after the frame's own hash is settled, but for every frame, kept or not: the finder
    // ranks rectangles by the frames that outlined them before.
    let insets: Region[] | undefined;
    let looked = false;
    const insetsOnce = () => (looked ? insets : ((looked = true), (insets = this.insets?.add(data, width, height, channels))));
    const h = this.fingerprinter.hashFrame(data, width, height, channels, this.agreedBorders, { moving, insets: insetsOnce, keep: accept, crops, settled });
    insetsOnce();
    if (!h) return null;
    if (h.detected) {
      if (this.lastDetected && sameRegion(h.detected, this.lastDetected, 2)) this.agreedBorders = h.detected;
      this.lastDetected = h.detected;
    }
    const of = this.frames.length;
    this.frames.push({ t, pdq: h.pdq, quality: h.quality, frame });
    for (const a of h.alternates) this.alternates.push({ of, ...a });
    return h;
  }

  finish(): VideoFingerprint {
    return this.alternates.length ? { frames: this.frames, alternates: this.alternates } : { frames: this.frames };
  }
}
