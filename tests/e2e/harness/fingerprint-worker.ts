/**
 * Browser side of the fingerprint e2e harness: a dedicated worker that fetches a video and
 * fingerprints it with lib/fingerprint/browser-frames.ts (bundled by esbuild, see
 * fingerprint-harness.ts). Messages: { id, url, options } → { id, ok, result | error, ms }.
 */
import { fingerprintVideoBytes, canDecode } from '../../../lib/fingerprint/browser-frames';

self.onmessage = async (e: MessageEvent) => {
  const { id, url, options, probe } = e.data as { id: number; url?: string; options?: object; probe?: string[] };
  try {
    if (probe) {
      const support: Record<string, boolean> = {};
      for (const codec of probe) support[codec] = await canDecode(codec);
      (self as unknown as Worker).postMessage({ id, ok: true, result: { support, hasVideoDecoder: typeof VideoDecoder !== 'undefined' } });
      return;
    }
    const t0 = performance.now();
    const bytes = new Uint8Array(await (await fetch(url!)).arrayBuffer());
    const t1 = performance.now();
    const result = await fingerprintVideoBytes(bytes, options);
    const t2 = performance.now();
    (self as unknown as Worker).postMessage({ id, ok: true, result, fetchMs: t1 - t0, ms: t2 - t1 });
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, ok: false, error: (err as Error)?.message ?? String(err) });
  }
};
