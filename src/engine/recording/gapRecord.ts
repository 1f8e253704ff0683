// A gap in a run: the window that monitored it went away (reload, crash) while the program ran
// on, and a later window resumed the same recording. One record, one timeline event.
import type { MemoryStore } from '../store/memoryStore';
import type { AnyRecord, GapRecord } from './format';

/** What the timeline says on a gap left by a window reload. */
export const WINDOW_RELOADED = 'window reloaded';

/** The gap record for an interval with nothing in it; `now` is when it is written. */
export function gapRecord(from: number, to: number, reason: string, now = to): GapRecord {
  return { type: 'gap', t: now, from, to, reason };
}

/** A recording's gap record as a timeline event (a span from `from` to `to`); malformed ones are skipped. */
export function addGapEvent(store: MemoryStore, r: AnyRecord | GapRecord): boolean {
  const g = r as unknown as Partial<GapRecord>;
  if (typeof g.from !== 'number' || typeof g.to !== 'number' || !Number.isFinite(g.from) || !Number.isFinite(g.to) || g.to < g.from) return false;
  const reason = typeof g.reason === 'string' ? g.reason.slice(0, 200) : 'gap';
  store.events.add({ t: g.from, tEnd: g.to, kind: 'gap', label: reason, data: { gap: true } });
  return true;
}
