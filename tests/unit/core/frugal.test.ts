/**
 * Reading only what a verdict needs (issue 9): box layout through Range requests, a structure-only
 * "no credentials" answer without the C2PA engine, a signed long file read whole (streamed once),
 * frame plans inside a byte budget, and downloads that stall giving up in seconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFile } from '../../e2e/harness/server';
import { longVideo } from '../../support/media';
import { signMp4 } from '../../support/signing';
import { GENERATED } from '../../paths';
import { openRemote, MemorySource, PROBE_BYTES } from '../../../lib/media/source';
import { readLayout } from '../../../lib/media/layout';
import { inspectSource, WHOLE_READ_MAX } from '../../../lib/check';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';
import type { C2paEngine } from '../../../lib/c2pa/read';
import { FetchFailure } from '../../../lib/media/fetch';
import { indexMoov, planFrameReads, MIN_PREFIX_SECONDS } from '../../../lib/fingerprint/partial';
import { BoxError } from '../../../lib/media/bmff';

let server: Server;
let origin = '';
const files: Record<string, string> = {};
/** Bytes the server sent, per path. */
const sent = new Map<string, number>();
/** /held.bin: a small file whose first answer's body waits until another range is asked for (or a second passes). */
const HELD = new Uint8Array(600_000).map((_, i) => (i * 7) & 0xff);
const held: string[] = [];
let releaseHeld: ((by: string) => void) | undefined;

/** An engine that fails the test if it is ever asked to read: structure alone must decide. */
const noEngine: C2paEngine = {
  fromBlob: () => Promise.reject(new Error('the C2PA engine was used')),
  fromBlobFragment: () => Promise.reject(new Error('the C2PA engine was used')),
  blob: () => {
    throw new Error('the C2PA engine was used');
  },
};

beforeAll(async () => {
  files['/end.mp4'] = await longVideo({ seconds: 40, moov: 'end' });
  files['/front.mp4'] = await longVideo({ seconds: 40, moov: 'front' });
  const signed = join(GENERATED, 'long', 'signed-40s.mp4');
  if (!existsSync(signed)) {
    mkdirSync(join(GENERATED, 'long'), { recursive: true });
    writeFileSync(signed, await signMp4(new Uint8Array(readFileSync(files['/front.mp4'])), { generator: 'Test Camera', title: 'long.mp4', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' }));
  }
  files['/signed.mp4'] = signed;
  server = createServer((req, res) => {
    const path = req.url!.split('?')[0];
    const origWrite = res.write.bind(res);
    res.write = ((chunk: Buffer, ...rest: unknown[]) => {
      sent.set(path, (sent.get(path) ?? 0) + (chunk?.length ?? 0));
      return (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    if (path === '/trickle.mp4') {
      // Answers at once, then sends a byte now and then: alive, but not moving.
      const size = 1_000_000;
      res.writeHead(206, { 'content-type': 'video/mp4', 'content-range': `bytes 0-${PROBE_BYTES - 1}/${size}`, 'content-length': PROBE_BYTES });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(1))), 300);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/held.bin') {
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(String(req.headers.range))!;
      const start = Number(a);
      const end = Math.min(Number(b), HELD.length - 1);
      res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${HELD.length}`, 'content-length': end - start + 1 });
      held.push(`asked ${start}-${end}`);
      if (start === 0) {
        res.flushHeaders();
        const timer = setTimeout(() => releaseHeld?.('a second passed'), 1000);
        releaseHeld = (by) => {
          releaseHeld = undefined;
          clearTimeout(timer);
          held.push(`first body sent: ${by}`);
          res.end(HELD.subarray(start, end + 1));
        };
        return;
      }
      releaseHeld?.('the rest was asked for');
      return void res.end(HELD.subarray(start, end + 1));
    }
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    serveFile(req, res, file);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

describe('box layout through ranges', () => {
  it('finds moov after mdat with one more small range, and no C2PA box', async () => {
    const src = await openRemote(`${origin}/end.mp4`, { maxBytes: 200 * 1024 * 1024 });
    const layout = await readLayout(src);
    expect(layout.boxes.map((b) => b.type)).toEqual(expect.arrayContaining(['ftyp', 'mdat', 'moov']));
    expect(layout.moovFirst).toBe(false);
    expect(layout.c2pa).toBeUndefined();
    expect(layout.moov!.length).toBe(layout.boxes.find((b) => b.type === 'moov')!.size);
    expect(src.size).toBeGreaterThan(10 * 1024 * 1024);
    expect(src.fetched).toBeLessThan(PROBE_BYTES + 256 * 1024);
  });

  it('a box that claims to run past the end of the file is refused before anything reads it', async () => {
    const bytes = new Uint8Array(readFileSync(files['/front.mp4']).subarray(0, 3 * 1024 * 1024));
    await expect(readLayout(new MemorySource(bytes))).rejects.toBeInstanceOf(BoxError);
  });
});

describe('inspectSource', () => {
  it('a long file without a C2PA box: "absent" from its structure, a few hundred KB, no C2PA engine', async () => {
    for (const path of ['/end.mp4', '/front.mp4']) {
      const src = await openRemote(`${origin}${path}`, { maxBytes: 200 * 1024 * 1024 });
      const r = await inspectSource(origin + path, src, { c2pa: noEngine });
      expect(r.c2pa?.state).toBe('absent');
      expect(r.basis.file).toBe('part');
      expect(r.sha256).toBeUndefined(); // never claimed for a part of a file
      expect(r.basis.bytesRead).toBeLessThan(512 * 1024);
      expect(r.basis.size).toBe(src.size);
    }
  });

  it('a signed long file is read whole, once, and validates; its SHA-256 is the file\'s', async () => {
    const file = readFileSync(files['/signed.mp4']);
    const src = await openRemote(`${origin}/signed.mp4`, { maxBytes: 200 * 1024 * 1024 });
    const r = await inspectSource(`${origin}/signed.mp4`, src, { c2pa: nodeC2paEngine() });
    expect(r.c2pa?.state).toBe('valid');
    expect(r.basis.file).toBe('whole');
    expect(r.basis.wholeBecause).toMatch(/hash binding/);
    expect(r.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(src.fetched).toBe(file.length); // every byte exactly once
  });

  it('a signed file whose data changed reads invalid through the same path', async () => {
    const bytes = new Uint8Array(readFileSync(files['/signed.mp4']));
    const layout = await readLayout(new MemorySource(bytes));
    const mdat = layout.boxes.find((b) => b.type === 'mdat')!;
    bytes[mdat.start + Math.floor(mdat.size / 2)] ^= 0xff;
    const r = await inspectSource('tampered', new MemorySource(bytes), { c2pa: nodeC2paEngine() });
    expect(r.c2pa?.state).toBe('invalid');
  });

  it("a small file's rest is asked for as soon as the first answer's headers give its size, not after its body", async () => {
    held.length = 0;
    const src = await openRemote(`${origin}/held.bin`, { maxBytes: 200 * 1024 * 1024, wholeBelow: WHOLE_READ_MAX });
    const parts: Uint8Array[] = [];
    await src.readAll((c) => parts.push(c));
    expect(Buffer.concat(parts).equals(Buffer.from(HELD))).toBe(true);
    expect(src.fetched).toBe(HELD.length); // every byte once
    expect(held).toEqual([`asked 0-${PROBE_BYTES - 1}`, `asked ${PROBE_BYTES}-${HELD.length - 1}`, 'first body sent: the rest was asked for']);
    // Over the whole-read size, nothing more is asked for until it is read.
    held.length = 0;
    const big = await openRemote(`${origin}/held.bin`, { maxBytes: 200 * 1024 * 1024, wholeBelow: HELD.length - 1 });
    expect(held).toEqual([`asked 0-${PROBE_BYTES - 1}`, 'first body sent: a second passed']);
    expect(Buffer.from(await big.read(PROBE_BYTES - 10, PROBE_BYTES + 10)).equals(Buffer.from(HELD.subarray(PROBE_BYTES - 10, PROBE_BYTES + 10)))).toBe(true);
  });

  it('small files are still read whole (exact SHA-256 matching keeps working)', async () => {
    const bytes = new Uint8Array(readFileSync(files['/front.mp4']).subarray(0, 1000));
    expect(bytes.length).toBeLessThan(WHOLE_READ_MAX);
    const r = await inspectSource('small', new MemorySource(bytes), { c2pa: noEngine });
    expect(r.basis.file).toBe('whole');
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('frame plans', () => {
  it('a prefix of the first seconds inside the budget, read in a few coalesced ranges', async () => {
    const src = await openRemote(`${origin}/end.mp4`, { maxBytes: 200 * 1024 * 1024 });
    const { samples } = indexMoov((await readLayout(src)).moov!);
    const plan = planFrameReads(samples, { budgetBytes: 1536 * 1024 })!;
    expect(plan.mode).toBe('prefix');
    expect(plan.bytes).toBeLessThanOrEqual(1536 * 1024);
    expect(plan.seconds).toBeGreaterThanOrEqual(MIN_PREFIX_SECONDS);
    expect(plan.ranges.length).toBeLessThanOrEqual(3);
    expect(plan.samples[0]).toBe(0);
    expect(samples[plan.samples[0]].is_sync).toBe(true);
  });

  it('keyframes a second apart when the budget buys too little prefix', async () => {
    const src = await openRemote(`${origin}/end.mp4`, { maxBytes: 200 * 1024 * 1024 });
    const { samples } = indexMoov((await readLayout(src)).moov!);
    const plan = planFrameReads(samples, { budgetBytes: 400 * 1024 })!;
    expect(plan.mode).toBe('keyframes');
    expect(plan.samples.every((i) => samples[i].is_sync)).toBe(true);
    expect(plan.samples.length).toBeGreaterThanOrEqual(2);
    expect(plan.bytes).toBeLessThanOrEqual(400 * 1024);
  });
});

describe('stalls', () => {
  it('a trickling server is given up in seconds with a reason, not minutes', async () => {
    const t0 = Date.now();
    const err = await openRemote(`${origin}/trickle.mp4`, { maxBytes: 200 * 1024 * 1024, stallMs: 1500 }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchFailure);
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/stopped sending/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
