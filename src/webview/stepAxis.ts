// The step axis: time mapped to the training's global step, piecewise linear between the step
// records and clamped outside them (model loading before the first step sits at the first
// step). A run whose step numbering starts again (a second train() in one process, a run resumed
// from a checkpoint) goes on to the right of where it was instead of drawing back over itself,
// so the axis stays monotone and each stretch keeps its own step numbers. Pure: no DOM.

/**
 * Steps a count may fall back by and still be the same stretch: the ranks of a launch report each
 * step a moment apart, so the series reads 7, 8, 7, 8, 9. A larger fall is a new numbering.
 */
export const STEP_JITTER = 2;

/** A stretch of the axis numbered on its own: axis x = step + offset between x0 and x1. */
export interface StepSegment {
  readonly x0: number;
  readonly x1: number;
  readonly offset: number;
}

/** Time (seconds since the origin) to axis x, both non-decreasing; `seg` is each knot's stretch. */
export interface StepMap {
  readonly t: Float64Array;
  readonly x: Float64Array;
  readonly seg: Int32Array;
  readonly segments: readonly StepSegment[];
}

/**
 * The map of step records (`tMs`, ms since the epoch, and `step`) with x in steps and time in
 * seconds since `originMs`; undefined when there is no finite step. Records out of time order
 * (processes of a launch) are taken in time order.
 */
export function buildStepMap(tMs: ArrayLike<number>, step: ArrayLike<number>, originMs: number, jitter = STEP_JITTER): StepMap | undefined {
  const order = Array.from({ length: Math.min(tMs.length, step.length) }, (_, i) => i).filter((i) => Number.isFinite(tMs[i]) && Number.isFinite(step[i]));
  if (!order.length) return undefined;
  order.sort((a, b) => tMs[a] - tMs[b] || a - b);
  const n = order.length;
  const t = new Float64Array(n);
  const x = new Float64Array(n);
  const seg = new Int32Array(n);
  const segments: { x0: number; x1: number; offset: number }[] = [];
  let top = -Infinity; // the highest step of the current stretch
  let offset = 0;
  let lastX = 0;
  for (let k = 0; k < n; k++) {
    const s = step[order[k]];
    if (!segments.length) {
      top = s;
      segments.push({ x0: s, x1: s, offset });
    } else if (s < top - jitter) {
      // Numbered again from lower down: the new stretch starts where the last one ended.
      segments[segments.length - 1].x1 = lastX;
      offset = lastX - s;
      top = s;
      segments.push({ x0: lastX, x1: lastX, offset });
    } else top = Math.max(top, s); // a repeat, or a rank a step behind: the axis does not go back
    t[k] = (tMs[order[k]] - originMs) / 1000;
    x[k] = lastX = top + offset;
    seg[k] = segments.length - 1;
  }
  segments[segments.length - 1].x1 = lastX;
  return { t, x, seg, segments };
}

/** The last index i with a[i] <= v (-1 when none): a's values are non-decreasing. */
function lastAtOrBelow(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The last index i with a[i] < v (-1 when none). */
function lastBelow(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Axis x at `sec` seconds since the origin: linear between the knots around it, the end knots' x outside them. */
export function stepX(map: StepMap, sec: number): number {
  const { t, x } = map;
  const i = lastAtOrBelow(t, sec);
  if (i < 0) return x[0];
  if (i >= t.length - 1) return x[t.length - 1];
  const dt = t[i + 1] - t[i];
  return dt > 0 ? x[i] + ((x[i + 1] - x[i]) * (sec - t[i])) / dt : x[i];
}

/** The training's own step number at `sec`: the step that had ended then (its stretch's numbering). */
export function stepAt(map: StepMap, sec: number): number {
  const i = Math.max(0, lastAtOrBelow(map.t, sec));
  return Math.floor(stepX(map, sec) - map.segments[map.seg[i]].offset + 1e-9);
}

/**
 * The time (seconds) at axis x: with `which` 'first', the earliest moment the axis reached x
 * (a view's left edge), with 'last' the latest moment it was still at x (its right edge), so a
 * pause between steps (an evaluation) is inside a view that shows its step. Outside the knots:
 * -Infinity before the first, Infinity after the last (what is clamped there is all in view).
 */
export function timeAtX(map: StepMap, xv: number, which: 'first' | 'last'): number {
  const { t, x } = map;
  const n = t.length;
  if (which === 'first') {
    if (xv <= x[0]) return -Infinity;
    const i = lastBelow(x, xv);
    if (i >= n - 1) return Infinity;
    return t[i] + ((t[i + 1] - t[i]) * (xv - x[i])) / (x[i + 1] - x[i]);
  }
  if (xv >= x[n - 1]) return Infinity;
  const j = lastAtOrBelow(x, xv) + 1; // the first knot past xv
  if (j <= 0) return -Infinity;
  return t[j - 1] + ((t[j] - t[j - 1]) * (xv - x[j - 1])) / (x[j] - x[j - 1]);
}

/** Step records kept by the webview: the snapshot's, then those appended live. */
export interface StepTrack {
  t: number[];
  step: number[];
}

/** Points a live track keeps before it thins itself to half. */
export const STEP_TRACK_LIMIT = 20_000;

/**
 * Appends live step records to `track`; past `limit` points it keeps every other one, and
 * always the first, the last and both sides of a fall in the numbering (the map's knots that
 * matter), so a day-long run costs what an hour does.
 */
export function appendSteps(track: StepTrack, t: ArrayLike<number>, step: ArrayLike<number>, limit = STEP_TRACK_LIMIT): void {
  for (let i = 0; i < t.length; i++) {
    track.t.push(t[i]);
    track.step.push(step[i]);
  }
  if (track.t.length <= limit) return;
  const n = track.t.length;
  const keep = (i: number) => i === 0 || i === n - 1 || i % 2 === 0 || track.step[i + 1] < track.step[i] || track.step[i] < track.step[i - 1];
  const kept = Array.from({ length: n }, (_, i) => i).filter(keep);
  track.t = kept.map((i) => track.t[i]);
  track.step = kept.map((i) => track.step[i]);
}
