/**
 * The worker context (a dedicated Worker: Chrome starts it from the offscreen document,
 * Firefox from the background page). Runs checks: fetch with the size cap → C2PA (WASM)
 * → SHA-256 → frame fingerprint. Talks only to the page that started it.
 */
import { startCheckerWorker, type WorkerScope } from '../lib/worker/entry';

export default defineUnlistedScript(() => {
  startCheckerWorker(self as unknown as WorkerScope);
});
