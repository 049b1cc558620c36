/** Builds the test variant of the extension once per run (`wxt build --mode e2e`), and the generated media. */
import { execFileSync } from 'node:child_process';
import { aiDeclaredVideo } from '../support/signing';
import { ROOT } from '../paths';

export default async function globalSetup(): Promise<void> {
  if (!process.env.PL_SKIP_BUILD) {
    execFileSync('npx', ['wxt', 'build', '--mode', 'e2e'], { cwd: ROOT, stdio: 'inherit' });
  }
  await aiDeclaredVideo();
}
