/**
 * Chrome's worker host (entrypoints/background/worker-host.ts): a job's message waits for the
 * offscreen document; a cancel must not overtake it (a page closed with 100 videos once left
 * 100 checks running at once in the worker, for 300+ MiB).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckJob } from '../../../lib/worker/job';

const sent: { type: string; key?: string; job?: CheckJob }[] = [];
let documents = 0;
let created: (() => void)[] = [];

beforeAll(() => {
  (globalThis as Record<string, unknown>).browser = {
    runtime: {
      getURL: (p: string) => `chrome-extension://test${p}`,
      ContextType: { OFFSCREEN_DOCUMENT: 'OFFSCREEN_DOCUMENT' },
      getContexts: async () => Array.from({ length: documents }, () => ({})),
      sendMessage: async (m: { type: string; key?: string; job?: CheckJob }) => void sent.push(m),
    },
    offscreen: {
      Reason: { WORKERS: 'WORKERS' },
      // The document shows in getContexts from the start, before its script listens.
      createDocument: () => ((documents = 1), new Promise<void>((r) => created.push(r))),
      closeDocument: async () => void (documents = 0),
    },
  };
});

const job = (key: string): CheckJob => ({ key, ref: { kind: 'url', url: `https://example.org/${key}.mp4` }, source: key, maxBytes: 1e6, trustVersion: null, fingerprint: false });
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('offscreen worker host', () => {
  it('a check cancelled while the document is being made is never sent; one sent is cancelled after it', async () => {
    const { createWorkerHost } = await import('../../../entrypoints/background/worker-host');
    const results: unknown[] = [];
    const host = createWorkerHost((m) => results.push(m));
    host.start(job('a'), {});
    host.start(job('b'), {});
    host.cancel('a');
    await settle();
    for (const c of created.splice(0)) c();
    await settle();
    expect(sent.filter((m) => m.type === 'job').map((m) => m.job!.key)).toEqual(['b']);
    host.cancel('b');
    await settle();
    const order = sent.map((m) => `${m.type}:${m.key ?? m.job?.key}`);
    expect(order.indexOf('cancel:b')).toBeGreaterThan(order.indexOf('job:b'));
    expect(results).toEqual([]);
  });

  it('a check that comes while the warm-up of the first video makes the document waits until it is made', async () => {
    const { createWorkerHost } = await import('../../../entrypoints/background/worker-host');
    documents = 0;
    sent.length = 0;
    const host = createWorkerHost(() => {});
    host.warm();
    await settle();
    host.start(job('c'), {});
    await settle();
    expect(sent.filter((m) => m.type === 'job')).toEqual([]);
    for (const c of created.splice(0)) c();
    await settle();
    expect(sent.filter((m) => m.type === 'job').map((m) => m.job!.key)).toEqual(['c']);
  });
});

describe('check stages', () => {
  it("the preview stage (a file's first frame hashes) never ends a check", async () => {
    const { isFinal } = await import('../../../entrypoints/background/worker-host');
    const evidence = { source: 's', fingerprint: 'pending' as const, frames: [{ t: 0, pdq: 'ab'.repeat(32), quality: 90 }] };
    expect(isFinal({ type: 'check-result', key: 'k', stage: 'preview', evidence })).toBe(false);
    expect(isFinal({ type: 'check-result', key: 'k', stage: 'c2pa', evidence })).toBe(false);
    expect(isFinal({ type: 'check-result', key: 'k', stage: 'frames', evidence: { ...evidence, fingerprint: 'done' } })).toBe(true);
  });

  it('a job posts the first frame hash ahead of the fingerprint, once', async () => {
    const { runJob } = await import('../../../lib/worker/job');
    const { readFileSync } = await import('node:fs');
    const { SAMPLE } = await import('../../support/media');
    const bytes = new Uint8Array(readFileSync(SAMPLE('pattern-sd-grey-bar.mp4')));
    const posts: { stage: string; frames?: number }[] = [];
    const hash = (t: number) => ({ t, pdq: 'ab'.repeat(32), quality: 90 });
    await runJob(
      { key: 'k', ref: { kind: 'file', name: 'a.mp4', size: 0 }, source: 'a.mp4', maxBytes: 1e8, trustVersion: null, fingerprint: true, uploadId: 'u' },
      {
        c2pa: undefined as never, // a file without a manifest never starts the engine
        trust: async () => undefined,
        loadUpload: async () => bytes,
        fingerprint: async (_input, _signal, onHash) => {
          for (const t of [0, 1, 2]) onHash?.(hash(t));
          return { frames: [hash(0), hash(1), hash(2)] };
        },
        post: (stage, e) => posts.push({ stage, frames: e.frames?.length }),
      },
      new AbortController().signal,
    );
    expect(posts).toEqual([{ stage: 'c2pa', frames: undefined }, { stage: 'preview', frames: 1 }, { stage: 'frames', frames: 3 }]);
  });

  it("a file read whole is decoded while its Content Credentials are validated; the preview still follows the first stage", async () => {
    const { runJob } = await import('../../../lib/worker/job');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { C2PA_FIXTURES } = await import('../../paths');
    const bytes = new Uint8Array(readFileSync(join(C2PA_FIXTURES, 'c2pa-rs__video1.mp4')));
    const events: string[] = [];
    const hash = (t: number) => ({ t, pdq: 'ab'.repeat(32), quality: 90 });
    let validated!: () => void;
    const gate = new Promise<void>((r) => (validated = r));
    // The engine's read waits until the test lets it go: frames must have started by then.
    const engine = {
      fromBytes: async () => {
        events.push('c2pa read starts');
        await gate;
        throw new Error('JumbfNotFound'); // read as "no manifest": the stage order is what is tested
      },
      fromBlob: async () => {
        throw new Error('not used');
      },
      blob: (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]),
    };
    const job = runJob(
      { key: 'k', ref: { kind: 'file', name: 'a.mp4', size: 0 }, source: 'a.mp4', maxBytes: 1e8, trustVersion: null, fingerprint: true, uploadId: 'u' },
      {
        c2pa: engine as never,
        trust: async () => undefined,
        loadUpload: async () => bytes,
        fingerprint: async (input, _signal, onHash) => {
          events.push(`frames start (${input.kind}, ${input.kind === 'bytes' ? input.bytes.length : 0} bytes)`);
          onHash?.(hash(0));
          return { frames: [hash(0), hash(1)] };
        },
        post: (stage) => events.push(`post ${stage}`),
      },
      new AbortController().signal,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['frames start (bytes, ' + bytes.length + ' bytes)', 'c2pa read starts']);
    validated();
    await job;
    expect(events.slice(2)).toEqual(['post c2pa', 'post preview', 'post frames']);
  });
});
