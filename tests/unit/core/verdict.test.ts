import { describe, expect, it } from 'vitest';
import { decideVerdict, toReport, type C2paEvidence, type ListMatch } from '../../../lib/verdict';
import { accessibleName, LOOK, missingBadgesWords } from '../../../lib/present';
import { describeSourceType, isAiSourceType, sourceTypeTerm } from '../../../lib/c2pa/ai';

const c2pa = (over: Partial<C2paEvidence>): C2paEvidence => ({
  state: 'valid',
  trust: 'untrusted',
  aiGenerated: false,
  digitalSourceTypes: [],
  actions: [],
  codes: [],
  failures: [],
  signer: 'Signer Org',
  ...over,
});
const match: ListMatch = { list: 'l', listName: 'Leaked clips', entry: 'e1', label: 'clip one', kind: 'perceptual', queryPct: 90, targetPct: 40 };

describe('decideVerdict: headline priority', () => {
  it('valid AI declaration beats a list match', () => {
    const v = decideVerdict({ source: 's', c2pa: c2pa({ aiGenerated: true, generator: 'OpenAI Sora' }), matches: [match] });
    expect(v.headline).toBe('ai-declared');
    expect(v.summary).toContain('OpenAI Sora');
  });
  it('an AI claim in invalid credentials is not an AI declaration', () => {
    const v = decideVerdict({ source: 's', c2pa: c2pa({ state: 'invalid', aiGenerated: true, failures: [{ code: 'claimSignature.mismatch' }] }) });
    expect(v.headline).toBe('credentials-invalid');
    expect(v.summary).toMatch(/cannot be relied on/);
  });
  it('listed beats trusted, valid, invalid and none', () => {
    for (const state of ['trusted', 'valid', 'invalid', 'absent'] as const) {
      expect(decideVerdict({ source: 's', c2pa: c2pa({ state }), matches: [match] }).headline).toBe('listed');
    }
    expect(decideVerdict({ source: 's', matches: [match] }).summary).toContain('clip one');
  });
  it('trusted, valid, invalid, none in order', () => {
    expect(decideVerdict({ source: 's', c2pa: c2pa({ state: 'trusted', trust: 'trusted' }) }).headline).toBe('credentials-trusted');
    expect(decideVerdict({ source: 's', c2pa: c2pa({}) }).headline).toBe('credentials-valid');
    expect(decideVerdict({ source: 's', c2pa: c2pa({ state: 'invalid' }) }).headline).toBe('credentials-invalid');
    expect(decideVerdict({ source: 's', c2pa: c2pa({ state: 'absent' }) }).headline).toBe('no-credentials');
  });
  it('says trust is unknown until trust lists are loaded', () => {
    expect(decideVerdict({ source: 's', c2pa: c2pa({ trust: 'unknown' }) }).summary).toMatch(/trust lists not loaded/);
  });
  it('unavailable and error carry their reason', () => {
    const u = decideVerdict({ source: 's', unavailable: 'the server answered 404' });
    expect(u.headline).toBe('unavailable');
    expect(u.reason).toBe('the server answered 404');
    const e = decideVerdict({ source: 's', mediaError: "box 'mdat' declares an impossible size" });
    expect(e.headline).toBe('error');
    expect(e.summary).toContain('impossible size');
    expect(decideVerdict({ source: 's', c2pa: c2pa({ state: 'error', error: 'malformed' }) }).headline).toBe('error');
  });
  it('no credentials says absence is not evidence of authenticity', () => {
    expect(decideVerdict({ source: 's' }).summary).toMatch(/says nothing about whether the video is authentic/);
  });
  it('checking while the first stage has not arrived', () => {
    expect(decideVerdict({ source: 's', checking: true }).headline).toBe('checking');
  });
});

describe('report and words', () => {
  it('the CLI JSON has the documented fields', () => {
    const v = decideVerdict({ source: 'a.mp4', sha256: 'ab', c2pa: c2pa({}), frames: [{ t: 0, pdq: '0'.repeat(64), quality: 80, frame: 0 }] });
    const r = toReport(v);
    expect(Object.keys(r)).toEqual(['source', 'verdict', 'c2pa', 'sha256', 'bytes', 'matches', 'frames', 'fingerprint', 'checkedAt']);
    expect(r.verdict).toEqual({ headline: 'credentials-valid', summary: v.summary });
    expect(r.frames).toEqual([{ t: 0, pdq: '0'.repeat(64), quality: 80 }]);
  });
  it('the popup says why videos have no badges: the setting, the page or one of its frames', () => {
    const allows = { pageAllowsBadges: true };
    const optsOut = { pageAllowsBadges: false };
    expect(missingBadgesWords([allows], true)).toBeUndefined();
    expect(missingBadgesWords([], false)).toBeUndefined();
    expect(missingBadgesWords([allows, optsOut], false)).toMatch(/^Badges are off/);
    expect(missingBadgesWords([optsOut], true)).toMatch(/^This page asks extensions not to draw on it/);
    expect(missingBadgesWords([allows, optsOut], true)).toMatch(/^Part of this page \(a frame\)/);
  });
  it('every headline has a distinct word, icon and colour', () => {
    const looks = Object.values(LOOK);
    for (const k of ['word', 'icon', 'color'] as const) expect(new Set(looks.map((l) => l[k])).size).toBe(looks.length);
  });
  it('accessible names state the headline with its key evidence', () => {
    expect(accessibleName(decideVerdict({ source: 's', c2pa: c2pa({ aiGenerated: true, generator: 'OpenAI Sora', signer: 'OpenAI' }) }))).toBe(
      'AI-generated: declared by OpenAI Sora, signed by a certificate that names itself “OpenAI”',
    );
    // A home-made CA's certificate may say anything: it reads as a claim, never as an identity.
    const reuters = decideVerdict({ source: 's', c2pa: c2pa({ signer: 'Reuters News Agency', trust: 'untrusted' }) });
    expect(reuters.summary).toMatch(/^Valid Content Credentials signed by a certificate that names itself “Reuters News Agency” \(not on any configured trust list\)/);
    expect(accessibleName(reuters)).toBe('Content Credentials valid: signed by a certificate that names itself “Reuters News Agency”, not on a trust list');
    const trusted = decideVerdict({ source: 's', c2pa: c2pa({ state: 'trusted', trust: 'trusted', signer: 'Reuters News Agency', trustList: 'the C2PA trust list' }) });
    expect(trusted.summary).toMatch(/^Valid Content Credentials signed by Reuters News Agency \(trusted via the C2PA trust list\)/);
    expect(accessibleName(trusted)).toMatch(/^Content Credentials valid and trusted: signed by Reuters News Agency \(trusted via the C2PA trust list\)/);
    // Bidi controls never reach a badge; look-alike letters are flagged.
    const spoof = accessibleName(decideVerdict({ source: 's', c2pa: c2pa({ signer: 'Reut\u0435rs\u202e gro.', trust: 'untrusted' }) }));
    expect(spoof).not.toMatch(/\u202e/);
    expect(spoof).toMatch(/warning: the name mixes Latin with Cyrillic or Greek letters/);
    expect(accessibleName(decideVerdict({ source: 's', matches: [match] }))).toMatch(/^Listed: "clip one" in Leaked clips, perceptual match 90% of frames/);
  });
});

describe('AI digital source types', () => {
  it('maps IPTC terms, URIs and unknown values', () => {
    expect(isAiSourceType('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia')).toBe(true);
    expect(isAiSourceType('https://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia/')).toBe(true);
    expect(isAiSourceType('algorithmicMedia')).toBe(true);
    expect(isAiSourceType('compositeSynthetic')).toBe(true);
    expect(isAiSourceType('digitalCapture')).toBe(false);
    expect(isAiSourceType('algorithmicallyEnhanced')).toBe(false);
    expect(isAiSourceType('somethingNew')).toBe(false);
    expect(sourceTypeTerm('http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture')).toBe('digitalCapture');
    expect(describeSourceType('trainedAlgorithmicMedia').words).toMatch(/trained AI model/);
  });
});

describe('listed from sampled frames while the file could not be read', () => {
  it('does not claim the video carries no credentials', () => {
    const v = decideVerdict({ source: 'blob:x', unavailable: 'the page plays this video from memory', matches: [{ list: 'l', listName: 'L', entry: 'e', label: 'clip', kind: 'perceptual', queryPct: 80, targetPct: 50 }] });
    expect(v.headline).toBe('listed');
    expect(v.summary).toMatch(/Content Credentials could not be read \(the page plays this video from memory\)/);
    expect(v.summary).not.toMatch(/carries no Content Credentials/);
  });
});
