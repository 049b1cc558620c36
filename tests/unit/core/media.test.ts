/** Byte fetching (ranges, caps, failures), box checks, format sniffing and HLS playlists. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchBytes, fetchRange, fetchText, FetchFailure, parseContentRange } from '../../../lib/media/fetch';
import { BoxError, checkStructure, findC2paBox, topLevelBoxes } from '../../../lib/media/bmff';
import { sniffType } from '../../../lib/media/sniff';
import { parsePlaylist, pickVariant, PlaylistError, resolveHls } from '../../../lib/media/hls';
import { serveFile } from '../../e2e/harness/server';
import { C2PA_FIXTURES } from '../../paths';

const VIDEO1 = join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4');
const bytes = new Uint8Array(readFileSync(VIDEO1));
let server: Server;
let origin = '';
const hits: { path: string; range?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push({ path: req.url!, range: req.headers.range });
    const path = req.url!.split('?')[0];
    if (path === '/ranged.mp4') return serveFile(req, res, VIDEO1);
    if (path === '/plain.mp4') {
      // A server that ignores Range and declares its length.
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
      return res.end(Buffer.from(bytes));
    }
    if (path === '/chunked.mp4') {
      // Ignores Range, no length: only a streaming cap can stop it.
      res.writeHead(200, { 'content-type': 'video/mp4' });
      let sent = 0;
      const push = () => {
        if (sent > 50 * 1024 * 1024 || res.destroyed) return res.end();
        sent += 256 * 1024;
        res.write(Buffer.alloc(256 * 1024), () => setImmediate(push));
      };
      return push();
    }
    if (path === '/hang.mp4') return void res.writeHead(200, { 'content-type': 'video/mp4' });
    if (path === '/empty.mp4') {
      if (req.headers.range) {
        res.writeHead(416, { 'content-range': 'bytes */0' });
        return res.end();
      }
      res.writeHead(200, { 'content-length': 0 });
      return res.end();
    }
    if (path === '/etag.txt') {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304);
        return res.end();
      }
      res.writeHead(200, { etag: '"v1"' });
      return res.end('hello');
    }
    if (path === '/master.m3u8') {
      res.writeHead(200);
      return res.end(
        '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
          '#EXT-X-MEDIA:NAME="Audio",TYPE=AUDIO,GROUP-ID="audio-128000",AUTOSELECT=YES,URI="/amplify_video/1/pl/mp4a/128000/a.m3u8"\n' +
          '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=200000,BANDWIDTH=300000,RESOLUTION=480x270,CODECS="mp4a.40.2,avc1.4d001e",AUDIO="audio-128000"\n/amplify_video/1/pl/avc1/480x270/lo.m3u8\n' +
          '#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1854959,BANDWIDTH=2447264,RESOLUTION=1280x720,CODECS="mp4a.40.2,avc1.640020",AUDIO="audio-128000"\n/amplify_video/1/pl/avc1/1280x720/hi.m3u8\n',
      );
    }
    if (path === '/amplify_video/1/pl/avc1/1280x720/hi.m3u8') {
      res.writeHead(200);
      return res.end(
        '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n' +
          '#EXT-X-MAP:URI="/amplify_video/1/vid/avc1/0/0/1280x720/k.mp4"\n#EXTINF:3.000,\n/amplify_video/1/vid/avc1/0/3000/1280x720/k.m4s\n#EXTINF:3.000,\n/amplify_video/1/vid/avc1/3000/6000/1280x720/k.m4s\n#EXT-X-ENDLIST\n',
      );
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

describe('fetchBytes', () => {
  it('learns the size with a first range, then fetches the rest', async () => {
    hits.length = 0;
    const r = await fetchBytes(`${origin}/ranged.mp4`, { probeBytes: 100_000 });
    expect(r.ranged).toBe(true);
    expect(r.total).toBe(bytes.length);
    expect(Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(hits.map((h) => h.range)).toEqual(['bytes=0-99999', `bytes=100000-${bytes.length - 1}`]);
  });
  it('refuses a file over the cap after one small request', async () => {
    hits.length = 0;
    const err = await fetchBytes(`${origin}/ranged.mp4`, { maxBytes: 200_000, probeBytes: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchFailure);
    expect(err.kind).toBe('too-large');
    expect(err.message).toMatch(/809\.2 KB, over the 195\.3 KB limit/);
    expect(hits.length).toBe(1);
  });
  it('reads servers that ignore Range, and refuses them early when their length is over the cap', async () => {
    expect((await fetchBytes(`${origin}/plain.mp4`)).bytes.length).toBe(bytes.length);
    await expect(fetchBytes(`${origin}/plain.mp4`, { maxBytes: 1000 })).rejects.toMatchObject({ kind: 'too-large' });
  });
  it('stops a stream with no declared length at the cap', async () => {
    const t0 = Date.now();
    await expect(fetchBytes(`${origin}/chunked.mp4`, { maxBytes: 2 * 1024 * 1024 })).rejects.toMatchObject({ kind: 'too-large' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('says what went wrong: HTTP status, network, timeout, empty file', async () => {
    await expect(fetchBytes(`${origin}/missing.mp4`)).rejects.toMatchObject({ kind: 'http', status: 404, message: 'the server answered 404 Not Found' });
    await expect(fetchBytes('http://127.0.0.1:1/x.mp4')).rejects.toMatchObject({ kind: 'network' });
    await expect(fetchBytes(`${origin}/hang.mp4`, { timeoutMs: 300 })).rejects.toMatchObject({ kind: 'timeout' });
    expect((await fetchBytes(`${origin}/empty.mp4`)).bytes.length).toBe(0);
  });
  it('can be cancelled', async () => {
    const ctl = new AbortController();
    const p = fetchBytes(`${origin}/hang.mp4`, { signal: ctl.signal });
    ctl.abort();
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
  });
  it('fetches one range, and a conditional text resource answers 304', async () => {
    const r = await fetchRange(`${origin}/ranged.mp4`, 4, 11);
    expect(new TextDecoder().decode(r)).toBe('ftypmp42');
    const t = await fetchText(`${origin}/etag.txt`);
    expect(t.text).toBe('hello');
    expect((await fetchText(`${origin}/etag.txt`, { headers: { 'If-None-Match': '"v1"' } })).status).toBe(304);
  });
  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ start: 0, end: 99, total: 1000 });
    expect(parseContentRange('bytes 0-99/*')).toEqual({ start: 0, end: 99, total: undefined });
    expect(parseContentRange('nonsense')).toBeUndefined();
  });
});

describe('boxes and formats', () => {
  it('finds the C2PA box of a signed MP4 and none in an unsigned one', () => {
    expect(findC2paBox(checkStructure(bytes))?.type).toBe('uuid');
    expect(findC2paBox(checkStructure(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4')))))).toBeUndefined();
  });
  it('refuses impossible sizes, truncation, cut headers and deep nesting with a message', () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(0, 0xfffffff0);
    expect(() => checkStructure(bad)).toThrow(/declares 4\.0 GB but only 809\.2 KB remain/);
    const tiny = bytes.slice();
    new DataView(tiny.buffer).setUint32(0, 3);
    expect(() => checkStructure(tiny)).toThrow(/impossible size of 3 bytes/);
    expect(() => checkStructure(bytes.subarray(0, bytes.length - 10))).toThrow(BoxError);
    expect(() => topLevelBoxes(new Uint8Array([0, 0, 0, 9, 0x66]))).toThrow(/cut off/);
    // 40 nested moov boxes.
    const depth = 40;
    const nested = new Uint8Array(8 * depth);
    for (let i = 0; i < depth; i++) {
      new DataView(nested.buffer).setUint32(i * 8, 8 * (depth - i));
      nested.set([0x6d, 0x6f, 0x6f, 0x76], i * 8 + 4);
    }
    expect(() => checkStructure(nested)).toThrow(/nested more than 32 deep/);
  });
  it('sniffs formats from bytes', () => {
    expect(sniffType(bytes)).toBe('video/mp4');
    expect(sniffType(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__c.mov'))))).toBe('video/quicktime');
    expect(sniffType(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__C.jpg'))))).toBe('image/jpeg');
    expect(sniffType(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-js__dash1.m4s'))))).toBe('video/mp4');
    expect(sniffType(new TextEncoder().encode('<!doctype html><html>'))).toBe('unknown');
    expect(sniffType(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('video/webm');
  });
});

describe('HLS', () => {
  it('resolves an X-style master playlist to the 720p rendition init + segments', async () => {
    const ref = await resolveHls(`${origin}/master.m3u8?tag=14`);
    expect(ref).toEqual({
      kind: 'fragments',
      init: `${origin}/amplify_video/1/vid/avc1/0/0/1280x720/k.mp4`,
      fragments: [`${origin}/amplify_video/1/vid/avc1/0/3000/1280x720/k.m4s`, `${origin}/amplify_video/1/vid/avc1/3000/6000/1280x720/k.m4s`],
      durations: [3, 3],
    });
  });
  it('refuses malformed playlists with a reason', () => {
    expect(() => parsePlaylist('hello', 'http://x/')).toThrow(PlaylistError);
    expect(() => parsePlaylist('#EXTM3U\n#EXT-X-MAP:BYTERANGE="1@0"\n', 'http://x/')).toThrow(/without URI/);
    expect(() => parsePlaylist('#EXTM3U\nseg.ts\n', 'http://x/')).toThrow(/no #EXTINF/);
    expect(() => parsePlaylist('#EXTM3U\n#EXTINF:abc,\nseg.ts\n', 'http://x/')).toThrow(/bad segment duration/);
    expect(() => parsePlaylist('#EXTM3U\n', 'http://x/')).toThrow(/no segments/);
  });
  it('picks the lowest video rendition that hashes reliably (≥ 360 lines), not audio', () => {
    const v = pickVariant([
      { uri: 'a', bandwidth: 9e4, codecs: 'mp4a.40.2' },
      { uri: 'b', bandwidth: 5e6, resolution: { width: 3840, height: 2160 } },
      { uri: 'c', bandwidth: 2e6, resolution: { width: 1920, height: 1080 } },
      { uri: 'd', bandwidth: 1e6, resolution: { width: 1280, height: 720 } },
      { uri: 'e', bandwidth: 6e5, resolution: { width: 640, height: 360 } },
      { uri: 'f', bandwidth: 2e5, resolution: { width: 320, height: 180 } },
    ]);
    expect(v.uri).toBe('e');
    expect(pickVariant([{ uri: 'x', resolution: { width: 320, height: 180 } }, { uri: 'y', resolution: { width: 480, height: 270 } }]).uri).toBe('y');
  });
});
