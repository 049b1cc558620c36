/**
 * The list scenario, shared by the Chromium suite (lists.spec.ts) and the Firefox suite: a list
 * built and signed with the CLI from a fixture video, served locally, and a page with an exact
 * copy, a re-encoded copy of the listed video and a re-encoded unlisted one.
 */
import { join } from 'node:path';
import { reencoded, signedList, type SignedList } from '../../support/media';
import { GENERATED } from '../../paths';
import { serveFile, type FixtureServer } from '../harness/server';

export const LIST_PATH = '/lists/known.jsonl';
const V = 'width="240" height="426" muted preload="metadata"';

/** Version 1 of the list (one entry) and the re-encoded copies the page shows. */
export async function knownListV1(): Promise<SignedList> {
  const v1 = await signedList('known-v1', ['pattern-hd-no-bar.mp4'], {
    sequence: 1,
    notes: 'Prompt: "a test pattern drifting"; published 2024-11-26',
    source: 'https://example.org/clips/pattern',
  });
  await reencoded('pattern-hd-no-bar.mp4', 'pattern-480p-crf35', ['-vf', 'scale=-2:480', '-crf', '35']);
  await reencoded('doorknob-hd-no-bar.mp4', 'doorknob-360p-crf30', ['-vf', 'scale=-2:360', '-crf', '30']);
  return v1;
}

const reencodedPath = (name: string) => join(GENERATED, 'copies', `${name}.mp4`);

/** Serves the list (whatever `current()` says at request time), its signature and the copies. */
export function mountListRoutes(server: FixtureServer, current: () => { bytes: Buffer; sig: Buffer }): void {
  server.route(LIST_PATH, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jsonl', 'cache-control': 'no-store' });
    res.end(current().bytes);
  });
  server.route(`${LIST_PATH}.sig`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end(current().sig);
  });
  server.route('/copies/pattern.mp4', (req, res) => serveFile(req, res, reencodedPath('pattern-480p-crf35')));
  server.route('/copies/doorknob.mp4', (req, res) => serveFile(req, res, reencodedPath('doorknob-360p-crf30')));
}

/** The page of copies under addresses unique to `q`; returns its URL. */
export function mountListsPage(server: FixtureServer, q: string): string {
  return server.html(
    `/p/lists-${q}.html`,
    `<!doctype html><html lang="en"><title>lists</title><body style="display:flex;gap:10px">
    <video id="exact" ${V} src="/pdq/pattern-hd-no-bar.mp4?${q}"></video>
    <video id="copy" ${V} src="/copies/pattern.mp4?${q}"></video>
    <video id="other" ${V} src="/copies/doorknob.mp4?${q}"></video>
    <video id="exact-small" ${V} src="/pdq/doorknob-hd-no-bar.mp4?${q}"></video></body></html>`,
  );
}

/**
 * With version 1 subscribed: the listed file itself and the re-encoded copy are listed, the other
 * video is not. The listed file is over 2 MB, so it is read in part (its structure and first
 * seconds of frames) and matches perceptually with all its frames; an exact SHA-256 match needs a
 * file read whole (see LISTED_EXACT_SMALL, a small file, listed from version 2 on).
 */
export const LISTED_EXACT = /^Listed: "pattern-hd-no-bar" in Known test clips, perceptual match 100% of frames/;
export const LISTED_EXACT_SMALL = /^Listed: "doorknob-hd-no-bar" in Known test clips, exact copy/;
export const LISTED_COPY = /perceptual match \d+% of frames/;
export const UNLISTED_COPY_HEADLINE = 'no-credentials';
