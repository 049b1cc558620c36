/** Builds the test variant of the extension once per run for Chromium and Firefox (`wxt build [-b firefox] --mode e2e`), and the generated media. */
import { execFileSync } from 'node:child_process';
import { aiDeclaredVideo, badSignatureVideo } from '../support/signing';
import { ROOT } from '../paths';
import { clearRecords } from './harness/privacy';

export default async function globalSetup(): Promise<void> {
  // Test workers inherit it: what they build once per run is rebuilt when older than this.
  process.env.PL_RUN_STARTED ??= String(Date.now());
  clearRecords();
  if (!process.env.PL_SKIP_BUILD) {
    execFileSync('npx', ['wxt', 'build', '--mode', 'e2e'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync('npx', ['wxt', 'build', '-b', 'firefox', '--mode', 'e2e'], { cwd: ROOT, stdio: 'inherit' });
  }
  await aiDeclaredVideo();
  await badSignatureVideo();
}
