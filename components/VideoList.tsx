import type { TabVideo } from '../lib/messages';
import { LOOK } from '../lib/present';
import { refSource } from '../lib/media/ref';
import { HeadlineChip } from './HeadlineChip';
import { VerdictCard } from './VerdictCard';
import { AddToMyList } from './AddToMyList';

/** Every video of the tab (all frames) with its headline; "Show on page" scrolls to it. */
export function VideoList({ videos, onReveal, onCheck }: { videos: TabVideo[]; onReveal: (v: TabVideo) => void; onCheck?: (v: TabVideo) => void }) {
  if (!videos.length) return <p class="pl-empty">No videos found on this page.</p>;
  return (
    <ul class="pl-videos">
      {videos.map((v, i) => {
        const headline = v.verdict?.headline ?? 'checking';
        return (
          <li key={`${v.frameId}:${v.videoId}`} class="pl-video" data-headline={headline} data-key={v.key}>
            <div class="pl-video-head">
              <HeadlineChip headline={headline} />
              <span class="pl-video-name" title={refSource(v.ref)}>
                {shortName(refSource(v.ref))}
              </span>
              {onCheck && (headline === 'not-checked' || headline === 'unavailable') ? (
                <button type="button" class="pl-check" onClick={() => onCheck(v)} aria-label={`${headline === 'unavailable' ? 'Try again to check' : 'Check'} video ${i + 1}`}>
                  {headline === 'unavailable' ? 'Try again' : 'Check'}
                </button>
              ) : null}
              <button type="button" class="pl-reveal" onClick={() => onReveal(v)} aria-label={`Show video ${i + 1} on the page`}>
                Show on page
              </button>
            </div>
            {v.verdict ? (
              <details class="pl-details">
                <summary>{v.verdict.summary}</summary>
                <VerdictCard verdict={v.verdict} headingLevel={3} />
                {v.verdict.sha256 || v.verdict.frames?.length ? <AddToMyList mediaKey={v.key} idPrefix={`add-${i}`} /> : null}
              </details>
            ) : (
              <p>{LOOK.checking.title}</p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function shortName(src: string): string {
  try {
    const u = new URL(src);
    const last = u.pathname.split('/').filter(Boolean).pop();
    return `${u.host}${last ? ` · ${decodeURIComponent(last)}` : ''}`;
  } catch {
    return src.slice(0, 60);
  }
}
