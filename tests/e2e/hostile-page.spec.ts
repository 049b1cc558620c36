/**
 * A hostile page against its own badges (issue 10, first part): it cannot hide a video behind
 * hundreds of empty ones or inside a closed shadow root, cannot pass a stream off as the file
 * its `src` names, and cannot read verdicts back from the badges' geometry.
 */
import { test, expect, fresh } from './harness/extension';
import { badgeFor, readBadges } from './harness/badges';

const V = 'width="320" height="180" muted preload="metadata"';

test('501 empty videos do not hide a real one: the frame report is truncated, the real video still gets its verdict', async ({ ext, server }) => {
  const q = fresh();
  const empties = Array.from({ length: 501 }, () => '<video width="2" height="2"></video>').join('');
  const page = await ext.context.newPage();
  await page.goto(server.html(`/p/decoys-${q}.html`, `<!doctype html><title>decoys</title><video id="real" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video><div>${empties}</div>`));
  await expect.poll(async () => (await badgeFor(page, '#real'))?.headline, { timeout: 45_000 }).toBe('credentials-valid');
  await page.close();
});

test('a video alone in a closed shadow root is found and checked', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/closed-${q}.html`,
      `<!doctype html><title>closed</title><div id="host"></div><script>
        document.getElementById('host').attachShadow({ mode: 'closed' }).innerHTML = '<video ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>';
      </script>`,
    ),
  );
  await expect.poll(async () => (await readBadges(page)).map((b) => b.headline), { timeout: 45_000 }).toEqual(['no-credentials']);
  await page.close();
});

test('a stream played through srcObject is treated as a stream, never as the signed file its src names', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/stream-${q}.html`,
      `<!doctype html><title>stream</title>
      <video id="source" width="160" height="90" muted autoplay loop src="/c2pa/c2pa-rs__video1_no_manifest.mp4?s&${q}"></video>
      <video id="shown" ${V} muted autoplay src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <script>
        const s = document.getElementById('source');
        s.addEventListener('playing', () => { document.getElementById('shown').srcObject = s.captureStream(); }, { once: true });
      </script>`,
    ),
  );
  // Whatever was checked first, the badge ends on what plays: a stream, not "Signed".
  await expect.poll(async () => (await badgeFor(page, '#shown'))?.headline, { timeout: 45_000 }).toBe('unavailable');
  expect((await badgeFor(page, '#shown'))!.label).toMatch(/stream it makes itself \(srcObject\)/);
  await page.close();
});

test('no oracle: badges have the same geometry whatever their verdict, as a page hit-testing them sees it', async ({ ext, server }) => {
  const q = fresh();
  const page = await ext.context.newPage();
  await page.goto(
    server.html(
      `/p/oracle-${q}.html`,
      `<!doctype html><title>oracle</title><style>video{display:block;margin:20px}</style>
      <video id="a" ${V} src="/c2pa/c2pa-rs__video1.mp4?${q}"></video>
      <video id="b" ${V} src="/c2pa/c2pa-rs__video1_no_manifest.mp4?${q}"></video>
      <video id="c" ${V} src="/c2pa/no-such-file.mp4?${q}"></video>`,
    ),
  );
  for (const id of ['#a', '#b', '#c']) await expect.poll(async () => (await badgeFor(page, id))?.headline ?? 'checking', { timeout: 45_000 }).not.toBe('checking');
  // What a page can measure: where elementFromPoint lands on a badge host, across and down from the video's corner.
  const extents = await page.evaluate(() =>
    ['a', 'b', 'c'].map((id) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      const hit = (x: number, y: number) => document.elementFromPoint(x, y)?.localName === 'provenance-lens-badge';
      let w = 0;
      let h = 0;
      for (let x = 0; x < 200; x++) if (hit(r.left + x, r.top + 12)) w++;
      for (let y = 0; y < 60; y++) if (hit(r.left + 30, r.top + y)) h++;
      return { w, h };
    }),
  );
  expect(new Set((await readBadges(page)).map((b) => b.headline)).size).toBe(3);
  expect(extents[0].w).toBeGreaterThan(50);
  expect(extents[1]).toEqual(extents[0]);
  expect(extents[2]).toEqual(extents[0]);
  await page.close();
});
