// Pure helpers between envelopes (times, min, max columns) and what chart.js draws.
// No DOM and no chart.js here: the unit tests and the timeline bench import this file.
import { Series } from '../shared/series';

/** A chart point: x in the chart's unit (seconds from the session start in the timeline). */
export interface Point {
  x: number;
  y: number;
  /** Drawn against steps: when the point was taken (seconds from the start), for the hover. */
  t?: number;
}

/** Raw samples a webview series keeps before it folds them into min/max buckets. */
export const LOCAL_RAW_CAPACITY = 1 << 15;

/**
 * Chart points of an envelope: each pixel column's min then its max (when it differs), so
 * spikes stay visible at any zoom. x = (t - origin) / unit, y = value - base.
 */
export function envelopePoints(t: ArrayLike<number>, min: ArrayLike<number>, max: ArrayLike<number>, base = 0, origin = 0, unit = 1): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = (t[i] - origin) / unit;
    points.push({ x, y: min[i] - base });
    if (max[i] !== min[i]) points.push({ x, y: max[i] - base });
  }
  return points;
}

/**
 * Points with a break at each gap (x from `from` to `to`, in the points' unit): a point with no
 * value inside the gap, so a line drawn with `spanGaps: false` stops at the gap instead of
 * crossing it. Points and gaps are in x order.
 */
export function breakAtGaps(points: Point[], gaps: readonly { readonly from: number; readonly to: number }[]): Point[] {
  if (gaps.length === 0 || points.length === 0) return points;
  const out: Point[] = [];
  let g = 0;
  for (const p of points) {
    while (g < gaps.length && gaps[g].to < p.x) {
      // Only between two points: a gap at either end has nothing to cut.
      if (out.length && out[out.length - 1].x <= gaps[g].from) out.push({ x: (gaps[g].from + gaps[g].to) / 2, y: NaN });
      g++;
    }
    out.push(p);
  }
  return out;
}

/** Seconds from `start` (ms since the epoch) to `t`: the timeline's x axis. */
export function secondsSince(start: number, t: number): number {
  return (t - start) / 1000;
}

/** A fresh series holding an envelope: its min and, where it differs, its max at each column's time. */
export function seriesOf(e: { readonly t: ArrayLike<number>; readonly min: ArrayLike<number>; readonly max: ArrayLike<number> }, rawCapacity = LOCAL_RAW_CAPACITY): Series {
  const series = new Series({ rawCapacity });
  for (let i = 0; i < e.t.length; i++) {
    series.append(e.t[i], e.min[i]);
    if (e.max[i] !== e.min[i]) series.append(e.t[i], e.max[i]);
  }
  return series;
}
