// The start notification's words and its rate limit: pure, so they are unit-tested.
import { plainLabel } from '../../shared/format';

/** Starts this close together are told in one notification. */
export const SETTLE_MS = 800;
/** After a notification, starts within this long are only logged. */
export const QUIET_MS = 15_000;

/** The words of one notification for the runs that started together. */
export function noticeText(names: readonly string[]): string {
  const shown = names.map((n) => plainLabel(n, 50));
  if (shown.length === 1) return `Headroom: monitoring ${shown[0]}`;
  const list = shown.length <= 3 ? shown.join(', ') : `${shown.slice(0, 2).join(', ')} and ${shown.length - 2} more`;
  return `Headroom: monitoring ${shown.length} runs: ${list}`;
}

/** Admits at most one notification per quiet spell; the clock is passed in so tests drive it. */
export class NoticeGate {
  private last = -Infinity;

  constructor(private readonly quietMs = QUIET_MS) {}

  admit(now: number): boolean {
    if (now - this.last < this.quietMs) return false;
    this.last = now;
    return true;
  }
}
