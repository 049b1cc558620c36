/**
 * Certificate chains made at test time with openssl: root → intermediate → leaf (EC P-256, the
 * C2PA signer profile: CA:FALSE, digitalSignature, emailProtection EKU, key ids), plus other roots
 * to put on other trust lists — one with another name, and an impostor with the same name and the
 * same subject key id as the real root but another key (only a signature check tells them apart).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED } from '../paths';

export interface TestChain {
  /** PKCS#8 key of the leaf, and the leaf + intermediate as PEM (what goes in x5chain). */
  leafKey: string;
  chainPem: string;
  root: string;
  /** Same subject and subject key id as `root`, another key. */
  impostorRoot: string;
  /** Another root, another name. */
  otherRoot: string;
  intermediate: string;
}

const ROOT_DN = '/C=US/O=Provenance Lens Test Root/CN=PL Test Root CA';

export function makeTestChain(): TestChain {
  const dir = join(GENERATED, 'chain');
  const done = join(dir, 'chain.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8'));
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const key = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const ext = (name: string, text: string) => writeFileSync(join(dir, `${name}.ext`), text);
  for (const k of ['root', 'impostor', 'other', 'int', 'leaf']) key(k);
  ext('ca', 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  ssl('req', '-x509', '-new', '-key', 'root.key', '-subj', ROOT_DN, '-days', '3650', '-sha256', '-extensions', 'v3', '-config', cfg(dir, 'root', 'subjectKeyIdentifier=hash'), '-out', 'root.pem');
  const rootSki = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(ssl('x509', '-in', 'root.pem', '-noout', '-text').toString())![1].replace(/:/g, '');
  ssl('req', '-x509', '-new', '-key', 'impostor.key', '-subj', ROOT_DN, '-days', '3650', '-sha256', '-extensions', 'v3', '-config', cfg(dir, 'impostor', `subjectKeyIdentifier=${rootSki}`), '-out', 'impostor.pem');
  ssl('req', '-x509', '-new', '-key', 'other.key', '-subj', '/C=US/O=Provenance Lens Other Root/CN=PL Other Root CA', '-days', '3650', '-sha256', '-extensions', 'v3', '-config', cfg(dir, 'other', 'subjectKeyIdentifier=hash'), '-out', 'other.pem');
  ssl('req', '-new', '-key', 'int.key', '-subj', '/C=US/O=Provenance Lens Test Intermediate/CN=PL Test Intermediate CA', '-out', 'int.csr');
  ssl('x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-days', '3000', '-sha256', '-extfile', 'ca.ext', '-out', 'int.pem');
  ext('leaf', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  ssl('req', '-new', '-key', 'leaf.key', '-subj', '/C=US/O=Provenance Lens Test Newsroom/CN=PL Test Signer', '-out', 'leaf.csr');
  ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-days', '2000', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const chain: TestChain = {
    leafKey: ssl('pkcs8', '-topk8', '-nocrypt', '-in', 'leaf.key').toString(),
    chainPem: read('leaf.pem') + read('int.pem'),
    root: read('root.pem'),
    impostorRoot: read('impostor.pem'),
    otherRoot: read('other.pem'),
    intermediate: read('int.pem'),
  };
  writeFileSync(done, JSON.stringify(chain));
  return chain;
}

/** An openssl config whose v3 section makes a self-signed root with the given subject key id. */
function cfg(dir: string, name: string, ski: string): string {
  const path = join(dir, `${name}.cnf`);
  writeFileSync(path, `[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n${ski}\n`);
  return path;
}
