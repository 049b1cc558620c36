import { describe, expect, it } from 'vitest';
import { ALL_SITES, pageScriptMatches, siteLabel, sitePattern } from '../../../lib/sites/access';
import { LOCAL_TEST_HOSTS, MEDIA_HOSTS, STATIC_CONTENT_MATCHES, TRUST_HOSTS } from '../../../lib/hosts';

const notPages = [...STATIC_CONTENT_MATCHES, ...TRUST_HOSTS, ...MEDIA_HOSTS];

describe('which granted hosts get the content script', () => {
  it('only sites allowed for pages; a list host or media host granted for reading gets none', () => {
    const granted = [...STATIC_CONTENT_MATCHES, ...MEDIA_HOSTS, ...TRUST_HOSTS, 'https://lists.example.org/*', '*://*.news.example/*'];
    expect(pageScriptMatches(granted, ['*://*.news.example/*'], { notPages })).toEqual(['*://*.news.example/*']);
    expect(pageScriptMatches(granted, [], { notPages })).toEqual([]);
  });

  it('"every site" counts once granted; a recorded site whose permission was removed does not', () => {
    expect(pageScriptMatches([ALL_SITES, 'https://lists.example.org/*'], [ALL_SITES], { notPages })).toEqual([ALL_SITES]);
    expect(pageScriptMatches(['https://lists.example.org/*'], [ALL_SITES, '*://*.news.example/*'], { notPages })).toEqual([]);
  });

  it('the test build’s pre-granted local hosts are pages; media hosts never are, even if recorded', () => {
    expect(pageScriptMatches([...LOCAL_TEST_HOSTS, ...MEDIA_HOSTS], [...MEDIA_HOSTS], { notPages, preGrantedPages: LOCAL_TEST_HOSTS })).toEqual([...LOCAL_TEST_HOSTS]);
  });
});

describe('a site the user types', () => {
  it('becomes the host and its subdomains', () => {
    expect(sitePattern('example.com')).toBe('*://*.example.com/*');
    expect(sitePattern(' https://www.Example.com/watch?v=1 ')).toBe('*://*.example.com/*');
    expect(sitePattern('videos.example.co.uk/path')).toBe('*://*.videos.example.co.uk/*');
    expect(siteLabel('*://*.example.com/*')).toBe('example.com');
    expect(siteLabel(ALL_SITES)).toBe('every site');
  });

  it('refuses what is not a hostname', () => {
    for (const s of ['', 'not a site', 'ftp://example.com', 'file:///etc/passwd', '*.example.com', 'exa_mple.com', 'com']) expect(sitePattern(s), s).toBeUndefined();
  });
});
