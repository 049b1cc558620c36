/**
 * `npm run bench`: every benchmark, one after the other (they must not share the two cores).
 * Each prints its figures as ratios against a baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BENCHES = ['extension.bench.ts', 'frugal.bench.ts', 'fingerprint.bench.ts', 'matching.bench.ts', 'lists.bench.ts', 'hostile.bench.ts', 'remote.bench.ts'];
const only = process.argv.slice(2);

let failed = 0;
for (const file of BENCHES) {
  if (only.length && !only.some((o) => file.startsWith(o))) continue;
  const path = join(ROOT, 'bench', file);
  if (!existsSync(path)) continue;
  console.log(`\n━━━ ${file} ━━━`);
  const r = spawnSync('npx', ['tsx', '--expose-gc', path], { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failed++;
    console.log(`${file} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
