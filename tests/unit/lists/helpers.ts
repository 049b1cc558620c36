/** Shared test material for the list tests: real vPDQ fixtures, a seeded PRNG, bit flips. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PDQ_FIXTURES } from '../../paths';
import { parseVpdq } from '../../../lib/fingerprint/vpdq';
import type { FrameHash } from '../../../lib/verdict';
import type { ListEntry, HashList } from '../../../lib/lists/format';
import { mulberry32 } from '../../support/random';
export { mulberry32 };

export const VPDQ_DIR = join(PDQ_FIXTURES, 'vpdq-hashes');

export interface FixtureVideo {
  /** Path relative to vpdq-hashes, e.g. "upstream/chair-19-sd-bar.txt". */
  name: string;
  frames: FrameHash[];
}

/** Every vPDQ hash file under the fixtures, read in place. */
export function loadVpdqFixtures(): FixtureVideo[] {
  const out: FixtureVideo[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.txt')) out.push({ name: relative(VPDQ_DIR, p), frames: parseVpdq(readFileSync(p, 'utf8')) });
    }
  };
  walk(VPDQ_DIR);
  if (!out.length) throw new Error(`no vPDQ fixtures under ${VPDQ_DIR}`);
  return out;
}


/** The hex hash with exactly `d` distinct bits flipped. */
export function flipBits(hex: string, d: number, rand: () => number): string {
  const bits = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0; i < d; i++) {
    const j = i + Math.floor(rand() * (256 - i));
    [bits[i], bits[j]] = [bits[j], bits[i]];
  }
  const nibbles = hex.split('').map((c) => parseInt(c, 16));
  for (const b of bits.slice(0, d)) nibbles[b >> 2] ^= 1 << (b & 3);
  return nibbles.map((n) => n.toString(16)).join('');
}

/** Independent Hamming distance on hex (not the code under test). */
export function hexDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 64; i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}

export function entryFromFrames(id: string, frames: FrameHash[], extra: Partial<ListEntry> = {}): ListEntry {
  return {
    id,
    label: extra.label ?? id,
    source: '',
    notes: '',
    added: '2026-01-01',
    sha256: [],
    vpdq: frames.map((f) => [f.pdq, f.quality, Math.round(f.t * 1000) / 1000]),
    ...extra,
  };
}

export function header(name: string, sequence: number): HashList['header'] {
  return {
    format: 'provenance-lens-list',
    version: 1,
    name,
    publisher: 'Test Publisher',
    sequence,
    created: '2026-01-01T00:00:00.000Z',
    hashing: { algorithm: 'pdq', secondsPerHash: 1, qualityMin: 50 },
  };
}

export const SHA_A = 'a'.repeat(64);
export const SHA_B = '0123456789abcdef'.repeat(4);
export const PDQ_1 = 'd3d8981ba52c59e79fb49295bed80905036b1dbe57b292c8ea4fb525f52c420e';
export const PDQ_2 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
