/**
 * Runs one corpus variant per message in a child process: our verdict (the CLI's pipeline,
 * without frames) and the C2PA library's own validation of the same bytes. A variant that
 * hangs is caught by the parent, which kills this process; its memory is ours alone.
 */
import { readFileSync } from 'node:fs';
import { WasmReader } from '@contentauth/c2pa-wasm';
import { checkSource } from '../../cli/commands/check';
import { nodeC2paEngine } from '../../lib/c2pa/node-engine';
import { sniffType } from '../../lib/media/sniff';

const engine = nodeC2paEngine();

async function libraryState(bytes: Uint8Array): Promise<string> {
  const t = sniffType(bytes);
  try {
    const r = await WasmReader.fromBlob(t === 'unknown' ? 'video/mp4' : t, engine.blob(bytes) as Blob);
    const s = r.manifestStore() as { validation_state?: string };
    r.free();
    return s.validation_state ?? 'NoState';
  } catch (err) {
    const m = String((err as Error)?.message ?? err);
    return /JumbfNotFound/.test(m) ? 'Absent' : `Error: ${m.split('\n')[0].slice(0, 120)}`;
  }
}

const reply = (m: unknown) => process.send!(m);
process.on('message', async (msg: { file: string; withLibrary: boolean }) => {
  const t0 = performance.now();
  try {
    const v = await checkSource(msg.file, { frames: false });
    const ms = performance.now() - t0;
    const lib = msg.withLibrary ? await libraryState(new Uint8Array(readFileSync(msg.file))) : undefined;
    reply({ ok: true, headline: v.headline, c2pa: v.c2pa?.state, reason: v.reason ?? v.c2pa?.error, ms, lib, rss: process.memoryUsage().rss });
  } catch (err) {
    reply({ ok: false, error: String((err as Error)?.stack ?? err), ms: performance.now() - t0 });
  }
});
