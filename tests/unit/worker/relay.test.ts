import { describe, expect, it } from 'vitest';
import { WorkerRelay, WASM_MEMORY_LIMIT } from '../../../lib/worker/relay';
import type { CheckJob } from '../../../lib/worker/job';

/** A stand-in for a dedicated Worker: records what it was sent; the test answers for it. */
class FakeWorker {
  sent: any[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  postMessage(m: unknown) {
    this.sent.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  answer(m: unknown) {
    this.onmessage?.({ data: m } as MessageEvent);
  }
}

const job = (key: string): CheckJob => ({ key, ref: { kind: 'url', url: `https://example.org/${key}.mp4` }, source: key, maxBytes: 1e6, trustVersion: null, fingerprint: false });
const tick = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const workers: FakeWorker[] = [];
  let compiles = 0;
  const module = {} as WebAssembly.Module;
  const relay = new WorkerRelay(
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
    () => {},
    async () => {
      compiles++;
      return module;
    },
  );
  return { relay, workers, module, compiles: () => compiles };
}

describe('WorkerRelay: the C2PA engine is compiled once and kept', () => {
  it('hands the compiled module to the worker it starts, without holding its jobs back', async () => {
    const { relay, workers, module } = setup();
    relay.start(job('a'), {});
    // The job goes at once (a structure-only answer needs no engine); the engine follows when compiled.
    expect(workers[0].sent[0]).toMatchObject({ type: 'job' });
    await tick();
    expect(workers[0].sent.find((m) => m.type === 'engine')?.module).toBe(module);
  });

  it('a worker replaced after a large check gets the same module: no second compilation', async () => {
    const { relay, workers, module, compiles } = setup();
    relay.start(job('a'), {});
    await tick();
    workers[0].answer({ type: 'done', key: 'a', wasmBytes: WASM_MEMORY_LIMIT + 1 });
    expect(workers[0].terminated).toBe(true);
    relay.start(job('b'), {});
    await tick();
    expect(workers).toHaveLength(2);
    expect(workers[1].sent.find((m) => m.type === 'engine')?.module).toBe(module);
    expect(compiles()).toBe(1);
  });

  it('closing to idle lets the engine go; the next worker compiles it again', async () => {
    const { relay, workers, compiles } = setup();
    relay.warm();
    await tick();
    relay.close({ engine: true });
    relay.warm();
    await tick();
    expect(workers).toHaveLength(2);
    expect(compiles()).toBe(2);
  });

  it('a worker without a compiled engine is told so (it compiles the file itself)', async () => {
    const w = new FakeWorker();
    const relay = new WorkerRelay(
      () => w as unknown as Worker,
      () => {},
      async () => {
        throw new Error('no streaming here');
      },
    );
    relay.warm();
    await tick();
    await tick();
    expect(w.sent).toEqual([{ type: 'engine', module: undefined }]);
  });
});
