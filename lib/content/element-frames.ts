/**
 * Frames sampled from a <video> element itself, for `blob:` videos whose file address the
 * page never shows (MSE players, URL.createObjectURL on sites without an adapter). Their bytes
 * cannot be fetched, so Content Credentials cannot be read, but their frames can still be
 * matched against the user's lists: PDQ per frame, about one per second of video, as vPDQ does.
 *
 * Two ways, neither touching the page's element (no seek, no pause, no attribute change):
 * - a blob backed by a Blob/File can be opened a second time: a detached, muted copy of the
 *   element is seeked second by second (vPDQ's frames: t = 0, 1, 2 … s);
 * - a MediaSource blob can only feed the page's element (opening it again fails), so frames are
 *   taken from that element while it plays, the first frame shown in each second of media time.
 *
 * Cost: drawing + reading one frame and hashing it run in separate tasks. Measured in the e2e
 * Chromium (software decoding, 2 busy cores) on a 1920×1080 blob: draw 5–21 ms, read 6 ms, PDQ
 * 20–23 ms (61 ms for the first, cold one) — too close to the 50 ms long-task line. And since
 * every readable video on screen has its resting frame hashed (its picture is bound to the checked
 * file, issue 10), a page of 100 portrait 720p videos spent seconds of its main thread on it:
 * the first draw of each element to a canvas took 20–45 ms (its frame converted on the main
 * thread). So a frame is read as WebCodecs sees it (`new VideoFrame(video)`, ~5 ms) and shrunk to
 * 640×360's pixel count while its YUV planes are converted (lib/fingerprint/frame-pixels.ts), a
 * quarter of 720p's hashing work; the canvas is the fallback. Lists and checked files are hashed
 * at full size, and PDQ moves a little when a frame is shrunk (its Jarosz filter averages over
 * the scale anyway): 4–10 bits on the fixtures (tests/unit/fingerprint/frame-pixels.test.ts),
 * against 10–18 at 256×256 — a little of the 31-bit tolerance, as for any lower-resolution copy.
 */
import { PdqHasher } from '../fingerprint/pdq';
import { FrameReader } from '../fingerprint/frame-pixels';
import { MAX_ELEMENT_FRAMES } from '../messages';

export interface ElementFrame {
  /** Media time in seconds. */
  t: number;
  pdq: string;
  quality: number;
}

/** Why frames could not be read, said in words by the background. */
export type SampleProblem = 'cross-origin';

export const MAX_SAMPLE_PIXELS = 640 * 360;
/** Wall-clock pause between two seeks of the copy: a background task, not a burst. */
const SEEK_PAUSE_MS = 120;
const LOAD_TIMEOUT_MS = 8000;
/** A resting frame that drew nothing is asked for again this often, this many times. */
const RESTING_RETRY_MS = 300;
const RESTING_TRIES = 10;
/** A lost report is sent again no sooner than this after the last one. */
const RESEND_GAP_MS = 3000;

type Pixels = { data: Uint8ClampedArray; width: number; height: number };
/** The element has no decoded frame to give yet (asked again later, like a frame that drew nothing). */
const NOT_YET = 'not-yet';

export type FramesReport = (frames: ElementFrame[], problem?: SampleProblem) => void;

export class ElementSampler {
  private frames: ElementFrame[] = [];
  private seconds = new Set<number>();
  private sent = 0;
  private lastReport = 0;
  private resendTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private canvas: HTMLCanvasElement | undefined;
  private ctx: CanvasRenderingContext2D | null = null;
  private hasher: PdqHasher | undefined;
  private reader: FrameReader | undefined;
  /** This browser (or this element) gives no VideoFrame of it: the canvas is used. */
  private noVideoFrame = false;
  private grabbing: Promise<unknown> = Promise.resolve();
  private copy: HTMLVideoElement | undefined;
  private frameCallback: number | undefined;
  private cleanup: (() => void)[] = [];

  constructor(
    private video: HTMLVideoElement,
    /** The address being sampled (the element's source when sampling began). */
    readonly src: string,
    private report: FramesReport,
    /**
     * Only frames the page's element shows while it plays: for a video with a real address,
     * opening it again would download it again.
     */
    private playbackOnly = false,
  ) {}

  start(): void {
    // Opening the blob a second time must wait until the page's element has attached it:
    // before that, a MediaSource could be taken away from the page's own player.
    if (this.video.readyState >= HTMLMediaElement.HAVE_METADATA) void this.begin();
    else this.listen(this.video, 'loadedmetadata', () => void this.begin(), true);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.resendTimer);
    this.flush();
    for (const c of this.cleanup.splice(0)) c();
    if (this.frameCallback !== undefined) this.video.cancelVideoFrameCallback?.(this.frameCallback);
    this.releaseCopy();
  }

  private async begin(): Promise<void> {
    if (this.stopped) return;
    if (!this.playbackOnly && (await this.sampleCopy())) return;
    if (!this.stopped) this.samplePlayback();
  }

  /** Seeks a detached copy through the video; false when the blob cannot be opened again (MSE). */
  private async sampleCopy(): Promise<boolean> {
    const copy = this.video.ownerDocument.createElement('video');
    this.copy = copy;
    copy.muted = true;
    copy.preload = 'auto';
    copy.src = this.src;
    const loaded = await this.once(copy, 'loadedmetadata', LOAD_TIMEOUT_MS);
    if (!loaded || this.stopped || !Number.isFinite(copy.duration) || copy.duration <= 0) {
      this.releaseCopy();
      return false;
    }
    const last = Math.min(Math.ceil(copy.duration) - 1, MAX_ELEMENT_FRAMES - 1);
    for (let s = 0; s <= last && !this.stopped; s++) {
      // A hair after the second, so the frame starting exactly there is the one shown.
      copy.currentTime = Math.min(s + 0.01, copy.duration);
      if (!(await this.once(copy, 'seeked', LOAD_TIMEOUT_MS))) break;
      if (!(await this.grab(copy, s))) break;
      await sleep(SEEK_PAUSE_MS);
    }
    this.releaseCopy();
    this.flush();
    return true;
  }

  /**
   * Frames from the page's element while it plays: the first one shown in each second of media
   * time, at the instant it was shown (what its picture is compared with, lib/picture.ts). Before
   * it plays, the frame it rests on (usually the first) is taken once it is drawn, and after a seek.
   */
  private samplePlayback(): void {
    const v = this.video;
    const consider = (mediaTime: number) => {
      const s = Math.floor(mediaTime);
      if (this.stopped || this.seconds.has(s) || this.frames.length >= MAX_ELEMENT_FRAMES) return;
      this.seconds.add(s);
      void this.grab(v, mediaTime);
    };
    let tries = 0;
    const resting = () => {
      if (this.stopped || !v.paused || v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
      const t = v.currentTime;
      if (this.frames.some((f) => Math.abs(f.t - t) < 0.001) || this.frames.length >= MAX_ELEMENT_FRAMES) return;
      const before = this.frames.length;
      void this.grab(v, t).then(() => {
        this.flush();
        // Ready by its state but not painted yet (nothing drawn): ask again shortly, a few times.
        if (this.frames.length === before && !this.stopped && tries++ < RESTING_TRIES) setTimeout(resting, RESTING_RETRY_MS);
      });
    };
    resting();
    this.listen(v, 'loadeddata', resting);
    this.listen(v, 'seeked', resting);
    if (typeof v.requestVideoFrameCallback === 'function') {
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
        if (this.stopped) return;
        consider(meta.mediaTime);
        this.frameCallback = v.requestVideoFrameCallback(onFrame);
      };
      this.frameCallback = v.requestVideoFrameCallback(onFrame);
    } else {
      this.listen(v, 'timeupdate', () => consider(v.currentTime));
    }
    // Whatever was gathered goes out when playback stops for a while.
    this.listen(v, 'pause', () => this.flush());
    this.listen(v, 'ended', () => this.flush());
  }

  /** Reads one frame now, hashes it in a later task. False when frames cannot be read. One at a time (the pixel buffers are reused). */
  private grab(source: HTMLVideoElement, t: number): Promise<boolean> {
    const run = this.grabbing.then(() => this.grabNow(source, t));
    this.grabbing = run.catch(() => false);
    return run;
  }

  private async grabNow(source: HTMLVideoElement, t: number): Promise<boolean> {
    if (this.stopped) return false;
    // Asked twice for the same instant (the first call, then `loadeddata`, `seeked`…): read once.
    if (this.frames.some((f) => Math.abs(f.t - t) < 0.001)) return true;
    const w = source.videoWidth;
    const h = source.videoHeight;
    if (!w || !h) return true;
    let pixels: Pixels | undefined;
    try {
      const frame = await this.viaVideoFrame(source);
      pixels = frame === NOT_YET ? undefined : (frame ?? this.viaCanvas(source, w, h));
    } catch (err) {
      // A cross-origin video without CORS taints the canvas: its frames are not ours to read.
      if ((err as Error)?.name === 'SecurityError') {
        this.report([], 'cross-origin');
        this.stop();
      }
      return false;
    }
    // Nothing painted yet: it is not a picture of the video.
    if (!pixels) return true;
    await sleep(0);
    if (this.stopped) return false;
    this.hasher ??= new PdqHasher();
    const r = this.hasher.hashPixels(pixels.data, pixels.width, pixels.height, 4, { mode: 'frame' });
    this.frames.push({ t: Math.round(t * 1000) / 1000, pdq: r.hash, quality: Math.round(r.quality) });
    // Early reports let a match (and the picture's binding) show quickly; later ones in batches.
    const due = this.sent === 0 ? 1 : this.sent < 6 ? 2 : 5;
    if (this.frames.length - this.sent >= due || this.frames.length >= MAX_ELEMENT_FRAMES) this.flush();
    return this.frames.length < MAX_ELEMENT_FRAMES;
  }

  /**
   * The frame as WebCodecs sees it (`new VideoFrame(video)`), shrunk while its YUV planes are
   * converted: ~5 ms for a 720p frame where drawing the element to a canvas took 20–45 ms (the
   * first draw of each element converts its frame on the main thread). Undefined when the
   * element has no frame yet (NOT_YET), or when this browser cannot (then the canvas is used from now on).
   */
  private async viaVideoFrame(source: HTMLVideoElement): Promise<Pixels | typeof NOT_YET | undefined> {
    if (this.noVideoFrame || typeof VideoFrame !== 'function') return undefined;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(source);
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'SecurityError') throw err;
      if (name === 'InvalidStateError') return NOT_YET;
      this.noVideoFrame = true;
      return undefined;
    }
    try {
      return await (this.reader ??= new FrameReader()).read(frame, MAX_SAMPLE_PIXELS);
    } catch {
      this.noVideoFrame = true;
      return undefined;
    } finally {
      frame.close();
    }
  }

  /** The element drawn to a canvas, scaled to MAX_SAMPLE_PIXELS. Undefined when it drew nothing (not painted yet). */
  private viaCanvas(source: HTMLVideoElement, w: number, h: number): Pixels | undefined {
    const scale = Math.min(1, Math.sqrt(MAX_SAMPLE_PIXELS / (w * h)));
    const cw = Math.max(1, Math.round(w * scale));
    const ch = Math.max(1, Math.round(h * scale));
    if (!this.canvas) {
      this.canvas = this.video.ownerDocument.createElement('canvas');
      this.ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!this.ctx) throw new Error('no 2D canvas');
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      this.canvas.width = cw;
      this.canvas.height = ch;
    }
    this.ctx.clearRect(0, 0, cw, ch);
    this.ctx.drawImage(source, 0, 0, cw, ch);
    const img = this.ctx.getImageData(0, 0, cw, ch);
    // A frame not painted yet draws nothing (transparent).
    const centre = 4 * (Math.floor(ch / 2) * cw + Math.floor(cw / 2));
    if (img.data[3] === 0 && img.data[centre + 3] === 0) return undefined;
    return { data: img.data, width: cw, height: ch };
  }

  /**
   * Sends every frame so far again (the background restarted and lost them). Not while a report
   * may still be on its way (an answer computed before it arrived also says "no frames seen"):
   * then once, when the gap is over.
   */
  resend(): void {
    if (!this.frames.length || this.stopped || this.resendTimer !== undefined) return;
    const wait = this.lastReport + RESEND_GAP_MS - Date.now();
    const send = () => {
      this.resendTimer = undefined;
      if (this.stopped) return;
      this.lastReport = Date.now();
      this.report(this.frames.slice());
    };
    if (wait <= 0) send();
    else this.resendTimer = setTimeout(send, wait);
  }

  private flush(): void {
    if (this.frames.length === this.sent) return;
    this.sent = this.frames.length;
    this.lastReport = Date.now();
    this.report(this.frames.slice());
  }

  private releaseCopy(): void {
    if (!this.copy) return;
    this.copy.removeAttribute('src');
    this.copy.load();
    this.copy = undefined;
  }

  private listen(target: EventTarget, type: string, fn: () => void, once = false): void {
    target.addEventListener(type, fn, { once });
    this.cleanup.push(() => target.removeEventListener(type, fn));
  }

  /** Resolves true on `type`, false on error, timeout or stop. */
  private once(el: HTMLMediaElement, type: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        el.removeEventListener(type, onOk);
        el.removeEventListener('error', onErr);
        resolve(ok && !this.stopped);
      };
      const onOk = () => done(true);
      const onErr = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      el.addEventListener(type, onOk, { once: true });
      el.addEventListener('error', onErr, { once: true });
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
