/**
 * Node-only helpers for lists (the CLI): reading list files, matching against them,
 * hashing and finding video files, writing outputs safely. Not for the extension bundle.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ListMatch } from '../verdict';
import type { VideoFingerprint } from '../fingerprint/types';
import { ListFormatError, parseList, type HashList, type ListLimits } from './format';
import { buildIndex } from './index';

/** Read and strictly parse a list file; errors name the file (and line). */
export async function readListFile(path: string, limits?: Partial<ListLimits>): Promise<{ bytes: Uint8Array; list: HashList }> {
  const st = await stat(path);
  const max = limits?.maxBytes;
  if (max !== undefined && st.size > max) throw new Error(`${path}: ${st.size} bytes, over the ${max}-byte limit`);
  const bytes = new Uint8Array(await readFile(path));
  try {
    return { bytes, list: parseList(bytes, limits) };
  } catch (err) {
    if (err instanceof ListFormatError) throw new ListFormatError(`${path}: ${err.message}`);
    throw err;
  }
}

/**
 * Matches of one video against list files, for `check --list`: exact SHA-256 hits first,
 * then perceptual matches under MATCH_RULE. `list` in each match is the path as given.
 */
export async function matchAgainstListFiles(fp: VideoFingerprint, sha256: string, listPaths: string[]): Promise<ListMatch[]> {
  const lists = [];
  for (const path of listPaths) {
    const { list } = await readListFile(path);
    lists.push({ id: path, name: list.header.name, entries: list.entries });
  }
  return buildIndex(lists).lookup(fp, sha256);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.avi', '.mpg', '.mpeg', '.ts', '.m2ts', '.3gp', '.ogv', '.wmv', '.flv', '.gif']);

/**
 * Files named directly are taken as given; folders are walked (sorted; hidden entries and
 * symlinked folders skipped, symlinked files followed) for files with a video extension.
 */
export async function findVideoFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const items = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const it of items) {
      if (it.name.startsWith('.')) continue;
      const p = join(dir, it.name);
      if (it.isDirectory()) await walk(p);
      else if (!VIDEO_EXTENSIONS.has(extname(it.name).toLowerCase())) continue;
      else if (it.isFile()) out.push(p);
      // Symlinked files are followed; symlinked folders are not (no cycles).
      else if (it.isSymbolicLink() && (await stat(p).then((s) => s.isFile(), () => false))) out.push(p);
    }
  };
  for (const p of paths) {
    const st = await stat(p);
    if (st.isDirectory()) await walk(p);
    else out.push(p);
  }
  return out;
}

/** File name without its extension: the default entry id and label of `list build`. */
export function stem(path: string): string {
  const b = basename(path);
  const e = extname(b);
  return e ? b.slice(0, -e.length) : b;
}

/** Write via a temporary file and rename, so a crash never leaves half a list (or key). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.chmod(mode); // umask must not widen or narrow what we asked for
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

export async function writeNewFile(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await writeFile(path, data, { mode, flag: 'wx' });
}
