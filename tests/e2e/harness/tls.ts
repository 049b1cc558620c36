/**
 * A local TLS set-up for serving imitation sites under their real hostnames (x.com,
 * video.twimg.com, huggingface.co…): a throw-away CA and one leaf certificate naming every
 * host, made with openssl at test time under .cache/tls (never committed).
 *
 * Chromium is told to accept exactly this key with `--ignore-certificate-errors-spki-list`
 * (the SHA-256 of the leaf's SubjectPublicKeyInfo), not every certificate
 * (`--ignore-certificate-errors`): a mistake that sent a request to the real host would fail
 * TLS instead of silently passing. NSS `certutil` (to trust the CA in the profile) is not
 * installed here, and the SPKI list needs nothing outside the browser's command line.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../paths';

export interface LocalTls {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
  /** Base64 SHA-256 of the leaf's SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  spki: string;
  /** The Chromium flag that accepts this certificate (and only it). */
  chromiumArgs: string[];
}

const DIR = join(ROOT, '.cache/tls');

/** The CA and a leaf certificate for `hosts` (DNS names, wildcards allowed); reused while the host list is the same. */
export function localTls(hosts: string[]): LocalTls {
  const id = createHash('sha256').update(hosts.join(',')).digest('hex').slice(0, 12);
  const dir = join(DIR, id);
  const f = (n: string) => join(dir, n);
  if (!existsSync(f('leaf.pem'))) {
    mkdirSync(dir, { recursive: true });
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Provenance Lens test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=imitation sites');
    writeFileSync(
      f('leaf.ext'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      ].join('\n'),
    );
    ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '30', '-extfile', 'leaf.ext');
  }
  const cert = readFileSync(f('leaf.pem'));
  const spkiDer = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  const spki = createHash('sha256').update(spkiDer).digest('base64');
  return { key: readFileSync(f('leaf.key')), cert, ca: readFileSync(f('ca.pem')), spki, chromiumArgs: [`--ignore-certificate-errors-spki-list=${spki}`] };
}

/**
 * `--host-resolver-rules` sending every given host (wildcards allowed) to the local server, and
 * every other name nowhere, so a test can never reach the real site by accident.
 */
export function hostResolverArgs(hosts: string[], port: number): string[] {
  const rules = [...hosts.map((h) => `MAP ${h} 127.0.0.1:${port}`), 'MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1', 'EXCLUDE localhost'];
  return [`--host-resolver-rules=${rules.join(', ')}`];
}
