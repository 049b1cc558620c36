/**
 * Which H.264 samples the browser pipeline need not decode at all. A picture whose slices all
 * carry nal_ref_idc = 0 is used by no other picture, so leaving it out changes no other decoded
 * frame (ffmpeg's `-skip_frame noref` does the same): unless it is itself one of the frames to
 * hash, it is not sent to the decoder. With x264's defaults that is most B-frames: 19–49 % of the
 * pictures of the sample clips, 39 % of the fingerprint bench's 60 s clip.
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
  if (o.step <= 1 || !/^avc[13]\./.test(o.codec) || !o.description || o.description.length < 5) return undefined;
  const lengthSize = (o.description[4] & 3) + 1;
  if (lengthSize === 3) return undefined; // not a valid NAL length size
  const inEdit = (ts: number) => ts >= o.editStart && (o.editEnd === undefined || ts < o.editEnd);
  const stamps = samples.map(chunkTimestamp);
  const shown = stamps.filter(inEdit).sort((a, b) => a - b);
  const indexOf = new Map<number, number>();
  for (let i = 0; i < shown.length; i++) {
    if (indexOf.has(shown[i])) return undefined; // two frames at one instant: cannot tell them apart
    indexOf.set(shown[i], i);
  }
  const skip = samples.map((s, i) => {
    if (s.is_sync || !s.data) return false;
    const n = indexOf.get(stamps[i]);
    if (n !== undefined && n % o.step === 0) return false;
    return isNonReferencePicture(s.data, lengthSize);
  });
  const skipped = skip.reduce((k, x) => k + (x ? 1 : 0), 0);
  return skipped ? { indexOf, skip, skipped } : undefined;
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
