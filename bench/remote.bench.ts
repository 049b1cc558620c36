/**
 * Reading a small remote file whole (lib/media/source.ts): the 828 KB video1.mp4 through a local
 * server that waits one round trip before each answer and sends every connection's bytes over one
 * shared link, with and without the rest asked for at the first range's headers (`wholeBelow`).
 * Same bytes either way (counted); the figure is the time to the whole file, median of 5.
 * Run: npm run bench -- remote
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { openRemote } from '../lib/media/source';
import { WHOLE_READ_MAX } from '../lib/check';
import { C2PA_FIXTURES } from '../tests/paths';

const file = readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4'));
let rttMs = 0;
let mbit = 0;
let link: Promise<unknown> = Promise.resolve();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = createServer(async (req, res) => {
  const [, a, b] = /bytes=(\d+)-(\d+)/.exec(String(req.headers.range))!;
  const start = Number(a);
  const end = Math.min(Number(b), file.length - 1);
  await sleep(rttMs);
  res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${file.length}`, 'content-length': end - start + 1 });
  const chunk = 16384;
  const perChunkMs = (chunk * 8) / (mbit * 1000);
  for (let at = start; at <= end; at += chunk) {
    // One link shared by every connection: chunks take turns.
    const turn = link.then(() => sleep(perChunkMs));
    link = turn;
    await turn;
    res.write(file.subarray(at, Math.min(end + 1, at + chunk)));
  }
  res.end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v.mp4`;
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores. Whole ${(file.length / 1024).toFixed(0)} KB file, median of 5 (interleaved):`);
for ([rttMs, mbit] of [[20, 50], [50, 10], [100, 3.6]]) {
  const times: Record<'before' | 'ahead', number[]> = { before: [], ahead: [] };
  const fetched: Record<'before' | 'ahead', number> = { before: 0, ahead: 0 };
  for (let i = 0; i < 5; i++)
    for (const [k, o] of [['before', {}], ['ahead', { wholeBelow: WHOLE_READ_MAX }]] as const) {
      const t0 = performance.now();
      const src = await openRemote(url, { maxBytes: 1e9, ...o });
      let n = 0;
      await src.readAll((c) => (n += c.length));
      if (n !== file.length) throw new Error(`read ${n} of ${file.length} bytes`);
      times[k].push(performance.now() - t0);
      fetched[k] = src.fetched;
    }
  const ratio = med(times.ahead) / med(times.before);
  console.log(`  RTT ${rttMs} ms, ${mbit} Mbit/s shared: ${med(times.before).toFixed(0)} ms rest after the first body (baseline) → ${med(times.ahead).toFixed(0)} ms rest at its headers (×${ratio.toFixed(2)}); bytes fetched ${fetched.before} / ${fetched.ahead}`);
}
server.close();
process.exit(0);
