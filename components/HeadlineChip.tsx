import { LOOK } from '../lib/present';
import type { Headline } from '../lib/verdict';

/** Icon + short word on the headline's colour: the badge's face, reused in lists. */
export function HeadlineChip({ headline }: { headline: Headline }) {
  const look = LOOK[headline];
  return (
    <span class="pl-chip" style={{ background: look.color }} data-headline={headline}>
      <span class="pl-chip-icon" aria-hidden="true">
        {look.icon}
      </span>
      <span class="pl-chip-word">{look.word}</span>
    </span>
  );
}
