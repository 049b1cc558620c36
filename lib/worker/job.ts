/**
 * One check, as the worker context runs it: get the bytes the reference points at (from the
 * extension side, with the size cap), run the first stage (C2PA + SHA-256) and report it at
 * once, then fingerprint the frames and report again. Dependencies are injected so this runs
 * in the extension's worker and under vitest alike.
 */
import { inspectBytes, inspectFragments, type CheckEnv, type Inspected } from '../check';
import type { TrustSettings } from '../c2pa/trust';
import { MAX_REMOTE_MANIFEST_BYTES, type RemoteContext, type RemotePolicy } from '../c2pa/remote';
import { concat as concatAll, fetchBytes, FetchFailure, type FetchOptions } from '../media/fetch';
import { PlaylistError } from '../media/hls';
import type { MediaRef } from '../media/ref';
import type { Evidence } from '../verdict';
import type { VideoFingerprint } from '../fingerprint/types';

export interface CheckJob {
  key: string;
  ref: MediaRef;
  source: string;
  maxBytes: number;
  trustVersion: string | null;
  fingerprint: boolean;
  /** For `file` references: where the page left the bytes. */
  uploadId?: string;
}

export interface JobDeps {
  c2pa: CheckEnv['c2pa'];
  trust: (version: string | null) => Promise<TrustSettings | undefined>;
  loadUpload?: (id: string) => Promise<Uint8Array | undefined>;
  /** Decodes frames and hashes them; throws with a readable message when it cannot. */
  fingerprint?: (bytes: Uint8Array, mime: string, signal: AbortSignal) => Promise<VideoFingerprint>;
  /** Resolves an HLS playlist into something fetchable (site-specific logic lives in lib/media/hls.ts). */
  resolveHls?: (url: string, fetchOpts: FetchOptions) => Promise<MediaRef>;
  fetchImpl?: typeof fetch;
  /** Remote manifests: fetch from other hosts than the video's? (a setting; off by default) */
  remotePolicy?: RemotePolicy;
  post: (stage: 'c2pa' | 'frames', evidence: Evidence) => void;
}

export async function runJob(job: CheckJob, deps: JobDeps, signal: AbortSignal): Promise<void> {
  const fetchOpts: FetchOptions = { maxBytes: job.maxBytes, signal, fetchImpl: deps.fetchImpl };
  let inspected: Inspected;
  let bytes: Uint8Array;
  /** For streams: the remaining fragments, fetched only if frames are wanted. */
  let frameBytes: () => Promise<Uint8Array> = async () => bytes;
  try {
    const trust = await deps.trust(job.trustVersion);
    const env: CheckEnv = { c2pa: deps.c2pa, trust };
    let ref = job.ref;
    if (ref.kind === 'hls') {
      if (!deps.resolveHls) throw new Unavailable('HLS playlists are not supported here');
      ref = await deps.resolveHls(ref.url, fetchOpts);
    }
    switch (ref.kind) {
      case 'url': {
        const fetched = await fetchBytes(ref.url, fetchOpts);
        bytes = fetched.bytes;
        inspected = await inspectBytes(job.source, bytes, { ...env, remote: remoteContext(fetched.url, fetched.link, deps, fetchOpts) });
        break;
      }
      case 'fragments': {
        const init = (await fetchBytes(ref.init, fetchOpts)).bytes;
        const fragment = (await fetchBytes(ref.fragments[0], { ...fetchOpts, maxBytes: job.maxBytes - init.length })).bytes;
        inspected = await inspectFragments(job.source, init, fragment, env);
        bytes = concat(init, fragment);
        const rest = ref.fragments.slice(1);
        frameBytes = async () => {
          // Frames come from as much of the stream as the size cap allows.
          const parts = [bytes];
          let size = bytes.length;
          for (const u of rest) {
            if (size >= job.maxBytes) break;
            const b = (await fetchBytes(u, { ...fetchOpts, maxBytes: job.maxBytes - size })).bytes;
            parts.push(b);
            size += b.length;
          }
          return parts.length === 1 ? bytes : concatAll(parts);
        };
        break;
      }
      case 'file': {
        const b = job.uploadId && deps.loadUpload ? await deps.loadUpload(job.uploadId) : undefined;
        if (!b) throw new Unavailable('the chosen file is no longer available; choose it again');
        if (b.length > job.maxBytes) throw new Unavailable(`the file is larger than the ${Math.round(job.maxBytes / 1048576)} MB limit`);
        bytes = b;
        inspected = await inspectBytes(job.source, bytes, { ...env, remote: remoteContext(undefined, undefined, deps, fetchOpts) });
        break;
      }
      case 'element':
      case 'unresolvable':
        throw new Unavailable(ref.reason);
      default:
        throw new Unavailable('this kind of video reference cannot be checked');
    }
  } catch (err) {
    if (err instanceof PlaylistError) {
      deps.post('c2pa', { source: job.source, mediaError: `the stream's playlist is malformed: ${err.message}`, fingerprint: 'skipped' });
      return;
    }
    if (err instanceof FetchFailure || err instanceof Unavailable) {
      deps.post('c2pa', { source: job.source, unavailable: err.message, fingerprint: 'skipped' });
      return;
    }
    throw err;
  }

  const wantsFrames = inspected.fingerprintable && job.fingerprint && !!deps.fingerprint;
  const { mediaType, fingerprintable, ...evidence } = inspected;
  deps.post('c2pa', { ...evidence, fingerprint: wantsFrames ? 'pending' : 'skipped' });
  if (!wantsFrames) return;
  try {
    const fp = await deps.fingerprint!(await frameBytes(), mediaType, signal);
    deps.post('frames', { ...evidence, frames: fp.frames, alternates: fp.alternates, fingerprint: 'done' });
  } catch (err) {
    deps.post('frames', { ...evidence, fingerprint: 'unavailable', fingerprintNote: `frames could not be decoded: ${(err as Error)?.message ?? err}` });
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

export class Unavailable extends Error {
  override name = 'Unavailable';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return concatAll([a, b]);
}
