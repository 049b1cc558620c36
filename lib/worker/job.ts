/**
 * One check, as the worker context runs it: get the bytes the reference points at (from the
 * extension side, with the size cap), run the first stage (C2PA + SHA-256) and report it at
 * once, then fingerprint the frames and report again. Dependencies are injected so this runs
 * in the extension's worker and under vitest alike.
 */
import { inspectFragments, inspectSource, WHOLE_READ_MAX, type CheckEnv, type Inspected, type SourceInspection } from '../check';
import { MemorySource, openRemote, type ByteSource } from '../media/source';
import type { TrustSettings } from '../c2pa/trust';
import { MAX_REMOTE_MANIFEST_BYTES, type RemoteContext, type RemotePolicy } from '../c2pa/remote';
import { concat as concatAll, fetchBytes, FetchFailure, type FetchOptions } from '../media/fetch';
import { PlaylistError } from '../media/hls';
import type { MediaRef } from '../media/ref';
import type { Basis, Evidence, FrameHash, FramesBasis } from '../verdict';
import type { VideoFingerprint } from '../fingerprint/types';
import { MAX_PREFIX_SECONDS, MIN_PREFIX_SECONDS } from '../fingerprint/partial';
import { isVideo, sniffType } from '../media/sniff';

export interface CheckJob {
  key: string;
  ref: MediaRef;
  source: string;
  maxBytes: number;
  trustVersion: string | null;
  fingerprint: boolean;
  /** Most bytes fetched for frames when the file itself is not read whole (see lib/fingerprint/partial.ts). */
  frameBudget?: number;
  /** For `file` references: where the page left the bytes. */
  uploadId?: string;
}

/** Frames are hashed from all the bytes in hand, or from the frames a sample table points at. */
export type FrameInput =
  | { kind: 'bytes'; bytes: Uint8Array; mode: 'whole' | 'prefix' }
  | { kind: 'moov'; moov: Uint8Array; source: ByteSource; budget: number };

export type FramesResult = VideoFingerprint & { basis?: FramesBasis };

export interface JobDeps {
  c2pa: CheckEnv['c2pa'];
  trust: (version: string | null) => Promise<TrustSettings | undefined>;
  loadUpload?: (id: string) => Promise<Uint8Array | undefined>;
  /**
   * Decodes frames and hashes them; throws with a readable message when it cannot. `onHash` hears
   * each frame's hash as it is made.
   */
  fingerprint?: (input: FrameInput, signal: AbortSignal, onHash?: (h: FrameHash) => void) => Promise<FramesResult>;
  /** Resolves an HLS playlist into something fetchable (site-specific logic lives in lib/media/hls.ts). */
  resolveHls?: (url: string, fetchOpts: FetchOptions) => Promise<MediaRef>;
  fetchImpl?: typeof fetch;
  /** Remote manifests: fetch from other hosts than the video's? (a setting; off by default) */
  remotePolicy?: RemotePolicy;
  /**
   * `c2pa`: the first stage; `preview`: the first frame hashes only (`frames`), sent before the rest
   * are decoded so a page's picture can be confirmed early (never final, never matched); `frames`: the fingerprint.
   */
  post: (stage: CheckStage, evidence: Evidence) => void;
}

export type CheckStage = 'c2pa' | 'preview' | 'frames';

/** Frame hashes sent ahead of the whole fingerprint: the frame a paused video rests on is the first. */
const PREVIEW_FRAMES = 1;

/** Seconds a fragment is taken to last when its playlist did not say. */
const ASSUMED_FRAGMENT_SECONDS = 2;

/** Frame budget when none is given: an unplayed video of any length costs at most about 2 MB. */
export const DEFAULT_FRAME_BUDGET = 1536 * 1024;
/** Frames decoded from a file already in hand (no network): the prefix limit is what bounds it. */
const LOCAL_FRAME_BUDGET = 64 * 1024 * 1024;

export async function runJob(job: CheckJob, deps: JobDeps, signal: AbortSignal): Promise<void> {
  const fetchOpts: FetchOptions = { maxBytes: job.maxBytes, signal, fetchImpl: deps.fetchImpl };
  const budget = job.frameBudget ?? DEFAULT_FRAME_BUDGET;
  let inspected: Inspected & { basis?: Basis };
  /** What the frame stage reads, decided by how the file was read. */
  let frameInput: () => Promise<FrameInput | undefined>;
  let fetched: () => number = () => 0;
  /** The frame stage, started as soon as a file read whole is in hand: decoded while C2PA is validated. */
  let early: FrameStage | undefined;
  const startEarly = (bytes: Uint8Array) => {
    if (!early && job.fingerprint && deps.fingerprint && isVideo(sniffType(bytes))) early = new FrameStage(deps, { kind: 'bytes', bytes, mode: 'whole' }, signal);
  };
  try {
    const trust = await deps.trust(job.trustVersion);
    const env: CheckEnv = { c2pa: deps.c2pa, trust, onWholeBytes: startEarly };
    let ref = job.ref;
    if (ref.kind === 'hls') {
      if (!deps.resolveHls) throw new Unavailable('HLS playlists are not supported here');
      ref = await deps.resolveHls(ref.url, fetchOpts);
    }
    switch (ref.kind) {
      case 'url': {
        const src = await openRemote(ref.url, { ...fetchOpts, maxBytes: job.maxBytes, wholeBelow: WHOLE_READ_MAX });
        fetched = () => src.fetched;
        const r = await inspectSource(job.source, src, { ...env, remote: remoteContext(src.url, src.headers?.get('link') ?? undefined, deps, fetchOpts) });
        inspected = r;
        frameInput = async () => framesFor(r, src, budget);
        break;
      }
      case 'fragments': {
        let used = 0;
        const get = async (u: string, cap: number) => {
          const b = (await fetchBytes(u, { ...fetchOpts, maxBytes: cap })).bytes;
          used += b.length;
          return b;
        };
        fetched = () => used;
        const init = await get(ref.init, job.maxBytes);
        const fragment = await get(ref.fragments[0], job.maxBytes - init.length);
        inspected = await inspectFragments(job.source, init, fragment, env);
        const rest = ref.fragments.slice(1);
        const seconds = (i: number) => ref.durations?.[i] ?? ASSUMED_FRAGMENT_SECONDS;
        frameInput = async () => {
          // Frames from the first fragments (never the whole stream): up to MAX_PREFIX_SECONDS, and
          // past the byte budget only as far as the seconds a match needs.
          const parts = [init, fragment];
          let size = init.length + fragment.length;
          let covered = seconds(0);
          for (let i = 0; i < rest.length; i++) {
            if (covered >= MAX_PREFIX_SECONDS || (size >= budget && covered > MIN_PREFIX_SECONDS)) break;
            const b = await get(rest[i], Math.max(1, job.maxBytes - size));
            parts.push(b);
            size += b.length;
            covered += seconds(i + 1);
          }
          return { kind: 'bytes', bytes: concatAll(parts), mode: parts.length - 1 === ref.fragments.length ? 'whole' : 'prefix' };
        };
        break;
      }
      case 'file': {
        const b = job.uploadId && deps.loadUpload ? await deps.loadUpload(job.uploadId) : undefined;
        if (!b) throw new Unavailable('the chosen file is no longer available; choose it again');
        if (b.length > job.maxBytes) throw new Unavailable(`the file is larger than the ${Math.round(job.maxBytes / 1048576)} MB limit`);
        const r = await inspectSource(job.source, new MemorySource(b, job.source), { ...env, remote: remoteContext(undefined, undefined, deps, fetchOpts) }, Infinity);
        inspected = r;
        frameInput = async () => ({ kind: 'bytes', bytes: b, mode: 'whole' });
        break;
      }
      case 'element':
      case 'unresolvable':
        throw new Unavailable(ref.reason);
      default:
        throw new Unavailable('this kind of video reference cannot be checked');
    }
  } catch (err) {
    early?.callOff();
    const basis: Basis = { file: 'none', bytesRead: fetched() };
    if (err instanceof PlaylistError) {
      deps.post('c2pa', { source: job.source, mediaError: `the stream's playlist is malformed: ${err.message}`, fingerprint: 'skipped', basis });
      return;
    }
    if (err instanceof FetchFailure || err instanceof Unavailable) {
      deps.post('c2pa', { source: job.source, unavailable: err.message, fingerprint: 'skipped', basis, ...(err instanceof FetchFailure ? { transient: isTransient(err) } : {}) });
      return;
    }
    throw err;
  }

  const wantsFrames = inspected.fingerprintable && job.fingerprint && !!deps.fingerprint;
  // Only the evidence travels to the background; the rest is the frame stage's own.
  const { mediaType: _type, fingerprintable: _f, whole: _whole, layout: _layout, ...evidence } = inspected as SourceInspection;
  const basis = (): Basis => ({ ...(evidence.basis ?? { file: 'part', bytesRead: 0 }), bytesRead: fetched() });
  deps.post('c2pa', { ...evidence, basis: basis(), fingerprint: wantsFrames ? 'pending' : 'skipped' });
  if (!wantsFrames) {
    early?.callOff(); // not a video after all, or broken: its frames are not wanted
    return;
  }
  try {
    let stage = early;
    if (!stage) {
      const input = await frameInput();
      if (!input) throw new Error('this file has no sample table to find its frames in');
      stage = new FrameStage(deps, input, signal);
    }
    stage.firstStagePosted(evidence);
    const fp = await stage.result;
    deps.post('frames', { ...evidence, frames: fp.frames, alternates: fp.alternates, fingerprint: 'done', basis: { ...basis(), frames: fp.basis } });
  } catch (err) {
    if (signal.aborted) throw err;
    const why = err instanceof FetchFailure ? `its frames could not be fetched: ${err.message}` : `frames could not be decoded: ${(err as Error)?.message ?? err}`;
    deps.post('frames', { ...evidence, fingerprint: 'unavailable', fingerprintNote: why, basis: basis() });
  }
}

/**
 * The frame stage of one check. It may start before the first stage is posted (a file read whole
 * is decoded while its Content Credentials are validated: the picture on the page is confirmed
 * sooner); its preview still follows the first stage's post, never precedes it.
 */
class FrameStage {
  readonly result: Promise<FramesResult>;
  private readonly preview: FrameHash[] = [];
  private evidence: Evidence | undefined;
  private previewSent = false;
  private readonly ctl = new AbortController();

  constructor(
    private readonly deps: JobDeps,
    input: FrameInput,
    signal: AbortSignal,
  ) {
    if (signal.aborted) this.ctl.abort();
    else signal.addEventListener('abort', () => this.ctl.abort(), { once: true });
    this.result = deps.fingerprint!(input, this.ctl.signal, (h) => {
      if (this.preview.length >= PREVIEW_FRAMES) return;
      this.preview.push(h);
      this.sendPreview();
    });
    this.result.catch(() => {}); // awaited once the first stage is posted; a stage called off is never read
  }

  /** The first stage was posted: the preview may follow. */
  firstStagePosted(evidence: Evidence): void {
    this.evidence = evidence;
    this.sendPreview();
  }

  callOff(): void {
    this.ctl.abort();
  }

  private sendPreview(): void {
    if (this.previewSent || !this.evidence || this.preview.length < PREVIEW_FRAMES) return;
    this.previewSent = true;
    this.deps.post('preview', { ...this.evidence, frames: this.preview, fingerprint: 'pending' });
  }
}

/** Remote manifests come through the same fetch helper as media: capped, timed out, cookies omitted. */
function remoteContext(assetUrl: string | undefined, link: string | undefined, deps: JobDeps, fetchOpts: FetchOptions): RemoteContext {
  return {
    assetUrl,
    link,
    policy: deps.remotePolicy ?? { allowOtherHosts: false },
    fetchManifest: async (url) => (await fetchBytes(url, { ...fetchOpts, maxBytes: MAX_REMOTE_MANIFEST_BYTES, timeoutMs: 20_000 })).bytes,
  };
}

/** Where the frame stage finds its frames after inspectSource. */
function framesFor(r: SourceInspection, src: ByteSource, budget: number): FrameInput | undefined {
  if (r.whole instanceof MemorySource) return { kind: 'bytes', bytes: r.whole.bytes, mode: 'whole' };
  if (r.layout?.moov && !r.layout.fragmented) {
    // A file read whole (signed) is decoded from memory; otherwise only the planned frames are fetched.
    return r.whole ? { kind: 'moov', moov: r.layout.moov, source: r.whole, budget: LOCAL_FRAME_BUDGET } : { kind: 'moov', moov: r.layout.moov, source: src, budget };
  }
  return undefined;
}

/** Failures worth trying again later (a slow or cut link), as opposed to answers (404, too large). */
export function isTransient(err: FetchFailure): boolean {
  return err.kind === 'timeout' || err.kind === 'network' || err.kind === 'aborted';
}

export class Unavailable extends Error {
  override name = 'Unavailable';
}
