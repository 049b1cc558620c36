/**
 * Chrome's worker host: an offscreen document whose only job is to run the checker worker
 * (service workers cannot start workers) and relay its results to the background.
 */
import { WorkerRelay } from '../../lib/worker/relay';
import { compileEngine, packagedEngine } from '../../lib/worker/engine-store';

const relay = new WorkerRelay(
  () => new Worker(browser.runtime.getURL('/checker-worker.js')),
  (msg) => void browser.runtime.sendMessage(msg).catch(() => {}),
  () => compileEngine(packagedEngine()),
);
// Created because a video was seen or a check begins: start the worker and the engine at once.
relay.warm();

browser.runtime.onMessage.addListener((msg: any, sender) => {
  if (sender.id !== browser.runtime.id || msg?.target !== 'worker-host') return;
  if (msg.type === 'job') relay.start(msg.job, msg.settings);
  else if (msg.type === 'cancel') relay.cancel(msg.key);
  else if (msg.type === 'warm') relay.warm();
  else if (msg.type === 'ping') return Promise.resolve({ ok: true, running: relay.running });
});
