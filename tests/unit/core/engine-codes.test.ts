/**
 * Pins what the C2PA engine (c2pa-wasm) reports on the shared fixtures: the validation codes and
 * states our verdicts rely on. When an engine upgrade changes one, this fails with the file and
 * the code, so the upgrade is a one-line version change plus a reviewed line here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeC2paEngine } from '../../../lib/c2pa/node-engine';
import { readC2pa } from '../../../lib/c2pa/read';
import { TRUST_ONLY } from '../../../lib/verdict';
import { C2PA_FIXTURES, ROOT } from '../../paths';

/** The engine version these expectations were taken with. */
const ENGINE_VERSION = '0.15.0';

// file → [library validation_state, failure codes (sorted), a success code that must be present]
const PINNED: [string, string, string | undefined, string[], string][] = [
  ['c2pa-rs__video1.mp4', 'video/mp4', 'Valid', ['signingCredential.untrusted'], 'assertion.bmffHash.match'],
  ['c2pa-rs__legacy.mp4', 'video/mp4', 'Valid', ['signingCredential.untrusted'], 'claimSignature.validated'],
  ['c2pa-rs__dashinit.mp4', 'video/mp4', 'Invalid', ['assertion.bmffHash.mismatch', 'signingCredential.untrusted'], 'claimSignature.validated'],
  ['c2pa-rs__C.jpg', 'image/jpeg', 'Valid', ['signingCredential.untrusted'], 'assertion.dataHash.match'],
  ['c2pa-rs__XCA.jpg', 'image/jpeg', 'Invalid', ['assertion.dataHash.mismatch', 'signingCredential.untrusted'], 'claimSignature.validated'],
  ['c2pa-rs__E-sig-CA.jpg', 'image/jpeg', 'Invalid', ['claimSignature.mismatch', 'signingCredential.untrusted'], 'assertion.dataHash.match'],
  ['c2pa-rs__C_with_CAWG_data.jpg', 'image/jpeg', 'Valid', ['cawg.x509.credential.untrusted', 'signingCredential.untrusted'], 'cawg.identity.well-formed'],
  ['c2pa-rs__ocsp.jpg', 'image/jpeg', 'Valid', ['signingCredential.untrusted'], 'claimSignature.validated'],
];

describe(`engine validation codes (c2pa-wasm ${ENGINE_VERSION})`, () => {
  const engine = nodeC2paEngine();
  it('the installed engine is the version these codes were pinned with', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/@contentauth/c2pa-wasm/package.json'), 'utf8'));
    expect(pkg.version, 'engine upgraded: re-check the codes below, then change ENGINE_VERSION').toBe(ENGINE_VERSION);
  });
  for (const [file, mime, state, failures, success] of PINNED) {
    it(`${file}: ${state}, failures ${failures.join(' + ')}`, async () => {
      const c = await readC2pa(engine, { mime, bytes: new Uint8Array(readFileSync(join(C2PA_FIXTURES, file))) });
      expect(c.libraryState, file).toBe(state);
      expect(c.failures.map((f) => f.code).sort(), file).toEqual(failures);
      expect(c.codes, file).toContain(success);
    });
  }
  it('every trust-only failure the engine reports on a valid file is known as trust-only (never integrity)', async () => {
    for (const [file, mime, state, failures] of PINNED) {
      if (state !== 'Valid') continue;
      for (const code of failures) expect(TRUST_ONLY.has(code), `${file}: ${code}`).toBe(true);
      const c = await readC2pa(engine, { mime, bytes: new Uint8Array(readFileSync(join(C2PA_FIXTURES, file))) });
      expect(c.state, file).toBe('valid');
    }
  });
});
