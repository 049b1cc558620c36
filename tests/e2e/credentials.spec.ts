/**
 * Content Credentials the way the ecosystem serves them, end to end in the built extension:
 * remote manifests (a Link header, a reference inside the file, a store that does not match,
 * one that cannot be fetched, one on another host — not fetched until the setting allows it),
 * media signed at test time with the manifest store kept apart; and the CAWG identity of the
 * shared fixture shown in the lookup result.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, fresh } from './harness/extension';
import { badgeFor, settledBadge } from './harness/badges';
import { signMp4Remote, withoutXmp } from '../support/signing';
import { C2PA_FIXTURES } from '../paths';

const V = 'width="320" height="180" muted preload="metadata"';
const SOURCE = new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1_no_manifest.mp4')));
const SIGN = { generator: 'Remote Test Camera', title: 'remote.mp4', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' };

test('remote manifests: Link header, in-file reference, mismatch, unreachable, another host only when allowed', async ({ ext, server }) => {
  const q = fresh();
  const host = new URL(server.origin).host;
  const otherOrigin = server.origin.replace('127.0.0.1', 'localhost');
  const otherHost = new URL(otherOrigin).host;
  const link = (path: string) => ({ link: `<${path}>; rel="c2pa-manifest"` });

  const linked = await signMp4Remote(SOURCE, SIGN);
  server.text(`/remote/linked-${q}.c2pa`, Buffer.from(linked.manifest), 'application/c2pa');
  server.text(`/remote/linked-${q}.mp4`, Buffer.from(linked.asset), 'video/mp4', link(`/remote/linked-${q}.c2pa`));
  server.text(`/remote/plain-${q}.mp4`, Buffer.from(linked.asset), 'video/mp4');
  const changed = Buffer.from(linked.asset);
  changed[changed.length - 1000] ^= 0xff;
  server.text(`/remote/changed-${q}.mp4`, changed, 'video/mp4', link(`/remote/linked-${q}.c2pa`));
  server.text(`/remote/gone-${q}.mp4`, Buffer.from(linked.asset), 'video/mp4', link(`/remote/gone-${q}.c2pa`));
  const inFile = await signMp4Remote(SOURCE, SIGN, `${server.origin}/remote/in-file-${q}.c2pa`);
  server.text(`/remote/in-file-${q}.c2pa`, Buffer.from(inFile.manifest), 'application/c2pa');
  server.text(`/remote/in-file-${q}.mp4`, Buffer.from(inFile.asset), 'video/mp4');
  const away = await signMp4Remote(SOURCE, SIGN, `${otherOrigin}/remote/away-${q}.c2pa`);
  server.text(`/remote/away-${q}.c2pa`, Buffer.from(away.manifest), 'application/c2pa');
  server.text(`/remote/away-${q}.mp4`, Buffer.from(away.asset), 'video/mp4');

  const url = server.html(
    `/p/remote-${q}.html`,
    `<!doctype html><html lang="en"><title>remote</title><body>
    <video id="linked" ${V} src="/remote/linked-${q}.mp4"></video>
    <video id="plain" ${V} src="/remote/plain-${q}.mp4"></video>
    <video id="changed" ${V} src="/remote/changed-${q}.mp4"></video>
    <video id="gone" ${V} src="/remote/gone-${q}.mp4"></video>
    <video id="in-file" ${V} src="/remote/in-file-${q}.mp4"></video>
    <video id="away" ${V} src="/remote/away-${q}.mp4"></video></body></html>`,
  );
  const page = await ext.context.newPage();
  await page.goto(url);

  const expectations: [string, string, RegExp][] = [
    ['#linked', 'credentials-valid', /^Content Credentials valid: signed by a certificate that names itself “C2PA Test Signing Cert”/],
    ['#plain', 'no-credentials', /No Content Credentials/],
    ['#changed', 'credentials-invalid', /^Content Credentials invalid: assertion\.bmffHash\.mismatch/],
    ['#gone', 'unavailable', new RegExp(`^Could not check this video: credentials stored at ${host} could not be read: the server answered 404`)],
    ['#in-file', 'credentials-valid', /^Content Credentials valid/],
    ['#away', 'unavailable', new RegExp(`^Could not check this video: credentials stored at ${otherHost}, not fetched`)],
  ];
  for (const [sel, headline, label] of expectations) {
    const b = await settledBadge(page, sel);
    expect(b.headline, sel).toBe(headline);
    expect(b.label, sel).toMatch(label);
    expect(b.label, sel).not.toMatch(/C2pa\(|RemoteManifest|http resolver/);
  }
  // The store on another host was never asked for; the same-origin ones were.
  const awayRequests = () => server.log.filter((r) => r.path.startsWith(`/remote/away-${q}.c2pa`));
  expect(awayRequests()).toEqual([]);
  expect(server.requests(`/remote/linked-${q}.c2pa`).length).toBeGreaterThan(0);
  expect(server.requests(`/remote/in-file-${q}.c2pa`).length).toBeGreaterThan(0);

  // The popup says where the credentials came from.
  const popup = await ext.openPopup(page);
  const entry = popup.locator('li.pl-video', { hasText: `linked-${q}.mp4` });
  await entry.locator('summary').first().click();
  await expect(entry).toContainText(`Credentials fetched from ${host} (named by the server's Link header)`);
  await popup.close();

  // The user allows other hosts in the options: the same video now reads its credentials from there.
  const options = await ext.context.newPage();
  await options.goto(ext.url('/options.html'));
  await options.locator('#remote-any-host').check();
  await expect.poll(() => options.evaluate(async () => (await (globalThis as any).chrome.storage.local.get("settings")).settings?.remoteManifestsAnyHost)).toBe(true);
  await options.close();
  await page.reload();
  await expect.poll(async () => (await badgeFor(page, '#away'))?.headline, { timeout: 30_000 }).toBe('credentials-valid');
  expect(awayRequests().map((r) => r.headers.host)).toContain(otherHost);
  expect(awayRequests().every((r) => !r.headers.cookie)).toBe(true);
  await ext.setSettings({ remoteManifestsAnyHost: false });
  await page.close();
});

test('remote manifests of a JPEG: a reference inside the file is followed and validated in the worker; a Link header alone is not, in words', async ({ ext, server }) => {
  const q = fresh();
  const host = new URL(server.origin).host;
  const jpeg = withoutXmp(new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__no_manifest.jpg'))));
  const sign = { ...SIGN, title: 'remote.jpg' };
  const inFile = await signMp4Remote(jpeg, sign, `${server.origin}/remote/in-file-${q}.jpg.c2pa`, 'image/jpeg');
  server.text(`/remote/in-file-${q}.jpg.c2pa`, Buffer.from(inFile.manifest), 'application/c2pa');
  server.text(`/remote/in-file-${q}.jpg`, Buffer.from(inFile.asset), 'image/jpeg');
  const linked = await signMp4Remote(jpeg, sign, undefined, 'image/jpeg');
  server.text(`/remote/linked-${q}.jpg.c2pa`, Buffer.from(linked.manifest), 'application/c2pa');
  server.text(`/remote/linked-${q}.jpg`, Buffer.from(linked.asset), 'image/jpeg', { link: `</remote/linked-${q}.jpg.c2pa>; rel="c2pa-manifest"` });

  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/remote-jpg-${q}.html`, '<!doctype html><html lang="en"><title>jpeg</title><p>nothing here</p></html>'));
  const popup = await ext.openPopup(page);
  const result = popup.locator('.pl-lookup-result');
  await popup.getByLabel('Video address').fill(`${server.origin}/remote/in-file-${q}.jpg`);
  await popup.getByRole('button', { name: 'Check address' }).click();
  await expect(result).toContainText(`Credentials fetched from ${host}`, { timeout: 30_000 });
  await expect(result).toContainText('a certificate that names itself “C2PA Test Signing Cert”');
  expect(server.requests(`/remote/in-file-${q}.jpg.c2pa`).length).toBe(1);

  await popup.getByLabel('Video address').fill(`${server.origin}/remote/linked-${q}.jpg`);
  await popup.getByRole('button', { name: 'Check address' }).click();
  await expect(result).toContainText(`credentials stored at ${host}, not fetched: the file does not name them itself, and for JPEG images`, { timeout: 30_000 });
  await expect(result).not.toContainText(/C2pa\(|RemoteManifest|http resolver/);
  expect(server.requests(`/remote/linked-${q}.jpg.c2pa`)).toEqual([]);
  await popup.close();
  await page.close();
});

test('CAWG identity: the fixture shows who, vouched for by whom, and whether it holds', async ({ ext, server }) => {
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/cawg-${fresh()}.html`, '<!doctype html><html lang="en"><title>cawg</title><p>nothing here</p></html>'));
  const popup = await ext.openPopup(page);
  await popup.locator('#popup-file').setInputFiles(join(C2PA_FIXTURES, 'c2pa-rs__C_with_CAWG_data.jpg'));
  const result = popup.locator('.pl-lookup-result');
  await expect(result.locator('.pl-identities li')).toHaveText(
    '“C2PA Signer”, vouched for by an X.509 certificate naming C2PA Test Signing Cert (signature valid, but its certificate is not on a trust list)',
    { timeout: 30_000 },
  );
  await expect(result.locator('.pl-identities li')).toHaveAttribute('data-state', 'untrusted');
  await expect(result).toContainText('a certificate that names itself “C2PA Test Signing Cert”');
  await popup.close();
  await page.close();
});
