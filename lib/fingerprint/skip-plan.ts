/**
 * Which H.264 samples the browser pipeline (and the CLI: ffmpeg-skip.ts) need not decode at
 * all. A picture whose slices all carry nal_ref_idc = 0 is used by no other picture, so leaving
 * it out changes no other decoded frame (ffmpeg's `-skip_frame noref` does the same): unless it
 * is itself one of the frames to hash, it is not sent to the decoder. With x264's defaults that
 * is most B-frames: 19–49 % of the pictures of the sample clips, 39 % of the fingerprint bench's
 * 60 s clip.
 * A decoder never uses such a picture as a reference anyway, so a file that labels a picture
 * nal_ref_idc 0 and then refers to it decodes the same with or without it.
 *
 * Frames are still counted as if all were decoded: each sample's presentation index comes from
 * its timestamp among all the in-edit samples, not from the decoder's output count.
 */

export interface PlannedSample {
  /** Composition time and timescale, as mp4box gives them. */
  cts: number;
  timescale: number;
  is_sync: boolean;
  data?: Uint8Array;
}

export interface SkipPlan {
  /** Presentation index (0-based, in-edit frames only) by chunk timestamp in µs. */
  indexOf: Map<number, number>;
  /** Per sample (decode order): true when it is not sent to the decoder. */
  skip: boolean[];
  skipped: number;
}

/** The µs timestamp a sample's chunk is given (and its decoded frame comes back with). */
export const chunkTimestamp = (s: { cts: number; timescale: number }) => Math.round((s.cts * 1e6) / s.timescale);

/**
 * A plan when skipping is safe and worth it: H.264 with a length-prefixed configuration record,
 * every `step`-th frame hashed (step > 1), distinct timestamps. Otherwise undefined (decode all).
 */
export function planSkips(
  samples: readonly PlannedSample[],
  o: { codec: string; description?: Uint8Array; step: number; editStart: number; editEnd?: number },
): SkipPlan | undefined {
  const lengthSize = skippableStream(o);
  if (!lengthSize) return undefined;
  const stamps = samples.map(chunkTimestamp);
  const indexOf = presentationIndex(stamps, o.editStart, o.editEnd);
  if (!indexOf) return undefined;
  const skip = samples.map((s, i) => !!s.data && !mustDecode(s, indexOf.get(stamps[i]), o.step) && isNonReferencePicture(s.data, lengthSize));
  const skipped = skip.reduce((k, x) => k + (x ? 1 : 0), 0);
  return skipped ? { indexOf, skip, skipped } : undefined;
}

/**
 * The NAL length size when pictures may be skipped at all: H.264 with a length-prefixed
 * configuration record and a sampling step over 1 (every frame hashed: nothing to skip).
 */
export function skippableStream(o: { codec: string; description?: Uint8Array; step: number }): number | undefined {
  if (o.step <= 1 || !/^avc[13]\./.test(o.codec) || !o.description || o.description.length < 5) return undefined;
  const lengthSize = (o.description[4] & 3) + 1;
  return lengthSize === 3 ? undefined : lengthSize; // 3 is not a valid NAL length size
}

/**
 * Presentation index (0-based, in-edit frames only) by timestamp, or undefined when two frames
 * share an instant (they could not be told apart).
 */
export function presentationIndex(stamps: readonly number[], editStart: number, editEnd?: number): Map<number, number> | undefined {
  const shown = stamps.filter((ts) => ts >= editStart && (editEnd === undefined || ts < editEnd)).sort((a, b) => a - b);
  const indexOf = new Map<number, number>();
  for (let i = 0; i < shown.length; i++) {
    if (indexOf.has(shown[i])) return undefined;
    indexOf.set(shown[i], i);
  }
  return indexOf;
}

/** Keyframes and the frames to hash (presentation index n with n % step = 0) are always decoded. */
export function mustDecode(s: { is_sync: boolean }, n: number | undefined, step: number): boolean {
  return s.is_sync || (n !== undefined && n % step === 0);
}

/**
 * Whether a length-prefixed H.264 access unit is a non-reference picture: it has slices (NAL
 * types 1-5) and every one of them has nal_ref_idc = 0. Anything malformed counts as a reference.
 */
export function isNonReferencePicture(au: Uint8Array, lengthSize: number): boolean {
  let slices = 0;
  for (let off = 0; off < au.length; ) {
    if (off + lengthSize >= au.length) return false;
    let len = 0;
    for (let k = 0; k < lengthSize; k++) len = len * 256 + au[off + k];
    const header = au[off + lengthSize];
    if (len < 1 || off + lengthSize + len > au.length || header & 0x80) return false;
    const type = header & 0x1f;
    if (type >= 1 && type <= 5) {
      if (header & 0x60) return false; // nal_ref_idc ≠ 0: another picture may use it
      slices++;
    }
    off += lengthSize + len;
  }
  return slices > 0;
}
