import { useEffect, useRef, useState } from 'preact/hooks';
import type { Verdict } from '../lib/verdict';
import { LOOK, accessibleName } from '../lib/present';
import { VerdictCard } from './VerdictCard';

/**
 * The on-video badge: one glance (icon + word on the headline's colour), a full accessible
 * name, and the details in a panel on click (Escape or the close button closes it).
 */
export function Badge({ verdict, highlight, onOpen, onCheck }: { verdict: Verdict; highlight?: boolean; onOpen?: () => void; onCheck?: () => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const look = LOOK[verdict.headline];
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [open]);
  return (
    <div class={`pl-badge-wrap${highlight ? ' pl-highlight' : ''}`}>
      <button
        ref={button}
        type="button"
        class="pl-badge"
        style={{ background: look.color }}
        aria-label={accessibleName(verdict)}
        aria-expanded={open}
        aria-haspopup="dialog"
        data-headline={verdict.headline}
        onClick={(e) => {
          // The page's own click handlers (play/pause) must not see clicks on the badge.
          e.stopPropagation();
          // A video not checked yet is checked by pressing its badge (a person's press, not the page's script).
          if (verdict.headline === 'not-checked' && onCheck && e.isTrusted) return onCheck();
          if (!open) onOpen?.();
          setOpen(!open);
        }}
      >
        <span aria-hidden="true">{look.icon}</span>
        <span aria-hidden="true">{look.word}</span>
      </button>
      {open ? (
        <div class="pl-panel" role="dialog" aria-label="Where this video came from" onClick={(e) => e.stopPropagation()}>
          <VerdictCard verdict={verdict} headingLevel={2} />
          {verdict.headline === 'unavailable' && onCheck ? (
            <button type="button" class="pl-close" onClick={(e) => e.isTrusted && (setOpen(false), onCheck())}>
              Try again
            </button>
          ) : null}
          <button type="button" class="pl-close" onClick={() => (setOpen(false), button.current?.focus())}>
            Close
          </button>
        </div>
      ) : null}
    </div>
  );
}

export const BADGE_CSS = `
:host { all: initial; }
.pl-badge-wrap { position: relative; pointer-events: auto; }
.pl-badge { display: inline-flex; align-items: center; justify-content: center; gap: 4px; box-sizing: border-box; width: 104px; height: 26px; overflow: hidden; white-space: nowrap; border: 2px solid rgba(255,255,255,0.85); color: #fff;
  border-radius: 999px; padding: 2px 9px; font: 700 12px/1.5 system-ui, sans-serif; cursor: pointer; box-shadow: 0 1px 4px rgba(0,0,0,0.45); }
.pl-panel { position: absolute; top: 30px; left: 0; width: min(380px, 90vw); max-height: 60vh; overflow: auto; background: #fff;
  border: 1px solid #d1d5db; border-radius: 8px; padding: 10px 12px; box-shadow: 0 6px 24px rgba(0,0,0,0.3); }
.pl-close { margin-top: 6px; font: 13px system-ui, sans-serif; padding: 3px 10px; }
.pl-highlight .pl-badge { outline: 3px solid #facc15; outline-offset: 2px; }
`;
