/**
 * Re-posted copies made at test time with ffmpeg, for the matching tests and `npm run bench --
 * matching`: several kinds of moving footage, the edits people make when they re-post a clip
 * (cut at any instant, excerpt, meme frame, speed, rotation, compilation, picture-in-picture,
 * caption strip, corner logo), and a negative corpus of unrelated clips (including near
 * negatives: the same generator with other parameters). Everything is cached under
 * .cache/generated/reposts/ (made once, atomically renamed into place).
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GENERATED, PDQ_FIXTURES } from '../../../paths';
import { mulberry32 } from '../../../support/random';
import { probeVideo } from '../../../../lib/fingerprint/ffmpeg';
import { samplePath } from './media';

const run = promisify(execFile);
export const REPOSTS_DIR = join(GENERATED, 'reposts');
export const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const ENCODE = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-pix_fmt', 'yuv420p', '-an'];

/** Moving footage to list: generated patterns and a cut of real camera footage. */
export const FOOTAGE: Record<string, { input: string[]; about: string }> = {
  camera: { input: ['-ss', '3', '-t', '8', '-i', samplePath('chair-orig-22-sd-bar')], about: 'real camera footage with bars (chair-orig-22, 3-11 s)' },
  pattern: { input: ['-i', samplePath('pattern-hd-no-bar'), '-vf', 'scale=360:-2'], about: 'real fast-moving pattern footage (pattern-hd-no-bar, 360 wide)' },
  synthetic: { input: ['-f', 'lavfi', '-i', 'testsrc2=size=480x270:rate=30:duration=8'], about: 'ffmpeg testsrc2 (moving test card)' },
  fractal: { input: ['-f', 'lavfi', '-i', 'mandelbrot=size=480x270:rate=30:start_scale=2:end_scale=0.05:end_pts=60,trim=duration=8'], about: 'ffmpeg mandelbrot (continuous zoom)' },
};

/** Footage that is none of the listed ones, to fill compilations and picture-in-picture. */
const OTHER = ['-f', 'lavfi', '-i', 'cellauto=size=480x270:rate=30:rule=110:random_seed=5:scroll=1,hue=H=t/2:s=2,trim=duration=12'];

export type Expectation = 'match' | 'limit';

/** What a copy of `kind` made with `edit` is expected to do. */
export const expectation = (kind: string, edit: string): Expectation => (REPOST_EDITS[edit].limitOn?.includes(kind) ? 'limit' : REPOST_EDITS[edit].expect);

export interface RepostEdit {
  /** ffmpeg arguments after the inputs (source is input 0, OTHER input 1 when `other`). */
  args: (w: number, h: number) => string[];
  other?: boolean;
  /** `limit`: a documented limit, reported but not required to match. */
  expect: Expectation;
  /** Footage kinds on which this edit is a documented limit even though it matches elsewhere. */
  limitOn?: string[];
  /** For a compilation: seconds of the copy where the listed clip sits. */
  segment?: [number, number];
  about: string;
}

const text = (t: string, y: string, colour: string, size = 'h/16') => `drawtext=fontfile=${FONT}:text='${t}':fontsize=${size}:fontcolor=${colour}:x=(w-tw)/2:y=${y}`;

export const REPOST_EDITS: Record<string, RepostEdit> = {
  'cut-at-0.37s': { args: () => ['-ss', '0.37'], expect: 'match', about: 'the first 0.37 s cut (an arbitrary instant)' },
  'cut-at-1.6s': { args: () => ['-ss', '1.6'], expect: 'match', about: 'the first 1.6 s cut' },
  'excerpt-3s': { args: () => ['-ss', '2.43', '-t', '3'], expect: 'match', about: 'a 3 s excerpt from 2.43 s' },
  'speed+10%': { args: () => ['-vf', 'setpts=PTS/1.1,fps=30'], expect: 'match', about: '10 % faster' },
  'speed-10%': { args: () => ['-vf', 'setpts=PTS/0.9,fps=30'], expect: 'match', about: '10 % slower' },
  rotate90: { args: () => ['-vf', 'transpose=1'], expect: 'match', about: 'turned 90° clockwise (a phone re-post)' },
  rotate180: { args: () => ['-vf', 'hflip,vflip'], expect: 'match', about: 'turned 180°' },
  rotate270: { args: () => ['-vf', 'transpose=2'], expect: 'match', about: 'turned 90° anticlockwise' },
  meme: {
    // The video at 80 % inside a white frame with a text bar above and below (20 % of the height each).
    args: () => ['-vf', `scale=trunc(iw*0.8/2)*2:-2,pad=trunc(iw*1.25/2)*2:trunc(ih*1.66/2)*2:(ow-iw)/2:(oh-ih)/2:color=white,${text('WHEN THE CLIP', 'h*0.07', 'black', 'h/12')},${text('HITS JUST RIGHT', 'h*0.86', 'black', 'h/12')}`],
    expect: 'match',
    about: 'meme frame: shrunk to 80 % in white bars with black text above and below',
  },
  'meme-black': {
    args: () => ['-vf', `scale=trunc(iw*0.8/2)*2:-2,pad=iw:trunc(ih*1.5/2)*2:0:(oh-ih)/2:color=black,${text('me watching this', 'h*0.06', 'white')},${text('for the 10th time', 'h*0.88', 'white')}`],
    expect: 'match',
    about: 'meme frame: black bars with white text above and below',
  },
  compilation: {
    other: true,
    args: (w, h) => [
      '-filter_complex',
      `[1]trim=0:4,setpts=PTS-STARTPTS,scale=${w}:${h},setsar=1,fps=30[a];[0]trim=1.5:5.5,setpts=PTS-STARTPTS,setsar=1,fps=30[b];[1]trim=4:8,setpts=PTS-STARTPTS,scale=${w}:${h},setsar=1,fps=30[c];[a][b][c]concat=n=3:v=1:a=0`,
    ],
    expect: 'match',
    segment: [4, 8],
    about: '4 s of other footage, 4 s of the clip (1.5-5.5 s), 4 s of other footage',
  },
  caption: {
    args: () => ['-vf', `drawtext=fontfile=${FONT}:text='Subscribe for more':fontsize=h/16:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=(w-tw)/2:y=h-th-h/10`],
    expect: 'match',
    about: 'caption strip (text on a translucent box) near the bottom',
  },
  logo: {
    args: () => ['-vf', `drawbox=x=iw*0.8:y=ih*0.04:w=iw*0.16:h=ih*0.1:color=white@0.85:t=fill,drawtext=fontfile=${FONT}:text='TV':fontsize=h/14:fontcolor=red:x=w*0.85:y=h*0.055`],
    expect: 'match',
    about: 'corner logo (top right, 16 % × 10 %)',
  },
  'picture-in-picture': {
    other: true,
    args: (w, h) => ['-filter_complex', `[1]scale=${w}:${h},setsar=1[bg];[0]scale=trunc(iw*0.6/2)*2:-2,setsar=1[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2:shortest=1`],
    expect: 'match',
    about: 'the clip at 60 % over other footage (reaction video)',
  },
  'pip-50-corner': {
    other: true,
    args: (w, h) => ['-filter_complex', `[1]scale=${w}:${h},setsar=1,hue=H=2+t:s=1.5[bg];[0]scale=trunc(iw*0.5/2)*2:-2,setsar=1[fg];[bg][fg]overlay=x=W*0.07:y=H*0.1:shortest=1`],
    expect: 'match',
    about: 'the clip at 50 % over other footage, off centre (top left)',
  },
};

async function ffmpeg(out: string, args: string[]): Promise<string> {
  if (existsSync(out)) return out;
  mkdirSync(REPOSTS_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  try {
    await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, ...ENCODE, tmp], { timeout: 300_000 });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

/** The listed video of a footage kind. */
export function ensureFootage(kind: string): Promise<string> {
  return ffmpeg(join(REPOSTS_DIR, `${kind}.mp4`), [...FOOTAGE[kind].input, '-r', '30']);
}

/** A re-posted copy of a footage kind. */
export async function ensureRepost(kind: string, edit: string): Promise<string> {
  const out = join(REPOSTS_DIR, `${kind}.${edit.replace(/[^\w.-]/g, '_')}.mp4`);
  if (existsSync(out)) return out;
  const source = await ensureFootage(kind);
  const { width, height } = await probeVideo(source);
  const e = REPOST_EDITS[edit];
  const seek = e.args(width, height);
  // -ss/-t before the output re-encode cut exactly at the instant asked (decoded, not key-frame).
  return ffmpeg(out, ['-i', source, ...(e.other ? OTHER : []), ...seek]);
}

/**
 * Generator clips for the negative corpus: `count` clips of `seconds` s, varied content from
 * several lavfi sources whose parameters are drawn from a seeded PRNG (so the corpus is the
 * same every run). The same generators as the listed footage appear with other parameters
 * (near negatives: other Mandelbrot regions, other automata, other test-card timings are NOT
 * used since testsrc2 draws the same card whatever its parameters).
 */
const PHOTOS = ['labelme-subset/q0003.jpg', 'labelme-subset/q0004.jpg', 'labelme-subset/q0122.jpg', 'labelme-subset/q0291.jpg', 'labelme-subset/q0746.jpg', 'dih/bridge-1-original.jpg'].map((f) => join(PDQ_FIXTURES, 'images', f));

export function negativeSpecs(count: number, seed = 11): { name: string; kind: string; lavfi: string }[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const num = (a: number, b: number, digits = 3) => (a + rand() * (b - a)).toFixed(digits);
  const size = () => pick(['320x180', '360x240', '320x320', '240x320']);
  const makers: (() => string)[] = [
    // Near negatives for `fractal`: the same zoom, elsewhere in the set.
    () => `mandelbrot=size=${size()}:rate=30:start_x=${num(-1.9, 0.4, 6)}:start_y=${num(-1, 1, 6)}:start_scale=${num(0.5, 3)}:end_scale=${num(0.01, 0.3)}:end_pts=${Math.round(20 + rand() * 60)}:outer=${pick(['iteration_count', 'normalized_iteration_count', 'white'])}`,
    () => `life=size=${size()}:rate=30:seed=${Math.floor(rand() * 1e6)}:ratio=${num(0.1, 0.6)}:mold=${Math.floor(rand() * 40)}:life_color=#${Math.floor(rand() * 0xffffff).toString(16).padStart(6, '0')}:death_color=#${Math.floor(rand() * 0xffffff).toString(16).padStart(6, '0')}`,
    () => `cellauto=size=${size()}:rate=30:rule=${Math.floor(rand() * 256)}:random_seed=${Math.floor(rand() * 1e6)}:random_fill_ratio=${num(0.2, 0.8)}:scroll=${pick([0, 1])}`,
    () => `gradients=size=${size()}:rate=30:seed=${Math.floor(rand() * 1e6)}:speed=${num(0.005, 0.05)}:n=${2 + Math.floor(rand() * 6)}:type=${pick(['linear', 'radial', 'circular', 'spiral'])}`,
    () => `sierpinski=size=${size()}:rate=30:seed=${Math.floor(rand() * 1e6)}:jump=${1 + Math.floor(rand() * 100)}:type=${pick(['carpet', 'triangle'])}`,
    () => `mptestsrc=rate=30:test=${pick(['dc_luma', 'dc_chroma', 'freq_luma', 'freq_chroma', 'amp_luma', 'amp_chroma', 'cbp', 'mv', 'ring1', 'ring2'])},scale=${size().replace('x', ':')}`,
    // Smooth moving pictures from a formula: a different pattern per clip.
    () => {
      const [a, b, c] = [num(0.01, 0.1), num(0.01, 0.1), num(0.5, 4)];
      return `nullsrc=size=${size()}:rate=30,geq=lum='128+100*sin(${a}*X+${c}*T)*cos(${b}*Y-${num(0.2, 2)}*T)':cb=128+${Math.round(rand() * 60 - 30)}:cr=128+${Math.round(rand() * 60 - 30)}`;
    },
    // Near negatives for `camera`: real photographs, slowly panned and zoomed (camera-like motion).
    () => {
      const [z, dx, dy] = [num(0.0005, 0.004, 4), num(-1, 1, 2), num(-1, 1, 2)];
      return `movie=${pick(PHOTOS)},scale=720:-2,zoompan=z='1.1+${z}*on':x='iw/2-iw/zoom/2+${dx}*on':y='ih/2-ih/zoom/2+${dy}*on':d=90:fps=30:s=${size()}`;
    },
    // Near negatives for `camera`: other real footage (the doorknob sample), cut, cropped and scaled at random.
    () => `movie=${samplePath('doorknob-hd-no-bar')}:seek_point=${num(0, 1.2, 2)},crop=iw*${num(0.5, 1, 2)}:ih*${num(0.5, 1, 2)},scale=${size().replace('x', ':')},fps=30`,
    // Near negatives for picture-in-picture: another generated clip shown over the same background as the copies.
    () => {
      const inner = makers[Math.floor(rand() * 7)]().replace(/size=\d+x\d+/, 'size=240x136');
      return `cellauto=size=480x270:rate=30:rule=110:random_seed=${Math.floor(rand() * 1e6)}:scroll=1,hue=H=t/2:s=2[bg];${inner},scale=${pick(['240:136', '288:162', '320:180'])},setsar=1[fg];[bg][fg]overlay=x=${Math.round(rand() * 150)}:y=${Math.round(rand() * 80)}:shortest=1`;
    },
  ];
  const kinds = ['mandelbrot', 'life', 'cellauto', 'gradients', 'sierpinski', 'mptestsrc', 'formula', 'photo-pan', 'doorknob', 'pip-over-cellauto'];
  return Array.from({ length: count }, (_, i) => ({ name: `neg-${seed}-${i}`, kind: kinds[i % makers.length], lavfi: `${makers[i % makers.length]()},trim=duration=${3}` }));
}

/** Makes (once) the negative clips, two ffmpeg processes at a time; returns their paths. */
export async function ensureNegatives(specs: { name: string; lavfi: string }[]): Promise<string[]> {
  const out: string[] = new Array(specs.length);
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const i = next++;
      // Named by the spec itself, so a changed generator never reuses a stale clip.
      const key = createHash('sha256').update(specs[i].lavfi).digest('hex').slice(0, 10);
      out[i] = await ffmpeg(join(REPOSTS_DIR, 'negatives', `${specs[i].name}-${key}.mp4`), ['-f', 'lavfi', '-i', specs[i].lavfi]).catch((e) => {
        throw new Error(`negative clip ${specs[i].name} (${specs[i].lavfi}): ${(e as Error).message}`);
      });
    }
  };
  mkdirSync(join(REPOSTS_DIR, 'negatives'), { recursive: true });
  await Promise.all([worker(), worker()]);
  return out;
}
