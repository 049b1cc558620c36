import { describe, expect, it } from 'vitest';
import { canHostShadowRoot } from '../../../lib/content/spotter';

describe('canHostShadowRoot: the elements the scan asks about shadow roots', () => {
  it('every valid shadow host name of the DOM standard, and any custom element', () => {
    const hosts = ['article', 'aside', 'blockquote', 'body', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'main', 'nav', 'p', 'section', 'span'];
    for (const name of [...hosts, 'x-player', 'my-video-card', 'a-']) expect(canHostShadowRoot(name), name).toBe(true);
  });

  it('not the elements attachShadow refuses (NotSupportedError), which are most of a page', () => {
    for (const name of ['a', 'li', 'ul', 'img', 'b', 'i', 'td', 'tr', 'button', 'input', 'video', 'source', 'html', 'head', 'svg', 'path', 'template', 'iframe']) expect(canHostShadowRoot(name), name).toBe(false);
  });
});
