/**
 * Fingerprinting benchmark: `npx tsx bench/fingerprint.bench.ts`
 *
 * (a) PDQ frames per second on real 1280×720 frames;
 * (b) `cli fingerprint` on a 60-second 720p clip, as a ratio to `ffmpeg -i clip -f null -`
 *     decoding the same clip in the same run (target ≤ 1.2×); the CLI leaves the pictures
 *     nothing needs undecoded (lib/fingerprint/ffmpeg-skip.ts), the baseline decodes them all,
 *     so the same is timed on the clip encoded without B-frames, where there are none to leave;
 * (c) the browser pipeline (mp4box + WebCodecs in a worker, Debian Chromium) on that clip, as a
 *     ratio to its duration (target ≤ 0.1×).
 * The clip is made once with ffmpeg under .cache/generated/bench/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { GENERATED, PDQ_FIXTURES, ROOT } from '../tests/paths';
import { PdqHasher } from '../lib/fingerprint/pdq';
import { decodeSampledFrames, fingerprintFile, probeVideo } from '../lib/fingerprint/ffmpeg';

const CLIP_SECONDS = 60;
const RUNS = Number(process.env.PL_BENCH_RUNS ?? 5);

function makeClip(extra: string[] = [], suffix = ''): string {
  const dir = join(GENERATED, 'bench');
  const clip = join(dir, `pattern-720p-${CLIP_SECONDS}s${suffix}.mp4`);
  if (existsSync(clip)) return clip;
  mkdirSync(dir, { recursive: true });
  const tmp = `${clip}.tmp.mp4`;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', join(PDQ_FIXTURES, 'videos/pattern-hd-no-bar.mp4'), '-t', String(CLIP_SECONDS), '-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', ...extra, '-pix_fmt', 'yuv420p', '-an', tmp]);
  renameSync(tmp, clip);
  return clip;
}

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const clip = makeClip();
  const info = await probeVideo(clip);
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}; ${ffmpegVersion}`);
  console.log(`clip: ${clip} (${info.width}x${info.height}, ${info.fps} fps, ${info.duration?.toFixed(1)} s)`);

  // (a) PDQ on real decoded 1280x720 frames (10 of them, each hashed several times).
  const frames: Uint8Array[] = [];
  for await (const f of decodeSampledFrames(clip, info)) {
    frames.push(f.data.slice());
    if (frames.length === 10) break;
  }
  const hasher = new PdqHasher();
  for (const f of frames) hasher.hashPixels(f, info.width, info.height, 3, { mode: 'frame' }); // warm-up
  const rounds = 10;
  const pdqSeconds = timeIt(() => {
    for (let r = 0; r < rounds; r++) for (const f of frames) hasher.hashPixels(f, info.width, info.height, 3, { mode: 'frame' });
  });
  const pdqFps = (rounds * frames.length) / pdqSeconds;
  console.log(`(a) PDQ 1280x720: ${pdqFps.toFixed(0)} frames/s (${((1000 * pdqSeconds) / (rounds * frames.length)).toFixed(1)} ms/frame)`);

  // (b) CLI vs plain ffmpeg decode, alternating, median of RUNS.
  const decode: number[] = [];
  const cliPlain: number[] = [];
  const cliJson: number[] = [];
  const cliOn = (file: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'cli/run.mjs'), 'fingerprint', file, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`cli fingerprint failed (${r.status})`);
  };
  const cli = (...args: string[]) => cliOn(clip, ...args);
  spawnSync(process.execPath, [join(ROOT, 'cli/run.mjs'), 'help'], { cwd: ROOT, stdio: 'ignore' }); // builds the bundle if the sources changed
  for (let i = 0; i < RUNS; i++) {
    decode.push(timeIt(() => execFileSync('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'null', '-'])));
    cliPlain.push(timeIt(() => cli()));
    cliJson.push(timeIt(() => cli('--json')));
  }
  const inProcess = await timeAsync(() => fingerprintFile(clip));
  // The query as it was before the middle band and the picture-in-picture finder (same run).
  const before = await timeAsync(() => fingerprintFile(clip, { bands: false, insets: false }));
  const d = median(decode);
  console.log(`(b) ffmpeg -f null decode: ${d.toFixed(2)} s; cli fingerprint: ${median(cliPlain).toFixed(2)} s = ${(median(cliPlain) / d).toFixed(2)}x (target <= 1.2x); ` +
    `cli fingerprint --json (bars, mirror): ${median(cliJson).toFixed(2)} s = ${(median(cliJson) / d).toFixed(2)}x; in-process fingerprintFile: ${inProcess.toFixed(2)} s = ${(inProcess / d).toFixed(2)}x ` +
    `(without the band and inset alternates: ${before.toFixed(2)} s = ${(before / d).toFixed(2)}x)`);

  // (b2) The same without B-frames: nothing to leave undecoded.
  const noB = makeClip(['-bf', '0'], '-no-b-frames');
  const decodeNoB: number[] = [];
  const cliNoB: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    decodeNoB.push(timeIt(() => execFileSync('ffmpeg', ['-v', 'error', '-i', noB, '-f', 'null', '-'])));
    cliNoB.push(timeIt(() => cliOn(noB)));
  }
  const dn = median(decodeNoB);
  console.log(`(b2) the clip without B-frames (no picture can be left undecoded): ffmpeg -f null decode: ${dn.toFixed(2)} s; cli fingerprint: ${median(cliNoB).toFixed(2)} s = ${(median(cliNoB) / dn).toFixed(2)}x (target <= 1.2x)`);

  // (c) Browser pipeline in Chromium, same harness as tests/e2e/fingerprint-browser.spec.ts.
  const { chromium } = await import('@playwright/test');
  const { startHarness, CHROMIUM_LAUNCH, videoUrl } = await import('../tests/e2e/harness/fingerprint-harness');
  const harness = await startHarness();
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  try {
    const page = await browser.newPage();
    await page.goto(harness.url);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await page.evaluate((url) => (window as unknown as { fingerprintInWorker: (u: string, o: object) => Promise<{ ok: boolean; ms: number; error?: string }> }).fingerprintInWorker(url, {}), videoUrl(clip));
      if (!reply.ok) throw new Error(`browser pipeline failed: ${reply.error}`);
      runs.push(reply.ms / 1000);
    }
    const b = median(runs);
    console.log(`(c) browser (${browser.version()}, WebCodecs in a worker, --disable-gpu): ${b.toFixed(2)} s for ${info.duration?.toFixed(0)} s = ${(b / (info.duration ?? CLIP_SECONDS)).toFixed(3)}x duration (target <= 0.1x)`);
  } finally {
    await browser.close();
    await harness.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
