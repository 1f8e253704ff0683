// What the timeline's step axis needs from a run: its train.step series as (time, step) points,
// whole (a view panned or zoomed anywhere maps through it), thinned to a few thousand points.
import type { MemoryStore } from '../../engine/store/memoryStore';
import { SeriesName } from '../../engine/store/seriesName';
import type { StepPoints } from '../../shared/webviewMessages';

/** Points of a run's steps sent with a snapshot: at a point per pixel, the map is off by under a pixel. */
export const STEP_POINTS = 4000;

/**
 * The run's steps, times shifted by `shift` ms (a compared run's offset); undefined when it has
 * none. Up to `max` records go as they are; a longer run sends each bucket's first time with its
 * lowest step, which for a count that only rises is the step reached at that time.
 */
export function stepPoints(store: MemoryStore, shift = 0, max = STEP_POINTS): StepPoints | undefined {
  const se = store.get(SeriesName.trainStep);
  const t0 = se?.firstTime;
  const t1 = se?.lastTime;
  if (!se?.count || t0 === undefined || t1 === undefined) return undefined;
  const e = se.query(t0, t1, max - 1);
  const n = e.t.length;
  // Thinned, the last bucket's first time is not the end: the last record closes the map.
  const end = n && e.t[n - 1] < t1 && se.lastValue !== undefined ? 1 : 0;
  const t = new Float64Array(n + end);
  const step = new Float64Array(n + end);
  for (let i = 0; i < n; i++) {
    t[i] = e.t[i] + shift;
    step[i] = e.min[i];
  }
  if (end) {
    t[n] = t1 + shift;
    step[n] = se.lastValue as number;
  }
  return { t, step };
}

/**
 * The step records added since `sent` (the series' count at the last message, updated in
 * place): undefined when none, null when the raw tier no longer holds them (send a snapshot).
 */
export function newStepPoints(store: MemoryStore, sent: Map<string, number>): StepPoints | undefined | null {
  const se = store.get(SeriesName.trainStep);
  const n = (se?.count ?? 0) - (sent.get(SeriesName.trainStep) ?? 0);
  if (!se || n <= 0) return undefined;
  const tail = se.rawTail(n);
  if (!tail) return null;
  sent.set(SeriesName.trainStep, se.count);
  return { t: tail.t, step: tail.v };
}

/** The step series' count, for the counts a snapshot covers. */
export function stepCount(store: MemoryStore): number {
  return store.get(SeriesName.trainStep)?.count ?? 0;
}
