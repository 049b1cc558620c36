/**
 * `list …`: make, sign, verify, convert and compare hash list files (lib/lists/format.ts).
 * Outputs are written through a temporary file and a rename, so an interrupted command never
 * leaves half a list; key files are never overwritten without --force.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs, UsageError, type ParsedArgs } from '../args';
import {
  defaultHashing,
  newHeader,
  parseList,
  serializeEntry,
  serializeList,
  fingerprintToEntryHashes,
  type HashList,
  type ListEntry,
} from '../../lib/lists/format';
import { exportHashes, HASH_FILE_FORMATS, importHashes, type HashFileFormat } from '../../lib/lists/convert';
import {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  encodeSignature,
  generateKeyPair,
  publicKeyOf,
  signBytes,
  toBase64,
  verifyDetached,
} from '../../lib/lists/signature';
import { findVideoFiles, readListFile, sha256File, stem, writeFileAtomic, writeNewFile } from '../../lib/lists/node';
import { MATCH_RULE } from '../../lib/fingerprint/match';
import { LIST_SAMPLING } from '../../lib/fingerprint/robust';

export const usage = `list keygen --out <prefix> [--force]
    Writes <prefix>.key (private, mode 0600) and <prefix>.pub (Ed25519).
list build <video or folder>... --name <name> --out <list.jsonl> [--publisher <p>] [--sequence <n>]
        [--label <text>] [--notes <text>] [--source <url>] [--seconds-per-hash <s>]
    One entry per video (folders are walked for video files): SHA-256 of the bytes plus vPDQ
    frames: every distinct frame (so a copy cut at any instant matches), vPDQ's one per second
    with crop alternates. --seconds-per-hash <s> instead keeps only one frame every <s> seconds
    (smaller lists; copies must then start near a whole second). Entry id and label default to
    the file name without extension.
    --sequence defaults to the existing --out list's sequence + 1, else 1.
list sign <list.jsonl> --key <prefix>.key
    Writes <list.jsonl>.sig: a detached Ed25519 signature over the file's exact bytes.
list verify <list.jsonl> --pubkey <prefix>.pub [--sig <file>]
    Exit 0 when the signature holds and the list parses; 1 otherwise, saying why.
list import <file> --format vpdq|pdq|sha256 --name <name> --out <list.jsonl> [--label <text>]
        [--id <id>] [--notes <text>] [--source <url>] [--publisher <p>] [--sequence <n>] [--each-line]
    vpdq: a reference vPDQ hash file (frameNumber,quality,hex,timestamp), one video.
    pdq: "pdq <hex>" lines; sha256: one digest per line. --each-line: one entry per line.
list export <list.jsonl> --format vpdq|pdq|sha256 --out <file> [--entry <id>]
list diff <old.jsonl> <new.jsonl>
    Added, removed and changed entries, and the sequence change.`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'keygen':
      return keygen(rest);
    case 'build':
      return build(rest);
    case 'sign':
      return sign(rest);
    case 'verify':
      return verify(rest);
    case 'import':
      return importCmd(rest);
    case 'export':
      return exportCmd(rest);
    case 'diff':
      return diff(rest);
    case undefined:
      throw new UsageError('which list command? keygen, build, sign, verify, import, export or diff');
    default:
      throw new UsageError(`unknown list command "${sub}"`);
  }
}

const say = (s: string) => process.stdout.write(s + '\n');
const note = (s: string) => process.stderr.write(s + '\n');

function need(a: ParsedArgs, name: string): string {
  const v = a.values[name];
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function onePositional(a: ParsedArgs, what: string): string {
  if (a.positional.length !== 1) throw new UsageError(a.positional.length ? `give exactly one ${what}` : `which ${what}?`);
  return a.positional[0];
}

function intOption(a: ParsedArgs, name: string): number | undefined {
  const v = a.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} needs a non-negative integer, got "${v}"`);
  return n;
}

function formatOption(a: ParsedArgs): HashFileFormat {
  const f = need(a, 'format');
  if (!(HASH_FILE_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${HASH_FILE_FORMATS.join(', ')}`);
  return f as HashFileFormat;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * What the list being replaced at `out` tells the new one: the next sequence (explicit,
 * else the old one + 1, else 1) and when each entry id was first added (kept across rebuilds,
 * so `added` keeps meaning "on the list since").
 */
async function previousList(out: string, explicit: number | undefined): Promise<{ sequence: number; addedOf: (id: string) => string | undefined }> {
  let previous: HashList | undefined;
  if (await exists(out)) {
    try {
      previous = (await readListFile(out)).list;
    } catch {
      /* not a list we can read: nothing to continue from */
    }
  }
  const added = new Map(previous?.entries.map((e) => [e.id, e.added]));
  const addedOf = (id: string) => added.get(id);
  const had = previous?.header.sequence;
  if (explicit !== undefined) {
    if (had !== undefined && explicit <= had) note(`warning: sequence ${explicit} is not above ${out}'s ${had}; subscribers will refuse it as a rollback`);
    return { sequence: explicit, addedOf };
  }
  if (had !== undefined) {
    note(`sequence ${had + 1} (${out} had ${had})`);
    return { sequence: had + 1, addedOf };
  }
  return { sequence: 1, addedOf };
}

async function writeList(out: string, list: HashList): Promise<void> {
  // Serialize, then re-read through the strict parser: never write a list we would refuse.
  const text = serializeList(list);
  parseList(text);
  await writeFileAtomic(out, text);
}

// ───────────────────────────── keygen ─────────────────────────────

async function keygen(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['out'], booleans: ['force'] });
  if (a.positional.length) throw new UsageError(`unexpected argument "${a.positional[0]}"`);
  const prefix = need(a, 'out');
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  const force = a.flags.has('force');
  if (!force) {
    for (const p of [keyPath, pubPath]) if (await exists(p)) throw new Error(`${p} exists; refusing to overwrite a key (use --force)`);
  }
  const { publicKey, privateKey } = await generateKeyPair();
  if (force) {
    await writeFileAtomic(keyPath, encodePrivateKey(privateKey), 0o600);
    await writeFileAtomic(pubPath, encodePublicKey(publicKey), 0o644);
  } else {
    await writeNewFile(keyPath, encodePrivateKey(privateKey), 0o600);
    await writeNewFile(pubPath, encodePublicKey(publicKey), 0o644);
  }
  say(`wrote ${keyPath} (private, keep it secret) and ${pubPath}`);
  say(`public key: ${toBase64(publicKey)}`);
  return 0;
}

// ───────────────────────────── build ─────────────────────────────

async function build(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['name', 'publisher', 'sequence', 'label', 'notes', 'source', 'out', 'seconds-per-hash'] });
  if (!a.positional.length) throw new UsageError('which videos or folders?');
  const name = need(a, 'name');
  const out = need(a, 'out');
  const distinctFrames = a.values['seconds-per-hash'] === undefined;
  const secondsPerHash = distinctFrames ? 1 : Number(a.values['seconds-per-hash']);
  if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) throw new UsageError('--seconds-per-hash needs a number of seconds (0 = every frame)');
  const files = await findVideoFiles(a.positional);
  if (!files.length) throw new Error('no video files found');
  const { sequence, addedOf } = await previousList(out, intOption(a, 'sequence'));
  const { fingerprintFile } = await import('../../lib/fingerprint/ffmpeg');

  const now = new Date().toISOString();
  const entries: ListEntry[] = [];
  const ids = new Set<string>();
  const whys = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const started = Date.now();
    let fp;
    try {
      fp = await fingerprintFile(file, { forList: true, secondsPerHash, distinctFrames });
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    const sha = await sha256File(file);
    for (const alt of fp.alternates ?? []) if (alt.why) whys.add(alt.why.replace(/[^\w-]/g, ''));
    let id = stem(file);
    for (let n = 2; ids.has(id); n++) id = `${stem(file)}-${n}`;
    ids.add(id);
    entries.push({
      id,
      label: a.values.label ?? stem(file),
      source: a.values.source ?? '',
      notes: a.values.notes ?? '',
      added: addedOf(id) ?? now,
      sha256: [sha],
      ...fingerprintToEntryHashes(fp),
    });
    const usable = fp.frames.filter((f) => f.quality >= MATCH_RULE.qualityMin).length;
    note(`[${i + 1}/${files.length}] ${file}: ${fp.frames.length} frames (${usable} usable), ${fp.alternates?.length ?? 0} alternates, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const hashing = defaultHashing({ secondsPerHash, qualityMin: MATCH_RULE.qualityMin, pipeline: 'ffmpeg-vpdq' });
  if (distinctFrames) {
    hashing.frames = 'distinct';
    hashing.distinctBits = LIST_SAMPLING.distinctBits;
  }
  if (whys.size) hashing.alternates = [...whys].sort().join(',').slice(0, 4000);
  const list: HashList = { header: newHeader({ name, publisher: a.values.publisher ?? '', sequence, created: now, hashing }), entries };
  await writeList(out, list);
  say(`wrote ${out}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, sequence ${sequence}`);
  return 0;
}

// ───────────────────────────── sign / verify ─────────────────────────────

async function sign(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['key', 'out'] });
  const listPath = onePositional(a, 'list file');
  const privateKey = decodePrivateKey(await readFile(need(a, 'key'), 'utf8'));
  // Refuse to sign something subscribers would refuse to read.
  const { bytes, list } = await readListFile(listPath);
  const signature = await signBytes(bytes, privateKey);
  const publicKey = await publicKeyOf(privateKey);
  const out = a.values.out ?? `${listPath}.sig`;
  await writeFileAtomic(out, encodeSignature({ signature, signedBy: publicKey }));
  say(`wrote ${out}: "${list.header.name}" sequence ${list.header.sequence}, signed by ${toBase64(publicKey)}`);
  return 0;
}

async function verify(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['pubkey', 'sig'] });
  const listPath = onePositional(a, 'list file');
  const publicKey = decodePublicKey(await readFile(need(a, 'pubkey'), 'utf8'));
  const sigPath = a.values.sig ?? `${listPath}.sig`;
  let sigText: string;
  try {
    sigText = await readFile(sigPath, 'utf8');
  } catch {
    note(`FAILED: no signature file ${sigPath}`);
    return 1;
  }
  const bytes = new Uint8Array(await readFile(listPath));
  const result = await verifyDetached(bytes, sigText, publicKey);
  if (!result.ok) {
    note(result.reason === 'key-changed' ? `FAILED: signed by another key (${result.newKey}), not by ${toBase64(publicKey)}` : `FAILED: ${result.message}`);
    return 1;
  }
  try {
    const { list } = await readListFile(listPath);
    say(`OK: signature holds for "${list.header.name}" (publisher "${list.header.publisher}", sequence ${list.header.sequence}, ${list.entries.length} entries)`);
    return 0;
  } catch (err) {
    note(`FAILED: the signature holds but the list does not parse: ${(err as Error).message}`);
    return 1;
  }
}

// ───────────────────────────── import / export ─────────────────────────────

async function importCmd(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['format', 'name', 'out', 'label', 'id', 'notes', 'source', 'publisher', 'sequence', 'seconds-per-hash'], booleans: ['each-line'] });
  const file = onePositional(a, 'file to import');
  const format = formatOption(a);
  const name = need(a, 'name');
  const out = need(a, 'out');
  const secondsPerHash = a.values['seconds-per-hash'] === undefined ? 1 : Number(a.values['seconds-per-hash']);
  if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) throw new UsageError('--seconds-per-hash needs a number of seconds');
  const text = await readFile(file, 'utf8');
  const eachLine = a.flags.has('each-line');
  let hashes;
  try {
    hashes = importHashes(text, format, { eachLine, secondsPerHash });
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const id = a.values.id ?? stem(file);
  const now = new Date().toISOString();
  const { sequence, addedOf } = await previousList(out, intOption(a, 'sequence'));
  const entries: ListEntry[] = hashes.map((h, i) => {
    const entryId = eachLine ? `${id}-${i + 1}` : id;
    return { id: entryId, label: a.values.label ?? stem(file), source: a.values.source ?? '', notes: a.values.notes ?? '', added: addedOf(entryId) ?? now, ...h };
  });
  const hashing = defaultHashing({ secondsPerHash, qualityMin: MATCH_RULE.qualityMin, importedFrom: format });
  await writeList(out, { header: newHeader({ name, publisher: a.values.publisher ?? '', sequence, created: now, hashing }), entries });
  say(`wrote ${out}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} from ${file}, sequence ${sequence}`);
  return 0;
}

async function exportCmd(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: ['format', 'out', 'entry'] });
  const listPath = onePositional(a, 'list file');
  const format = formatOption(a);
  const out = need(a, 'out');
  const { list } = await readListFile(listPath);
  let entries = list.entries;
  if (a.values.entry !== undefined) {
    entries = entries.filter((e) => e.id === a.values.entry);
    if (!entries.length) throw new Error(`no entry "${a.values.entry}" in ${listPath}`);
  }
  await writeFileAtomic(out, exportHashes(entries, format));
  say(`wrote ${out} (${format}, ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'})`);
  return 0;
}

// ───────────────────────────── diff ─────────────────────────────

async function diff(args: string[]): Promise<number> {
  const a = parseArgs(args, {});
  if (a.positional.length !== 2) throw new UsageError('give the old and the new list');
  const [oldPath, newPath] = a.positional;
  const { list: before } = await readListFile(oldPath);
  const { list: after } = await readListFile(newPath);
  const lines: string[] = [];
  const hb = before.header;
  const ha = after.header;
  lines.push(`sequence: ${hb.sequence} → ${ha.sequence}${ha.sequence <= hb.sequence ? '  (NOT increased: subscribers will refuse the new list)' : ''}`);
  for (const k of ['name', 'publisher'] as const) if (hb[k] !== ha[k]) lines.push(`${k}: "${hb[k]}" → "${ha[k]}"`);
  if (JSON.stringify(hb.hashing) !== JSON.stringify(ha.hashing)) lines.push(`hashing: ${JSON.stringify(hb.hashing)} → ${JSON.stringify(ha.hashing)}`);

  const oldById = new Map(before.entries.map((e) => [e.id, e]));
  const newById = new Map(after.entries.map((e) => [e.id, e]));
  const added = after.entries.filter((e) => !oldById.has(e.id));
  const removed = before.entries.filter((e) => !newById.has(e.id));
  const changed = after.entries.filter((e) => oldById.has(e.id) && serializeEntry(oldById.get(e.id)!) !== serializeEntry(e));
  const section = (title: string, items: string[]) => {
    lines.push(`${title} (${items.length})${items.length ? ':' : ''}`);
    for (const s of items) lines.push(`  ${s}`);
  };
  section('added', added.map((e) => `+ ${e.id}  "${e.label}"`));
  section('removed', removed.map((e) => `- ${e.id}  "${e.label}"`));
  section('changed', changed.map((e) => `~ ${e.id}  (${changedFields(oldById.get(e.id)!, e).join(', ')})`));
  say(lines.join('\n'));
  return 0;
}

function changedFields(a: ListEntry, b: ListEntry): string[] {
  const keys: (keyof ListEntry)[] = ['label', 'source', 'notes', 'added', 'sha256', 'vpdq', 'alternates', 'meta'];
  return keys.filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null));
}
