/**
 * HLS streams laid out the way video.twimg.com serves them (../../../../../shared/sites/FACTS.md §4):
 * a master playlist with one video rung and (optionally) its own audio group, media playlists,
 * fMP4 init segments (`/vid/avc1/0/0/<W>x<H>/<k>.mp4`) and `.m4s` segments named by their start
 * and end in milliseconds. Made at test time with ffmpeg (`-f hls -hls_segment_type fmp4`) and
 * cached under .cache/generated/streams; nothing is committed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { C2PA_FIXTURES, GENERATED } from '../../../paths';
import type { ImitationServer } from './server';

const run = promisify(execFile);

export interface Track {
  init: string;
  segments: { file: string; duration: number }[];
  codec: string;
}

export interface Stream {
  width: number;
  height: number;
  video: Track;
  audio?: Track;
}

/** The codec string of an fMP4 init segment's first track (avc1.PPCCLL from avcC, or mp4a.40.2). */
export function codecOf(init: Buffer): string {
  const avcC = init.indexOf('avcC');
  if (avcC > 0) return `avc1.${init.subarray(avcC + 5, avcC + 8).toString('hex')}`;
  if (init.indexOf('mp4a') > 0) return 'mp4a.40.2';
  throw new Error('unknown codec in init segment');
}

function readTrack(dir: string, playlist: string): Track {
  const lines = readFileSync(join(dir, playlist), 'utf8').split('\n');
  const segments: Track['segments'] = [];
  let duration = 0;
  for (const l of lines) {
    if (l.startsWith('#EXTINF:')) duration = parseFloat(l.slice(8));
    else if (l && !l.startsWith('#')) segments.push({ file: join(dir, l.trim()), duration });
  }
  const init = join(dir, /#EXT-X-MAP:URI="([^"]+)"/.exec(lines.join('\n'))![1]);
  return { init, segments, codec: codecOf(readFileSync(init)) };
}

/** An fMP4 HLS copy of `input` re-encoded with `videoArgs` (2 s segments), with its audio as a separate rendition when it has one. */
export async function encodedStream(name: string, input: string, videoArgs: string[], withAudio = true): Promise<Stream> {
  const dir = join(GENERATED, 'streams', name);
  if (!existsSync(join(dir, 'done'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'v'), { recursive: true });
    const hls = (sub: string) => ['-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(dir, sub, 'seg%d.m4s'), join(dir, sub, 'index.m3u8')];
    await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', '0:v:0', ...videoArgs, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-an', ...hls('v')]);
    if (withAudio) {
      mkdirSync(join(dir, 'a'), { recursive: true });
      await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-vn', ...hls('a')]);
    }
    renameSync(join(dir, 'v', 'index.m3u8'), join(dir, 'v', 'video.m3u8'));
    if (withAudio) renameSync(join(dir, 'a', 'index.m3u8'), join(dir, 'a', 'audio.m3u8'));
    mkdirSync(join(dir, 'done'));
  }
  const video = readTrack(join(dir, 'v'), 'video.m3u8');
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', video.init]);
  const [width, height] = stdout.trim().split(',').map(Number);
  const audio = withAudio && existsSync(join(dir, 'a')) && readdirSync(join(dir, 'a')).includes('audio.m3u8') ? readTrack(join(dir, 'a'), 'audio.m3u8') : undefined;
  return { width, height, video, audio };
}

/** The c2pa-rs signed fragmented MP4 (init + one fragment), as a one-segment video-only stream: a "signed stream". */
export function signedStream(): Stream {
  const init = join(C2PA_FIXTURES, 'c2pa-rs__dashinit.mp4');
  return { width: 1920, height: 800, video: { init, segments: [{ file: join(C2PA_FIXTURES, 'c2pa-js__dash1.m4s'), duration: 1.8 }], codec: codecOf(readFileSync(init)) } };
}

export interface XMediaId {
  kind: 'amplify_video' | 'ext_tw_video';
  id: string;
}

/**
 * Serves `stream` on video.twimg.com under X's layout for `media`, with CORS as hls.js needs
 * (FACTS.md §5 [UNCERTAIN], assumed `*`). Returns the master playlist's address (with `?tag=`).
 */
export function mountXStream(web: ImitationServer, media: XMediaId, stream: Stream, key: string): string {
  const base = `/${media.kind}/${media.id}${media.kind === 'ext_tw_video' ? '/pu' : ''}`;
  const size = `${stream.width}x${stream.height}`;
  const host = 'video.twimg.com';
  const cors = { 'access-control-allow-origin': '*' };
  const segmentsOf = (track: Track, path: (s: number, e: number) => string) => {
    let t = 0;
    const lines: string[] = [];
    for (const s of track.segments) {
      const start = Math.round(t * 1000);
      t += s.duration;
      const end = Math.round(t * 1000);
      web.file(host, path(start, end), s.file, { cors: true });
      lines.push(`#EXTINF:${s.duration.toFixed(3)},`, path(start, end));
    }
    return lines;
  };
  const mediaPlaylist = (track: Track, initPath: string, segPath: (s: number, e: number) => string) => {
    web.file(host, initPath, track.init, { cors: true });
    const target = Math.ceil(Math.max(...track.segments.map((s) => s.duration)));
    return ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="${initPath}"`, ...segmentsOf(track, segPath), '#EXT-X-ENDLIST', ''].join('\n');
  };
  const videoPl = `${base}/pl/avc1/${size}/${key}v.m3u8`;
  web.text(host, videoPl, mediaPlaylist(stream.video, `${base}/vid/avc1/0/0/${size}/${key}.mp4`, (s, e) => `${base}/vid/avc1/${s}/${e}/${size}/${key}.m4s`), 'application/x-mpegURL', cors);
  const master = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  let audioAttr = '';
  if (stream.audio) {
    const audioPl = `${base}/pl/mp4a/128000/${key}a.m3u8`;
    web.text(host, audioPl, mediaPlaylist(stream.audio, `${base}/aud/mp4a/0/0/128000/${key}.mp4`, (s, e) => `${base}/aud/mp4a/${s}/${e}/128000/${key}.m4s`), 'application/x-mpegURL', cors);
    // As captured: NAME before TYPE, no DEFAULT, the rung's own audio group.
    master.push(`#EXT-X-MEDIA:NAME="Audio",TYPE=AUDIO,GROUP-ID="audio-128000",AUTOSELECT=YES,URI="${audioPl}"`);
    audioAttr = ',AUDIO="audio-128000"';
  }
  const codecs = [stream.audio?.codec, stream.video.codec].filter(Boolean).join(',');
  master.push(`#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1854959,BANDWIDTH=2447264,RESOLUTION=${size},CODECS="${codecs}"${audioAttr}`, videoPl, '');
  const masterPath = `${base}/pl/${key}.m3u8`;
  web.text(host, masterPath, master.join('\n'), 'application/x-mpegURL', cors);
  return `https://${host}${masterPath}?tag=14`;
}
