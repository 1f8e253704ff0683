// The x axis's ticks in steps, laid out as timeTicks.ts lays out time: the smallest round step
// count whose measured labels (`step 1,200`) all fit apart inside the plot. Each stretch of a
// run numbered on its own (stepAxis.ts) is labelled with its own numbers; where two stretches
// meet, a label that would touch the one before it is left out. Pure: the caller measures.
import type { StepSegment } from './stepAxis';
import { TICK_GAP, type TimeTick } from './timeTicks';

/** A step count with thousands separators: `1,200`. */
export function formatStep(step: number): string {
  const s = String(Math.abs(Math.round(step))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return step < 0 ? `−${s}` : s;
}

/** A tick's label: `step 1,200`. */
export function stepLabel(step: number): string {
  return `step ${formatStep(step)}`;
}

/**
 * 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, … up to a billion steps apart: 25s as well, since
 * runs count steps in hundreds and thousands (between 200 and 500 a half-width axis of a
 * 1,200-step run had two labels).
 */
const STEPS: readonly number[] = [1, 2, 5, ...Array.from({ length: 32 }, (_, i) => [1, 2, 2.5, 5][i % 4] * 10 ** (1 + Math.floor(i / 4)))];

/**
 * The ticks (value: axis x) for [min, max] shown `width` pixels wide over `segments`: the
 * smallest round step count whose labels lie inside the plot and at least `gap` pixels apart. The
 * first stretch's numbering runs on to the left of the data and the last one's to the right
 * (a view panned past either end still has labels); no label at step 0 or below.
 */
export function layoutStepTicks(min: number, max: number, width: number, segments: readonly StepSegment[], measure: (label: string) => number, gap = TICK_GAP): { step: number; ticks: TimeTick[] } {
  if (!(max > min) || !(width > 0) || !segments.length) return { step: 0, ticks: [] };
  const span = max - min;
  for (const step of STEPS) {
    if ((step / span) * width < 20) continue; // not even room for a digit: skip the work
    const stretches = segments.map((seg, i) => ticksOf(seg, i === 0, i === segments.length - 1, min, max, width, step, measure).filter((t) => t.x0 >= 0 && t.x1 <= width));
    if (!stretches.every((ticks) => ticks.every((t, i) => i === 0 || ticks[i - 1].x1 + gap <= t.x0))) continue;
    const ticks: TimeTick[] = [];
    for (const t of stretches.flat()) if (!ticks.length || ticks[ticks.length - 1].x1 + gap <= t.x0) ticks.push(t);
    return { step, ticks };
  }
  return { step: STEPS[STEPS.length - 1], ticks: [] };
}

/** The ticks of one stretch every `step` steps inside [min, max], measured and placed. */
function ticksOf(seg: StepSegment, first: boolean, last: boolean, min: number, max: number, width: number, step: number, measure: (label: string) => number): TimeTick[] {
  const lo = Math.max(min, first ? -Infinity : seg.x0) - seg.offset;
  const hi = Math.min(max, last ? Infinity : seg.x1) - seg.offset;
  const ticks: TimeTick[] = [];
  for (let k = Math.max(1, Math.ceil(lo / step - 1e-9)); k * step <= hi + 1e-9; k++) {
    const value = k * step + seg.offset;
    const label = stepLabel(k * step);
    const x = ((value - min) / (max - min)) * width;
    const w = measure(label);
    ticks.push({ value, label, x0: x - w / 2, x1: x + w / 2 });
  }
  return ticks;
}
