const worker = new Worker(new URL('./checker.worker.ts', import.meta.url), { type: 'module' });
let seq = 0; const pending = new Map<number, (v: any) => void>();
worker.onmessage = (e) => { pending.get(e.data.id)?.(e.data); pending.delete(e.data.id); };
browser.runtime.onMessage.addListener((msg: any) => {
  if (msg?.type !== 'offscreen-check') return;
  const id = ++seq;
  return new Promise((res) => { pending.set(id, res); worker.postMessage({ id, url: msg.url }); });
});
