/**
 * Is a video what the user sees at its own area? (issue 10) A page can paint something else on
 * top of a checked video — a canvas with a fake, a second video moved over it with `translate`, a
 * fake video in a closed shadow root — so that the checked video's badge seems to vouch for the
 * cover. Before a verdict vouches, the content script asks the browser what is on top at several
 * points of the video (`elementsFromPoint`, looking inside shadow roots, closed ones included).
 *
 * Controls, gradients at the edges and a play button over the centre are how real players look;
 * only something painted over most of the video counts: a majority of the points.
 * Not seen: a cover with `pointer-events: none` (hit testing skips it) — SECURITY.md says so.
 */

/** Points as fractions of the video's box: the centre and four inner points away from control bars. */
const POINTS: readonly [number, number][] = [
  [0.5, 0.5],
  [0.3, 0.3],
  [0.7, 0.3],
  [0.3, 0.65],
  [0.7, 0.65],
];
const PAINTERS = new Set(['video', 'canvas', 'img', 'iframe', 'object', 'embed', 'picture']);

export type ShadowRootOf = (el: Element) => ShadowRoot | null;

export function isCovered(video: HTMLVideoElement, shadowRootOf: ShadowRootOf = (e) => e.shadowRoot, isOurs: (el: Element) => boolean = () => false): boolean {
  const doc = video.ownerDocument;
  const win = doc.defaultView;
  if (!win) return false;
  const r = video.getBoundingClientRect();
  if (r.width < 8 || r.height < 8) return false;
  let tested = 0;
  let covered = 0;
  for (const [fx, fy] of POINTS) {
    const x = r.left + r.width * fx;
    const y = r.top + r.height * fy;
    if (x < 0 || y < 0 || x >= win.innerWidth || y >= win.innerHeight) continue; // off screen: nothing to hit-test
    tested++;
    if (paintedAbove(doc, x, y, video, shadowRootOf, isOurs, 0)) covered++;
  }
  return tested > 0 && covered * 2 > tested;
}

/** Whether something that paints a picture lies above `video` at (x, y) in `scope`. */
function paintedAbove(scope: Document | ShadowRoot, x: number, y: number, video: HTMLVideoElement, shadowRootOf: ShadowRootOf, isOurs: (el: Element) => boolean, depth: number): boolean {
  for (const el of scope.elementsFromPoint(x, y)) {
    if (el === video || el.contains(video) || containsAcrossShadow(el, video)) return false; // reached the video (or what holds it): the rest is below
    if (isOurs(el)) continue;
    if (paints(el)) return true;
    const inner = depth < 4 ? shadowRootOf(el) : null;
    if (inner && paintedAbove(inner, x, y, video, shadowRootOf, isOurs, depth + 1)) return true;
  }
  return false;
}

function containsAcrossShadow(el: Element, video: Element): boolean {
  for (let n: Node | null = video; n; n = n.parentNode ?? (n as ShadowRoot).host ?? null) if (n === el) return true;
  return false;
}

function paints(el: Element): boolean {
  const style = el.ownerDocument.defaultView?.getComputedStyle(el);
  if (style && (style.visibility === 'hidden' || Number(style.opacity) < 0.1)) return false;
  if (PAINTERS.has(el.localName)) return true;
  if (!style) return false;
  if (style.backgroundImage && style.backgroundImage !== 'none') return true;
  return alpha(style.backgroundColor) >= 0.9;
}

function alpha(color: string): number {
  const m = /rgba?\(([^)]+)\)/.exec(color);
  if (!m) return color === 'transparent' ? 0 : 1;
  const parts = m[1].split(/[ ,/]+/).filter(Boolean);
  return parts.length >= 4 ? Number(parts[3]) : 1;
}
