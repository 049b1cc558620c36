import { describe, expect, it } from 'vitest';
import { contentLoadWaitMs, contentRunAt, hostAccessPattern } from '../../lib/platform';

describe('platform differences', () => {
  it('injects the content script at document_end in Firefox, document_start in Chrome (it waits for DOMContentLoaded itself)', () => {
    expect(contentRunAt(true)).toBe('document_end');
    expect(contentRunAt(false)).toBe('document_start');
  });
  it('caps the wait for the load event only in Firefox', () => {
    expect(contentLoadWaitMs(true)).toBe(4000);
    expect(contentLoadWaitMs(false)).toBeUndefined();
  });
  it('asks for a host without its port (Firefox refuses ports in match patterns)', () => {
    expect(hostAccessPattern('http://127.0.0.1:36267/lists/known.jsonl')).toBe('http://127.0.0.1/*');
    expect(hostAccessPattern('https://lists.example.org/a.jsonl?x=1')).toBe('https://lists.example.org/*');
    expect(() => hostAccessPattern('not an address')).toThrow();
  });
});
