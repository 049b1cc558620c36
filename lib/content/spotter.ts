/**
 * Finds every <video> of a frame — with src or <source> children, added later, with a
 * changing source, inside open shadow roots — and keeps the list current, without ever
 * modifying the page's elements (only listeners and observers are attached).
 */
import { mediaKey, type MediaRef } from '../media/ref';
import type { PageContext, SiteAdapter } from '../sites/types';

export interface SpottedVideo {
  id: string;
  el: HTMLVideoElement;
  ref: MediaRef;
  /** On screen or within a screen's height of it (about to be). */
  visible: boolean;
  /** Has played since it was spotted. */
  played: boolean;
  playing: boolean;
}

/** "About to be on screen": a screen's height above and below the viewport. */
const NEAR_SCREEN = '100% 0px 100% 0px';
const UNSEEN_WAIT_MS = 1000;

/**
 * The elements a shadow root can be attached to (DOM's "valid shadow host name"): custom elements
 * (a name with a hyphen; a superset here) and these. The scan asks the extension API only about
 * them: the call costs about 1–1.5 µs an element, and skipping the others saved 3.4 ms of script
 * on a page of 3,000 ordinary elements (measured).
 */
const SHADOW_HOST_NAMES = new Set(['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'main', 'nav', 'p', 'section', 'span']);

export function canHostShadowRoot(localName: string): boolean {
  return SHADOW_HOST_NAMES.has(localName) || localName.includes('-');
}

const HTML_NS = 'http://www.w3.org/1999/xhtml';

/**
 * Whether a node is an HTML <video>. Not `instanceof HTMLVideoElement`: its first use in the
 * content script's world builds the interface objects of the whole media chain (about 1.2 ms
 * measured), which a page without a video would pay for nothing.
 */
function isVideo(n: Node | null): n is HTMLVideoElement {
  return n?.nodeType === 1 && (n as Element).localName === 'video' && (n as Element).namespaceURI === HTML_NS;
}

/**
 * How the scan shares the page's main thread: it walks the elements in slices of at most
 * SCAN_SLICE_MS, looking at the clock every SCAN_CHUNK elements, and lets the page run between
 * slices. One synchronous walk was a long task on big pages: 63 ms of script on 33,000 elements
 * and 219 ms on 110,000 (Chromium 156, measured), paid as the page loads.
 */
const SCAN_SLICE_MS = 8;
const SCAN_CHUNK = 256;

const NO_SOURCE: MediaRef = { kind: 'unresolvable', reason: 'the video has no address yet' };
const MEDIA_EVENTS = ['loadstart', 'emptied', 'durationchange'] as const;
const PLAY_EVENTS = ['playing', 'pause', 'ended', 'emptied'] as const;

/** The geometry of NEAR_SCREEN: a box on screen or within a screen's height of it, with a layout box at all. */
function nearScreen(el: Element, win: Window): boolean {
  if (!el.isConnected || (typeof el.checkVisibility === 'function' && !el.checkVisibility())) return false;
  const r = el.getBoundingClientRect();
  const h = win.innerHeight;
  return r.bottom >= -h && r.top <= 2 * h && r.right >= 0 && r.left <= win.innerWidth;
}

export class Spotter {
  private videos = new Map<HTMLVideoElement, SpottedVideo>();
  private byId = new Map<string, SpottedVideo>();
  private seq = 0;
  private observedRoots = new WeakSet<Node>();
  private mo: MutationObserver;
  private io: IntersectionObserver;
  private dirty = false;
  private pendingRoots: Node[] = [];
  private scanScheduled = false;
  /** Walks not finished yet (first in, first out): the elements of a root, listed when it was scanned. */
  private walks: { els: NodeListOf<Element>; at: number }[] = [];
  private walkTimer: ReturnType<typeof setTimeout> | undefined;
  private walking = false;
  /** Videos the IntersectionObserver has not answered for yet. */
  private unseen = new Set<HTMLVideoElement>();
  private waitedSince = 0;
  private unseenTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private doc: Document,
    private adapter: SiteAdapter,
    private page: () => PageContext,
    /** Called (batched) whenever the set of videos, a reference or a visibility changes. */
    private onChange: (videos: SpottedVideo[]) => void,
    /**
     * Any element's shadow root, closed ones included (the browser gives extensions that
     * access: chrome.dom.openOrClosedShadowRoot, Firefox's element.openOrClosedShadowRoot):
     * a video alone in a closed shadow root must not go unseen.
     */
    private shadowRootOf: (el: Element) => ShadowRoot | null = (el) => (el as HTMLElement).shadowRoot,
  ) {
    this.mo = new MutationObserver((records) => this.onMutations(records));
    this.io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        // The last answer awaited releases a held-back report at once.
        if (this.unseen.delete(e.target as HTMLVideoElement) && !this.unseen.size && this.dirty) queueMicrotask(() => this.flush());
        const v = this.videos.get(e.target as HTMLVideoElement);
        if (v && v.visible !== e.isIntersecting) {
          v.visible = e.isIntersecting;
          this.markDirty();
        }
      }
    }, { rootMargin: NEAR_SCREEN });
  }

  start(): void {
    this.observeRoot(this.doc);
    this.scan(this.doc);
    this.dirty = true;
    this.flush();
  }

  stop(): void {
    if (this.walkTimer !== undefined) clearTimeout(this.walkTimer);
    this.walkTimer = undefined;
    this.walks = [];
    this.mo.disconnect();
    this.io.disconnect();
    for (const v of [...this.videos.values()]) this.forget(v);
  }

  /** Videos wait for their visibility answers: a report now would call visible videos off screen (onChange follows). */
  holding(): boolean {
    return this.unseenTimer !== undefined;
  }

  /**
   * Decides the visibility of videos still waiting for the observer from their boxes, at once.
   * The observer answers on the next rendering update, and a page whose video is loading renders
   * late: 50-65 ms after the load event in Chromium 156 (2-14 ms without a loading video,
   * measured), all of it added to the first verdict. The answer that comes later corrects a wrong
   * guess (a video clipped by a scrolling box is guessed on screen; at most its check starts early).
   * Only in a shown top-level page: a frame's own viewport is not the screen, a hidden tab shows nothing.
   * Forces one layout; the content script asks for it once, for its first report.
   */
  settleUnseen(): void {
    const win = this.doc.defaultView;
    if (!this.unseen.size || !win || win !== win.top || this.doc.visibilityState !== 'visible') return;
    for (const el of this.unseen) {
      const v = this.videos.get(el);
      if (v) v.visible = nearScreen(el, win);
    }
    this.endHold(); // the caller reports the list now
  }

  list(): SpottedVideo[] {
    return [...this.videos.values()];
  }

  get(id: string): SpottedVideo | undefined {
    return this.byId.get(id);
  }

  private observeRoot(root: Document | ShadowRoot): void {
    if (this.observedRoots.has(root)) return;
    this.observedRoots.add(root);
    this.mo.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['src'] });
  }

  /**
   * Looks for videos and shadow roots under `root` (cost proportional to the subtree), in slices
   * (see SCAN_SLICE_MS). The list of elements is taken at once and fixed: an element removed before
   * its turn is skipped, one added meanwhile comes through the MutationObserver.
   */
  private scan(root: Node): void {
    // The root itself too: an element added with its shadow root already attached (a custom element's constructor does that).
    if (root.nodeType === 1) this.visit(root as Element);
    const els = (root as Partial<ParentNode>).querySelectorAll?.('*');
    if (!els?.length) return;
    this.walks.push({ els, at: 0 });
    if (this.walkTimer === undefined && !this.walking) this.walk();
  }

  private walk(): void {
    this.walkTimer = undefined;
    this.walking = true;
    try {
      this.walkSlice(performance.now() + SCAN_SLICE_MS);
    } finally {
      this.walking = false;
    }
    if (this.walks.length) this.walkTimer = setTimeout(() => this.walk(), 0);
  }

  private walkSlice(until: number): void {
    while (this.walks.length) {
      const w = this.walks[0];
      const end = Math.min(w.els.length, w.at + SCAN_CHUNK);
      for (; w.at < end; w.at++) this.visit(w.els[w.at]);
      if (w.at >= w.els.length) this.walks.shift();
      if (performance.now() >= until) return;
    }
  }

  private visit(el: Element): void {
    const name = el.localName;
    if (name === 'video' && isVideo(el) && el.isConnected) this.track(el);
    // Our own badges' (closed) roots hold no page video.
    const sr = name === 'provenance-lens-badge' || !canHostShadowRoot(name) ? null : this.shadowRootOf(el);
    if (sr && el.isConnected) {
      this.observeRoot(sr);
      this.scan(sr); // queued behind the walk under way, if any
    }
  }

  private onMutations(records: MutationRecord[]): void {
    let removed = false;
    for (const r of records) {
      if (r.type === 'attributes') {
        const t = r.target as Element;
        const video = t.localName === 'source' ? t.parentElement : t;
        if (isVideo(video)) this.refresh(video);
        continue;
      }
      for (const n of Array.from(r.addedNodes)) if (n.nodeType === 1) this.pendingRoots.push(n);
      if (r.removedNodes.length) removed = true;
      // A <source> added to or removed from a video changes what it plays.
      if (isVideo(r.target)) this.refresh(r.target);
    }
    if (removed) for (const v of [...this.videos.values()]) if (!v.el.isConnected) this.forget(v);
    this.scheduleScan();
  }

  /** Added subtrees are scanned in one batch per frame, not per mutation record. */
  private scheduleScan(): void {
    if (this.scanScheduled || !this.pendingRoots.length) return;
    this.scanScheduled = true;
    queueMicrotask(() => {
      this.scanScheduled = false;
      const roots = this.pendingRoots;
      this.pendingRoots = [];
      for (const r of roots) if (r.isConnected) this.scan(r);
    });
  }

  private track(el: HTMLVideoElement): void {
    if (this.videos.has(el)) return;
    const playing = !el.paused && !el.ended && el.readyState > 2;
    const v: SpottedVideo = { id: `v${++this.seq}`, el, ref: this.resolve(el), visible: false, played: playing, playing };
    this.videos.set(el, v);
    this.byId.set(v.id, v);
    this.io.observe(el);
    this.unseen.add(el);
    for (const ev of MEDIA_EVENTS) el.addEventListener(ev, this.onMediaEvent);
    for (const ev of PLAY_EVENTS) el.addEventListener(ev, this.onPlayEvent);
    this.markDirty();
  }

  private forget(v: SpottedVideo): void {
    this.videos.delete(v.el);
    this.byId.delete(v.id);
    this.io.unobserve(v.el);
    this.unseen.delete(v.el);
    for (const ev of MEDIA_EVENTS) v.el.removeEventListener(ev, this.onMediaEvent);
    for (const ev of PLAY_EVENTS) v.el.removeEventListener(ev, this.onPlayEvent);
    this.markDirty();
  }

  private onMediaEvent = (e: Event) => this.refresh(e.target as HTMLVideoElement);

  /** Playing or not: the data-use setting checks played videos, and a playing one gives frames for free. */
  private onPlayEvent = (e: Event) => {
    const v = this.videos.get(e.target as HTMLVideoElement);
    if (!v) return;
    const playing = e.type === 'playing';
    if (v.playing === playing && (v.played || !playing)) return;
    v.playing = playing;
    v.played ||= playing;
    this.markDirty();
  };

  private refresh(el: HTMLVideoElement): void {
    const v = this.videos.get(el);
    if (!v) return;
    const ref = this.resolve(el);
    if (mediaKey(ref) !== mediaKey(v.ref)) {
      v.ref = ref;
      v.played = v.playing; // another video now: what was played before was not this one
      this.markDirty();
    }
  }

  private streamIds = new WeakMap<HTMLVideoElement, string>();

  private resolve(el: HTMLVideoElement): MediaRef {
    // A stream the page makes itself plays whatever `src` says: it is a stream, with frames and no file.
    if (el.srcObject) {
      let id = this.streamIds.get(el);
      if (!id) this.streamIds.set(el, (id = `stream:${crypto.randomUUID()}`));
      return { kind: 'unresolvable', url: id, reason: 'the page plays a stream it makes itself (srcObject): there is no file to read, only its frames' };
    }
    try {
      return this.adapter.resolve(el, this.page()) ?? NO_SOURCE;
    } catch (err) {
      return { kind: 'unresolvable', reason: `the site adapter failed: ${(err as Error)?.message ?? err}` };
    }
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    queueMicrotask(() => this.flush());
  }

  /**
   * A new video's visibility is known only once the IntersectionObserver has answered for it
   * (on the next rendering update): reporting before would call a video on screen "not on
   * screen yet". Changes wait for those answers, at most UNSEEN_WAIT_MS (a hidden tab renders
   * nothing, and its videos are indeed not on screen).
   */
  private flush(): void {
    if (this.unseen.size && !this.waitedSince) this.waitedSince = Date.now();
    if (this.unseen.size && Date.now() - this.waitedSince < UNSEEN_WAIT_MS) {
      this.unseenTimer ??= setTimeout(() => {
        this.unseenTimer = undefined;
        this.flush();
      }, UNSEEN_WAIT_MS);
      return; // the observer's answer calls markDirty again
    }
    this.endHold();
    this.onChange(this.list());
  }

  /** Nothing is held back any more: the list is about to be reported. */
  private endHold(): void {
    if (this.unseenTimer) clearTimeout(this.unseenTimer);
    this.unseenTimer = undefined;
    this.unseen.clear();
    this.waitedSince = 0;
    this.dirty = false;
  }
}
