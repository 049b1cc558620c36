/**
 * Remote manifests under our own network policy, with media signed at test time with the manifest
 * store kept apart, served by a local server that logs every request: the engine never fetches by
 * itself; a Link header or an in-file reference is followed on the video's own origin; another host
 * only when allowed; the store is validated against the asset's bytes; failures read in words.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';
import { readC2pa, fromReadError } from '../../../lib/c2pa/read';
import { followRemote, manifestFromLinkHeader } from '../../../lib/c2pa/remote';
import { checkSource } from '../../../cli/commands/check';
import { decideVerdict } from '../../../lib/verdict';
import { accessibleName } from '../../../lib/present';
import { signMp4Remote, withoutXmp } from '../../support/signing';
import { ENGINE_FETCH_REFUSED, installEngineFetch, serveToEngine } from '../../../lib/c2pa/engine-fetch';
import { C2PA_FIXTURES } from '../../paths';

const SOURCE = new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4')));
const OTHER = new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4')));
const routes = new Map<string, { body: Uint8Array; headers?: Record<string, string> }>();
const log: { host: string; path: string }[] = [];
let server: Server;
let base = ''; // http://127.0.0.1:port
let otherBase = ''; // http://localhost:port: another host, same server

beforeAll(async () => {
  server = createServer((req, res) => {
    log.push({ host: req.headers.host ?? '', path: req.url ?? '' });
    const r = routes.get(req.url ?? '');
    if (!r) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(r.headers ?? {}) }).end(Buffer.from(r.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  otherBase = `http://localhost:${port}`;
  const opts = { generator: 'Remote Test Camera', title: 'remote.mp4', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' };
  // Link header only (nothing inside the file), store on the same origin.
  const linked = await signMp4Remote(SOURCE, opts);
  routes.set('/linked.c2pa', { body: linked.manifest });
  routes.set('/linked.mp4', { body: linked.asset, headers: { link: `</linked.c2pa>; rel="c2pa-manifest"` } });
  // A store made for another asset: must read invalid.
  routes.set('/mismatch.mp4', { body: OTHER.slice(), headers: { link: `</linked.c2pa>; rel="c2pa-manifest"` } });
  // Reference inside the file (XMP), same origin.
  const inFile = await signMp4Remote(SOURCE, opts, `${base}/in-file.c2pa`);
  routes.set('/in-file.c2pa', { body: inFile.manifest });
  routes.set('/in-file.mp4', { body: inFile.asset });
  // Reference to another host.
  const away = await signMp4Remote(SOURCE, opts, `${otherBase}/away.c2pa`);
  routes.set('/away.c2pa', { body: away.manifest });
  routes.set('/away.mp4', { body: away.asset });
  // Unreachable store.
  routes.set('/gone.mp4', { body: linked.asset, headers: { link: `</gone.c2pa>; rel="c2pa-manifest"` } });
  // JPEG: a reference inside the file (XMP), and a Link header alone (no XMP in the file at all).
  const jpeg = withoutXmp(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__no_manifest.jpg'))));
  const jopts = { ...opts, title: 'remote.jpg' };
  const jIn = await signMp4Remote(jpeg, jopts, `${base}/in-file-jpg.c2pa`, 'image/jpeg');
  routes.set('/in-file-jpg.c2pa', { body: jIn.manifest });
  routes.set('/in-file.jpg', { body: jIn.asset });
  const changedJpeg = jIn.asset.slice();
  changedJpeg[changedJpeg.length - 200] ^= 0xff; // in the image data
  routes.set('/changed.jpg', { body: changedJpeg });
  const jLinked = await signMp4Remote(jpeg, jopts, undefined, 'image/jpeg');
  routes.set('/linked-jpg.c2pa', { body: jLinked.manifest });
  routes.set('/linked.jpg', { body: jLinked.asset, headers: { link: `</linked-jpg.c2pa>; rel="c2pa-manifest"` } });
}, 120_000);
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const hits = (path: string, host?: string) => log.filter((l) => l.path === path && (!host || l.host.startsWith(host))).length;

describe('remote manifests', () => {
  it('parses Link headers', () => {
    expect(manifestFromLinkHeader('<https://cdn.example/m.c2pa>; rel="c2pa-manifest"', 'https://v.example/a.mp4')).toBe('https://cdn.example/m.c2pa');
    expect(manifestFromLinkHeader('</x.c2pa>; rel=c2pa-manifest, <https://a.example/s>; rel="preload"', 'https://v.example/a/b.mp4')).toBe('https://v.example/x.c2pa');
    expect(manifestFromLinkHeader('<https://a.example/s>; rel="preload"', 'https://v.example/')).toBeUndefined();
    expect(manifestFromLinkHeader('<javascript:alert(1)>; rel="c2pa-manifest"', 'https://v.example/')).toBeUndefined();
  });

  it('the engine itself never fetches: an in-file reference is reported, no request is made', async () => {
    const before = log.length;
    const bytes = new Uint8Array(routes.get('/away.mp4')!.body);
    const c = await readC2pa(nodeC2paEngine(), { mime: 'video/mp4', bytes });
    expect(log.length).toBe(before);
    expect(c.state).toBe('absent');
    expect(c.remote).toMatchObject({ url: `${otherBase}/away.c2pa`, via: 'in-file', status: 'not-fetched' });
    expect(decideVerdict({ source: 'x', c2pa: c }).summary).toContain(`credentials stored at ${new URL(otherBase).host}, not fetched`);
  });

  it('Link header on the same origin: fetched, validated against the asset, source shown', async () => {
    const v = await checkSource(`${base}/linked.mp4`, { frames: false });
    expect(v.headline).toBe('credentials-valid');
    expect(v.c2pa?.remote).toMatchObject({ status: 'fetched', via: 'link-header', url: `${base}/linked.c2pa` });
    expect(v.summary).toContain(`Credentials fetched from ${new URL(base).host}`);
    expect(v.c2pa?.codes).toContain('assertion.bmffHash.match');
  });

  it('a remote store made for another video reads invalid', async () => {
    // video1.mp4 embeds its own store: the Link header is not used over an embedded manifest.
    const embedded = await checkSource(`${base}/mismatch.mp4`, { frames: false });
    expect(embedded.c2pa?.remote).toBeUndefined();
    // The signed video with one byte of its media data changed: not the bytes the store was signed over.
    const changed = routes.get('/linked.mp4')!.body.slice();
    changed[changed.length - 1000] ^= 0xff;
    routes.set('/mismatch2.mp4', { body: changed, headers: { link: `</linked.c2pa>; rel="c2pa-manifest"` } });
    const v = await checkSource(`${base}/mismatch2.mp4`, { frames: false });
    expect(v.headline).toBe('credentials-invalid');
    expect(v.c2pa?.failures.map((f) => f.code)).toContain('assertion.bmffHash.mismatch');
  });

  it('an in-file reference on the same origin is followed (CLI), and --no-remote stops it', async () => {
    const v = await checkSource(`${base}/in-file.mp4`, { frames: false });
    expect(v.headline).toBe('credentials-valid');
    expect(v.c2pa?.remote).toMatchObject({ status: 'fetched', via: 'in-file' });
    const before = hits('/in-file.c2pa');
    const off = await checkSource(`${base}/in-file.mp4`, { frames: false, remote: false });
    expect(hits('/in-file.c2pa')).toBe(before);
    expect(off.headline).toBe('unavailable');
    expect(off.reason).toMatch(/not fetched: remote references are not followed \(--no-remote\)/);
  });

  it('the CLI follows a reference to another host (explicit intent)', async () => {
    const v = await checkSource(`${base}/away.mp4`, { frames: false });
    expect(hits('/away.c2pa', 'localhost')).toBe(1);
    expect(v.headline).toBe('credentials-valid');
  });

  it('unreachable: said in words, never the engine raw error', async () => {
    const v = await checkSource(`${base}/gone.mp4`, { frames: false });
    expect(v.headline).toBe('unavailable');
    expect(v.reason).toBe(`credentials stored at ${new URL(base).host} could not be read: the server answered 404 Not Found`);
    expect(accessibleName(v)).not.toMatch(/C2pa\(|RemoteManifest/);
  });

  it('JPEG, reference inside the file: the engine follows it to the store we fetched (one request, ours), validated against the image', async () => {
    const before = hits('/in-file-jpg.c2pa');
    const v = await checkSource(`${base}/in-file.jpg`, { frames: false });
    expect(hits('/in-file-jpg.c2pa')).toBe(before + 1);
    expect(v.headline).toBe('credentials-valid');
    expect(v.c2pa?.remote).toMatchObject({ status: 'fetched', via: 'in-file', url: `${base}/in-file-jpg.c2pa` });
    expect(v.c2pa?.codes).toContain('assertion.dataHash.match');
    expect(v.summary).toContain(`Credentials fetched from ${new URL(base).host}`);
  });

  it('JPEG whose image changed after signing, store fetched from its reference: invalid', async () => {
    const v = await checkSource(`${base}/changed.jpg`, { frames: false });
    expect(v.headline).toBe('credentials-invalid');
    expect(v.c2pa?.failures.map((f) => f.code)).toContain('assertion.dataHash.mismatch');
  });

  it('JPEG named only by a Link header: not fetched, and the verdict says why in words', async () => {
    const before = hits('/linked-jpg.c2pa');
    const v = await checkSource(`${base}/linked.jpg`, { frames: false });
    expect(hits('/linked-jpg.c2pa')).toBe(before);
    expect(v.c2pa?.remote).toMatchObject({ status: 'not-fetched', via: 'link-header' });
    expect(v.reason).toBe(
      `credentials stored at ${new URL(base).host}, not fetched: the file does not name them itself, and for JPEG images the C2PA reader can check credentials kept apart from the file only when the file names them (only MP4 and MOV videos can be checked from a Link header)`,
    );
  });

  it("the engine's own requests are answered only from stores we fetched: any other address is refused with no connection", async () => {
    installEngineFetch();
    const before = log.length;
    await expect(fetch(new Request(`${base}/in-file-jpg.c2pa`))).rejects.toThrow(ENGINE_FETCH_REFUSED);
    const release = serveToEngine(`${base}/x.c2pa`, new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(await (await fetch(new Request(`${base}/x.c2pa`))).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    release();
    await expect(fetch(new Request(`${base}/x.c2pa`))).rejects.toThrow(ENGINE_FETCH_REFUSED);
    expect(log.length).toBe(before);
    // Our own fetches (an address string) still reach the network.
    expect((await fetch(`${base}/in-file-jpg.c2pa`)).status).toBe(200);
  });

  it('a reference that is not a web address is never fetched', async () => {
    const evidence = fromReadError(new Error('C2pa(RemoteManifestUrl("file:///etc/passwd"))'));
    let asked = 0;
    const read = () => Promise.reject(new Error('must not read'));
    const out = await followRemote(evidence, SOURCE, 'video/mp4', { policy: { allowOtherHosts: true }, fetchManifest: async () => (asked++, new Uint8Array()) }, read);
    expect(asked).toBe(0);
    expect(out.remote).toMatchObject({ status: 'failed', note: 'the reference is not a web (http or https) address' });
  });

  it('every engine error reads as words', () => {
    for (const raw of [
      'C2pa(RemoteManifestFetch("an error occurred from the underlying http resolver: error sending request"))',
      'C2pa(JumbfParseError(InvalidBoxHeader))',
      'C2pa(SomethingNew("details that must not show"))',
      'RuntimeError: unreachable',
    ]) {
      const e = fromReadError(new Error(raw));
      expect(e.error ?? '', raw).not.toMatch(/C2pa\(|details that must not show|http resolver/);
      expect(e.error ?? '', raw).toMatch(/^the /);
    }
  });
});
