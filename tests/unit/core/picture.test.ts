import { describe, expect, it } from 'vitest';
import { comparePicture } from '../../../lib/picture';
import { boundVerdict, decideVerdict, type C2paEvidence } from '../../../lib/verdict';
import { toolbarSummary } from '../../../lib/present';

const H = 'ab'.repeat(32);
/** Every bit of H flipped: another picture. */
const OTHER = '54'.repeat(32);

function flip(hex: string, bits: number): string {
  const b = Buffer.from(hex, 'hex');
  for (let i = 0; i < bits; i++) b[i >> 3] ^= 1 << (i & 7);
  return b.toString('hex');
}
const file = [0, 1, 2, 3].map((t) => ({ t, pdq: H, quality: 90 }));

describe('comparePicture: is the picture the file that was checked?', () => {
  it('the same frames at the same instants confirm it, within the match distance', () => {
    expect(comparePicture(file, [{ t: 0, pdq: flip(H, 20), quality: 90 }]).state).toBe('confirmed');
    expect(comparePicture(file, [{ t: 1.02, pdq: H, quality: 90 }, { t: 2.01, pdq: flip(H, 8), quality: 90 }]).state).toBe('confirmed');
  });
  it('another picture at an aligned instant is a mismatch (one frame is enough at t = 0)', () => {
    const r = comparePicture(file, [{ t: 0, pdq: OTHER, quality: 90 }]);
    expect(r.state).toBe('mismatch');
    expect(r.note).toMatch(/differ from every frame of the checked file \(by at least 256 of 256 bits\)/);
  });
  it('frames near but not at the file’s instants need two differing, and none agreeing, to be a mismatch', () => {
    expect(comparePicture(file, [{ t: 0.3, pdq: OTHER, quality: 90 }]).state).toBe('pending');
    expect(comparePicture(file, [{ t: 0.3, pdq: OTHER, quality: 90 }, { t: 1.3, pdq: OTHER, quality: 90 }]).state).toBe('mismatch');
    // Differences must outnumber agreement: a fake that borrows one real frame is still a mismatch.
    expect(comparePicture(file, [{ t: 0.3, pdq: OTHER, quality: 90 }, { t: 1.3, pdq: OTHER, quality: 90 }, { t: 2.0, pdq: H, quality: 90 }]).state).toBe('mismatch');
    // Another rendition or an offset clock (far from the frame at that instant, near another one) never differs.
    expect(comparePicture([{ t: 0, pdq: OTHER, quality: 90 }, { t: 1, pdq: flip(H, 40), quality: 90 }], [{ t: 0, pdq: H, quality: 90 }]).state).toBe('pending');
    expect(comparePicture(file, [{ t: 0.3, pdq: OTHER, quality: 90 }, { t: 1.0, pdq: H, quality: 90 }, { t: 2.0, pdq: H, quality: 90 }]).state).toBe('confirmed');
  });
  it("a stream whose clock does not start at 0: frames found at other instants confirm it, and never count as differing", () => {
    const shifted = [{ t: 10, pdq: H, quality: 90 }, { t: 11, pdq: flip(H, 6), quality: 90 }];
    expect(comparePicture([{ t: 0, pdq: OTHER, quality: 90 }, { t: 1, pdq: H, quality: 90 }], shifted).state).toBe('confirmed');
  });
  it('flat, low-detail frames are never compared: their bits follow noise', () => {
    expect(comparePicture(file, [{ t: 0, pdq: OTHER, quality: 12 }]).note).toMatch(/too little detail/);
    expect(comparePicture(file.map((f) => ({ ...f, quality: 12 })), [{ t: 0, pdq: OTHER, quality: 90 }]).state).toBe('pending');
  });
  it('in between (moving footage a little apart in time) is neither: pending', () => {
    expect(comparePicture(file, [{ t: 0.4, pdq: flip(H, 45), quality: 90 }]).state).toBe('pending');
  });
  it('nothing drawn, no file frames, or frames at other instants are pending, with the reason', () => {
    expect(comparePicture(file, []).note).toMatch(/shown no frame yet/);
    expect(comparePicture([], [{ t: 0, pdq: H, quality: 90 }]).note).toMatch(/no frames of the checked file/);
    expect(comparePicture(file, [{ t: 30, pdq: OTHER, quality: 90 }]).note).toMatch(/other instants/);
  });
});

describe('boundVerdict: vouching verdicts only over a confirmed picture', () => {
  const c2pa: C2paEvidence = { state: 'valid', trust: 'untrusted', signer: 'S', aiGenerated: false, digitalSourceTypes: [], actions: [], codes: [], failures: [] };
  const signed = decideVerdict({ source: 'https://x/a.mp4', c2pa, fingerprint: 'done' });
  const none = decideVerdict({ source: 'https://x/a.mp4', fingerprint: 'done', frames: file });
  const ai = decideVerdict({ source: 'https://x/a.mp4', c2pa: { ...c2pa, aiGenerated: true }, fingerprint: 'done' });

  it('Signed and None wait for the picture; AI is shown at once', () => {
    expect(boundVerdict(signed, { state: 'pending' }).headline).toBe('unconfirmed');
    expect(boundVerdict(none, { state: 'covered', note: 'something else is on top' }).summary).toMatch(/^Not confirmed yet: something else is on top\. The file at this address: No Content Credentials/);
    expect(boundVerdict(ai, { state: 'pending' }).headline).toBe('ai-declared');
    expect(boundVerdict(signed, { state: 'confirmed' }).headline).toBe('credentials-valid');
  });
  it('a mismatch overrides every file verdict, and keeps what the file said', () => {
    const v = boundVerdict(ai, { state: 'mismatch', note: '2 frames differ' });
    expect(v.headline).toBe('picture-mismatch');
    expect(v.fileHeadline).toBe('ai-declared');
    expect(v.summary).toMatch(/^The playing video is not the file that was checked: 2 frames differ/);
  });
  it('unreadable frames keep the headline and say so in words; streams are what was checked', () => {
    const v = boundVerdict(signed, { state: 'unreadable', note: 'another site without CORS' });
    expect(v.headline).toBe('credentials-valid');
    expect(v.summary).toMatch(/match between this file and the picture shown is unconfirmed: another site without CORS/);
    expect(boundVerdict(none, { state: 'stream' }).headline).toBe('no-credentials');
  });
});

describe('toolbarSummary: the most important verdict, not only a count', () => {
  it('names the most important headline first and counts every one in its title', () => {
    const t = toolbarSummary(['credentials-valid', 'listed', 'ai-declared', 'ai-declared', 'picture-mismatch']);
    expect(t.text).toBe('DIFF');
    expect(t.title).toMatch(/5 videos on this page — The playing video is not the file that was checked/);
    expect(t.title).toMatch(/2 AI-generated \(declared\)/);
    expect(toolbarSummary(['ai-declared', 'credentials-invalid']).text).toBe('AI');
    expect(toolbarSummary(['credentials-valid', 'no-credentials']).text).toBe('');
    expect(toolbarSummary([]).title).toBe('Provenance Lens');
  });
});
