/**
 * `check <file-or-url>`: the extension's pipeline in Node. Prints one Verdict, as JSON with
 * --json or as a short report. Exit 0 whenever a verdict was produced (whatever it says).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs, UsageError } from '../args';
import { inspectBytes, inspectFragments, type Inspected } from '../../lib/check';
import { nodeC2paEngine } from '../../lib/c2pa/node-engine';
import { countPemCertificates, type TrustSettings } from '../../lib/c2pa/trust';
import { DEFAULT_MAX_BYTES, fetchBytes, FetchFailure } from '../../lib/media/fetch';
import { isFetchableUrl } from '../../lib/media/ref';
import { textReport } from '../../lib/present';
import { decideVerdict, toReport, type Evidence, type Verdict } from '../../lib/verdict';
import { fmtBytes } from '../../lib/media/bmff';
import { MAX_REMOTE_MANIFEST_BYTES, type RemoteContext } from '../../lib/c2pa/remote';

export const usage = `check <file-or-url> [--json] [--trust <pem>]... [--trust-allowed <pem>] [--trust-config <cfg>]
        [--fragment <m4s>] [--list <list.jsonl>]... [--no-frames] [--no-remote] [--max-bytes <n>]
    Checks one video (or image): Content Credentials, SHA-256, frame fingerprint, list matches.
    --trust adds trust anchors (PEM); without any, signer trust is reported as unknown.
    --fragment reads <file> as an fMP4 init segment and <m4s> as one of its fragments.
    Remote Content Credentials (a Link header or a reference inside the file) are fetched and
    validated against the video, on any host; --no-remote reports them without fetching.`;

export async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, {
    values: ['trust-allowed', 'trust-config', 'fragment', 'max-bytes'],
    repeat: ['trust', 'list'],
    booleans: ['json', 'no-frames', 'no-remote'],
  });
  if (a.positional.length !== 1) throw new UsageError(a.positional.length ? 'give exactly one file or address' : 'which file or address?');
  const source = a.positional[0];
  const maxBytes = a.values['max-bytes'] ? Number(a.values['max-bytes']) : DEFAULT_MAX_BYTES;
  if (!Number.isFinite(maxBytes) || maxBytes <= 0) throw new UsageError('--max-bytes needs a positive number');
  const trust = await loadTrust(a.lists.trust ?? [], a.values['trust-allowed'], a.values['trust-config']);
  const verdict = await checkSource(source, {
    trust,
    maxBytes,
    fragment: a.values.fragment,
    frames: !a.flags.has('no-frames'),
    lists: a.lists.list ?? [],
    remote: !a.flags.has('no-remote'),
  });
  process.stdout.write(a.flags.has('json') ? JSON.stringify(toReport(verdict), null, 2) + '\n' : textReport(verdict));
  return 0;
}

export interface CheckSourceOptions {
  trust?: TrustSettings;
  maxBytes?: number;
  fragment?: string;
  frames?: boolean;
  lists?: string[];
  /** Follow remote manifest references, on any host (default true: a command line is explicit intent). */
  remote?: boolean;
}

/** One source (file or address) through the whole pipeline: the CLI's verdict. */
export async function checkSource(source: string, o: CheckSourceOptions = {}): Promise<Verdict> {
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const env = { c2pa: nodeC2paEngine(), trust: o.trust };
  let evidence: Evidence;
  try {
    const { bytes, url, link } = await readSource(source, maxBytes);
    const remote: RemoteContext = {
      assetUrl: url,
      link,
      policy: { allowOtherHosts: true, never: o.remote === false },
      fetchManifest: async (u) => {
        try {
          return (await fetchBytes(u, { maxBytes: MAX_REMOTE_MANIFEST_BYTES, timeoutMs: 20_000 })).bytes;
        } catch (err) {
          throw err instanceof FetchFailure ? err : new Error('the download failed');
        }
      },
    };
    const inspected: Inspected = o.fragment
      ? await inspectFragments(source, bytes, (await readSource(o.fragment, maxBytes)).bytes, env)
      : await inspectBytes(source, bytes, { ...env, remote });
    const { mediaType, fingerprintable, ...found } = inspected;
    evidence = found;
    if (fingerprintable && o.frames !== false) evidence = { ...evidence, ...(await fingerprint(source, bytes)) };
    if (o.lists?.length && evidence.sha256) evidence = { ...evidence, matches: await matchLists(evidence, o.lists) };
  } catch (err) {
    if (!(err instanceof SourceUnavailable)) throw err;
    evidence = { source, unavailable: err.message };
  }
  return decideVerdict({ ...evidence, fingerprint: evidence.fingerprint === 'pending' ? 'skipped' : evidence.fingerprint });
}

class SourceUnavailable extends Error {}

async function readSource(source: string, maxBytes: number): Promise<{ bytes: Uint8Array; url?: string; link?: string }> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    if (!isFetchableUrl(source)) throw new UsageError(`only http(s) addresses can be checked: ${source}`);
    try {
      const f = await fetchBytes(source, { maxBytes });
      return { bytes: f.bytes, url: f.url, link: f.link };
    } catch (err) {
      if (err instanceof FetchFailure) throw new SourceUnavailable(err.message);
      throw err;
    }
  }
  let size: number;
  try {
    const s = await stat(source);
    if (!s.isFile()) throw new UsageError(`${source} is not a file`);
    size = s.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (size > maxBytes) throw new SourceUnavailable(`the file is ${fmtBytes(size)}, over the ${fmtBytes(maxBytes)} limit (--max-bytes)`);
  return { bytes: new Uint8Array(await readFile(source)) };
}

async function loadTrust(anchors: string[], allowed?: string, config?: string): Promise<TrustSettings | undefined> {
  if (!anchors.length) {
    if (allowed || config) throw new UsageError('--trust-allowed and --trust-config need at least one --trust anchor file');
    return undefined;
  }
  const read = async (p: string) => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read trust file ${p}: ${(err as Error).message}`);
    }
  };
  const texts = await Promise.all(anchors.map(read));
  texts.forEach((t, i) => {
    if (!countPemCertificates(t)) throw new UsageError(`${anchors[i]} holds no PEM certificate`);
  });
  const allowedText = allowed ? await read(allowed) : undefined;
  return {
    anchors: texts.join('\n'),
    allowed: allowedText,
    config: config ? await read(config) : undefined,
    sources: anchors.map((p) => basename(p)),
    lists: [
      ...anchors.map((p, i) => ({ name: `trust list ${basename(p)}`, pem: texts[i], role: 'anchors' as const })),
      ...(allowedText ? [{ name: `allowed list ${basename(allowed!)}`, pem: allowedText, role: 'allowed' as const }] : []),
    ],
  };
}

/** Frames from ffmpeg (the fingerprint module); a failure is noted, never fatal to the verdict. */
async function fingerprint(source: string, bytes: Uint8Array): Promise<Partial<Evidence>> {
  try {
    const { fingerprintBytes } = await import('../../lib/fingerprint/ffmpeg');
    const fp = await fingerprintBytes(bytes, { name: basename(source) });
    return { frames: fp.frames, alternates: fp.alternates, fingerprint: 'done' };
  } catch (err) {
    return { fingerprint: 'unavailable', fingerprintNote: `frames could not be decoded: ${(err as Error).message}` };
  }
}

async function matchLists(e: Evidence, lists: string[]) {
  const { matchAgainstListFiles } = await import('../../lib/lists/node');
  return matchAgainstListFiles({ frames: e.frames ?? [], alternates: e.alternates }, e.sha256!, lists);
}
