import init, { WasmReader } from '@contentauth/c2pa-wasm';
import wasmUrl from '@contentauth/c2pa-wasm/assets/c2pa_bg.wasm?url';
const ready = init({ module_or_path: wasmUrl });
self.onmessage = async (e: MessageEvent) => {
  const { id, url } = e.data;
  try {
    await ready;
    const r = await fetch(url);
    const blob = await r.blob();
    const t0 = performance.now();
    const reader = await WasmReader.fromBlob('video/mp4', blob);
    const ms = reader.manifestStore();
    (self as any).postMessage({ id, ok: true, state: ms.validation_state ?? ms.get?.('validation_state'), ms: performance.now() - t0 });
  } catch (err) { (self as any).postMessage({ id, ok: false, error: String(err) }); }
};
