/**
 * Badges over videos. Each badge lives in its own closed shadow root, in a host element
 * appended to <html> — never inside the page's video markup — positioned at the video's
 * top-left corner in document coordinates, and moved when the video moves or resizes.
 */
import { render } from 'preact';
import { Badge, BADGE_CSS } from '../../components/Badge';
import type { Verdict } from '../verdict';

const INSET = 6;
const HIGHLIGHT_MS = 2500;
/** Catches layout shifts no event reports (content inserted above a video, and so on). */
const RECHECK_MS = 700;
/** Badge drawing yields to the page after this much work (a page with hundreds of videos stays responsive). */
const DRAW_BUDGET_MS = 8;
/**
 * The host's own style, all `!important` and inline: no page style sheet can hide, move, fade or
 * transform it (inline important declarations win over every author rule). A page can still edit the
 * attribute or remove the host; the layer's observer puts both back (`reassert`).
 */
const HOST_STYLE = 'all: initial !important; position: absolute !important; width: 0 !important; height: 0 !important; z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important; transform: none !important; filter: none !important; clip-path: none !important; pointer-events: auto !important; contain: none !important;';

/** Whether two verdicts would draw the same badge (a re-sent verdict need not be drawn again). */
function sameLook(a: Verdict, b: Verdict): boolean {
  return a === b || (a.headline === b.headline && a.checkedAt === b.checkedAt && a.fingerprint === b.fingerprint && a.matches.length === b.matches.length && a.summary === b.summary);
}

interface Mounted {
  id: string;
  el: HTMLVideoElement;
  host: HTMLElement;
  /** Where the host is placed (its only variable style). */
  at: { display: string; top: string; left: string };
  root: ShadowRoot;
  ring: HTMLElement;
  verdict: Verdict;
  highlightUntil: number;
  visible: boolean;
}

export class BadgeLayer {
  private badges = new Map<string, Mounted>();
  private ro: ResizeObserver;
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Badges waiting to be drawn, in order; drawn in slices of DRAW_BUDGET_MS. */
  private toDraw = new Set<Mounted>();
  private drawing: ReturnType<typeof setTimeout> | undefined;
  /** One parsed style sheet shared by every badge's shadow root (not one <style> each). */
  private sheet: CSSStyleSheet | undefined;
  /** Watches the hosts for the page's hands: an edited attribute or a removed host is put back. */
  private guard: MutationObserver;
  /** How often the page tampered with a badge host (for tests and the hostile-page report). */
  tampered = 0;

  constructor(
    private doc: Document,
    private css: string,
    /** The user pressed a badge that offers a check (not checked yet, or a failed download). */
    private onCheck?: (id: string) => void,
  ) {
    try {
      this.sheet = new CSSStyleSheet();
      this.sheet.replaceSync(css + BADGE_CSS);
    } catch {
      this.sheet = undefined; // no constructable style sheets: each root gets a <style>
    }
    this.ro = new ResizeObserver(() => this.schedule());
    this.guard = new MutationObserver((records) => this.reassert(records));
    this.guard.observe(doc.documentElement, { childList: true });
    const win = doc.defaultView!;
    win.addEventListener('scroll', this.schedule, { capture: true, passive: true });
    win.addEventListener('resize', this.schedule, { passive: true });
  }

  set(id: string, el: HTMLVideoElement, verdict: Verdict, visible: boolean): void {
    let m = this.badges.get(id);
    if (m && m.el !== el) {
      this.remove(id);
      m = undefined;
    }
    if (!m) {
      const host = this.doc.createElement('provenance-lens-badge');
      const root = host.attachShadow({ mode: 'closed' });
      this.style(root);
      const ring = this.doc.createElement('div');
      ring.className = 'pl-ring';
      ring.setAttribute('style', 'position:absolute;display:none;pointer-events:none;border:4px solid #facc15;border-radius:6px;box-shadow:0 0 0 9999px rgba(0,0,0,0.25);');
      root.appendChild(ring);
      const mount = this.doc.createElement('div');
      root.appendChild(mount);
      this.doc.documentElement.appendChild(host);
      this.ro.observe(el);
      m = { id, el, host, at: { display: 'none', top: '0px', left: '0px' }, root, ring, verdict, highlightUntil: 0, visible };
      this.writeHost(m);
      this.guard.observe(host, { attributes: true });
      this.guard.takeRecords(); // our own writes
      this.badges.set(id, m);
      this.ensureTimer();
    }
    const unchanged = this.drawn.get(m) !== undefined && sameLook(this.drawn.get(m)!, verdict);
    m.verdict = verdict;
    if (m.visible !== visible) {
      m.visible = visible;
      this.schedule();
    }
    if (unchanged) return;
    this.toDraw.add(m);
    this.drawing ??= setTimeout(this.drawSome, 0);
  }

  /**
   * Styles a new shadow root: the shared sheet where the browser allows it, a <style> of its own
   * otherwise. Firefox 140 refuses `adoptedStyleSheets` on a page's node from a content
   * script ("Accessing from Xray wrapper is not supported"); after the first refusal every root
   * gets a <style>.
   */
  private style(root: ShadowRoot): void {
    if (this.sheet) {
      try {
        root.adoptedStyleSheets = [this.sheet];
        return;
      } catch {
        this.sheet = undefined;
      }
    }
    const style = this.doc.createElement('style');
    style.textContent = this.css + BADGE_CSS;
    root.appendChild(style);
  }

  /** What each badge last rendered. */
  private drawn = new WeakMap<Mounted, Verdict>();

  private drawSome = (): void => {
    this.drawing = undefined;
    const start = performance.now();
    for (const m of this.toDraw) {
      this.toDraw.delete(m);
      if (this.badges.get(m.id) !== m) continue; // removed meanwhile
      this.draw(m);
      if (performance.now() - start > DRAW_BUDGET_MS) break;
    }
    if (this.toDraw.size) this.drawing = setTimeout(this.drawSome, 0);
    this.schedule();
  };


  setVisible(id: string, visible: boolean): void {
    const m = this.badges.get(id);
    if (m && m.visible !== visible) {
      m.visible = visible;
      this.schedule();
    }
  }

  remove(id: string): void {
    const m = this.badges.get(id);
    if (!m) return;
    render(null, m.root.lastElementChild as HTMLElement);
    this.ro.unobserve(m.el);
    this.badges.delete(id);
    m.host.remove();
    this.guard.takeRecords();
    this.toDraw.delete(m);
    if (!this.badges.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  ids(): string[] {
    return [...this.badges.keys()];
  }

  /** Scrolls the page to a video and rings it for a moment (the popup's "show on page"). */
  reveal(id: string, el: HTMLVideoElement): void {
    el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' as ScrollBehavior });
    const m = this.badges.get(id);
    if (!m) return;
    m.highlightUntil = Date.now() + HIGHLIGHT_MS;
    m.visible = true; // just scrolled into view (observers may lag in a background tab)
    this.draw(m);
    // Now, not on the next animation frame: a page behind the popup may get no frames.
    this.place();
    setTimeout(() => {
      this.draw(m);
      this.schedule();
    }, HIGHLIGHT_MS + 50);
  }

  destroy(): void {
    for (const id of this.ids()) this.remove(id);
    const win = this.doc.defaultView!;
    win.removeEventListener('scroll', this.schedule, { capture: true });
    win.removeEventListener('resize', this.schedule);
    this.ro.disconnect();
    this.guard.disconnect();
  }

  /** The host's whole style attribute, from where it is placed. */
  private writeHost(m: Mounted): void {
    m.host.setAttribute('style', `${HOST_STYLE} display: ${m.at.display} !important; top: ${m.at.top} !important; left: ${m.at.left} !important;`);
  }

  /**
   * The page edited a host's attributes (style, class, hidden…) or removed a host: it is put back
   * as it was. Our own writes are taken off the observer's record before it reports.
   */
  private reassert(records: MutationRecord[]): void {
    const touched = new Set<Mounted>();
    let removed = false;
    for (const r of records) {
      if (r.type === 'attributes') {
        const m = [...this.badges.values()].find((x) => x.host === r.target);
        if (m) touched.add(m);
      } else if (r.removedNodes.length) removed = true;
    }
    if (removed) for (const m of this.badges.values()) if (m.host.parentNode !== this.doc.documentElement) (touched.add(m), this.doc.documentElement.appendChild(m.host));
    for (const m of touched) {
      this.tampered++;
      for (const a of [...m.host.getAttributeNames()]) if (a !== 'style') m.host.removeAttribute(a);
      this.writeHost(m);
    }
    this.guard.takeRecords();
  }

  private draw(m: Mounted): void {
    this.drawn.set(m, m.verdict);
    // An opened panel must paint above the other badges: its host moves to the end of <html>.
    const raise = () => {
      this.doc.documentElement.appendChild(m.host);
      this.guard.takeRecords();
    };
    render(<Badge verdict={m.verdict} highlight={Date.now() < m.highlightUntil} onOpen={raise} onCheck={this.onCheck && (() => this.onCheck!(m.id))} />, m.root.lastElementChild as HTMLElement);
  }

  private ensureTimer(): void {
    this.timer ??= setInterval(() => {
      if (this.doc.visibilityState === 'visible') this.schedule();
    }, RECHECK_MS);
  }

  /**
   * Placed in a task right after the next frame is rendered, not in its animation-frame callback:
   * there the page's own changes since the last frame are not laid out yet, and the first rectangle
   * read would lay out the whole page inside our task (50 ms on a grid of 300 videos that grows).
   * Just after rendering, layout is clean and reading rectangles is cheap.
   */
  private schedule = (): void => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      setTimeout(() => {
        this.frame = 0;
        this.place();
      }, 0);
    });
  };

  /**
   * Reads every rectangle first, then writes every style: interleaving them would force a
   * layout per badge (hundreds on a long page). Styles are only written when they change.
   */
  private place(): void {
    const win = this.doc.defaultView!;
    const sx = win.scrollX;
    const sy = win.scrollY;
    const now = Date.now();
    const plan: { m: Mounted; r?: DOMRect }[] = [];
    for (const m of this.badges.values()) {
      const r = m.visible && m.el.isConnected ? m.el.getBoundingClientRect() : undefined;
      plan.push({ m, r: r && r.width >= 2 && r.height >= 2 ? r : undefined });
    }
    for (const { m, r } of plan) {
      const at = r ? { display: 'block', top: `${r.top + sy + INSET}px`, left: `${r.left + sx + INSET}px` } : { ...m.at, display: 'none' };
      if (at.display !== m.at.display) {
        m.at = at;
        this.writeHost(m);
      } else if (at.top !== m.at.top || at.left !== m.at.left) {
        // Only moved (a page that scrolls or grows moves hundreds at once): two properties, not the whole style re-parsed.
        m.at = at;
        m.host.style.setProperty('top', at.top, 'important');
        m.host.style.setProperty('left', at.left, 'important');
      }
      if (!r) continue;
      const lit = now < m.highlightUntil;
      setStyle(m.ring, 'display', lit ? 'block' : 'none');
      if (lit) {
        setStyle(m.ring, 'top', `${-INSET - 4}px`);
        setStyle(m.ring, 'left', `${-INSET - 4}px`);
        setStyle(m.ring, 'width', `${r.width}px`);
        setStyle(m.ring, 'height', `${r.height}px`);
      }
    }
    this.guard.takeRecords();
  }
}

function setStyle(el: HTMLElement, prop: 'display' | 'top' | 'left' | 'width' | 'height', value: string): void {
  if (el.style[prop] !== value) el.style[prop] = value;
}
