// The x axis's ticks, laid out by us rather than chart.js: chart.js picks its count before it
// knows how wide the labels are, so at half width they collided. Here the step is the smallest
// "nice" one whose labels, measured, all fit apart inside the plot. Pure: the caller measures.

/** A tick: its value (seconds from the start), its label, and the label's box in plot pixels. */
export interface TimeTick {
  readonly value: number;
  readonly label: string;
  readonly x0: number;
  readonly x1: number;
}

/** Pixels kept free between two labels, so they read as separate. */
export const TICK_GAP = 16;

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** Steps a person counts in: 1-2-5 below a second, then clock-like steps up to days. */
const STEPS: readonly number[] = [
  ...[1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
  ...[1, 2, 5, 10, 15, 30],
  ...[1, 2, 5, 10, 15, 30].map((m) => m * MINUTE),
  ...[1, 2, 3, 6, 12].map((h) => h * HOUR),
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500].map((d) => d * DAY),
];

/** Decimals a label needs to tell ticks `step` seconds apart. */
function decimalsFor(step: number): number {
  return step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
}

/**
 * A tick's label, in the coarsest unit the step allows: `0.5s`, `15s`, `1m 30s`, `2m`, `1h 05m`,
 * `3d`. Negative values (panned before the start) get a minus sign.
 */
export function tickLabel(value: number, step: number): string {
  const sign = value < 0 ? '−' : '';
  const v = Math.abs(value);
  const d = decimalsFor(step);
  if (v < MINUTE - 10 ** -d / 2) return `${sign}${v.toFixed(d)}s`;
  if (v < DAY && step < HOUR) {
    const h = Math.floor(v / HOUR + 1e-9);
    const m = Math.floor((v - h * HOUR) / MINUTE + 1e-9);
    const s = Math.max(0, v - h * HOUR - m * MINUTE);
    const sText = Number(s.toFixed(d)) === 0 ? '' : ` ${s.toFixed(d).padStart(d ? d + 3 : 2, '0')}s`;
    const hText = h ? `${h}h ` : '';
    const mText = h ? `${String(m).padStart(2, '0')}m` : `${m}m`;
    return `${sign}${hText}${mText}${sText}`;
  }
  const days = Math.floor(v / DAY + 1e-9);
  const hours = Math.round((v - days * DAY) / HOUR);
  if (days === 0) return `${sign}${hours}h`;
  return `${sign}${days}d${hours ? ` ${hours}h` : ''}`;
}

/** The ticks of `step` in [min, max], their labels measured and placed at `width` pixels. */
function ticksAt(min: number, max: number, width: number, step: number, measure: (label: string) => number): TimeTick[] {
  const ticks: TimeTick[] = [];
  const span = max - min;
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) {
    const value = Number((k * step).toFixed(6));
    // No label at the origin: every run starts at 0, and "0 ms" there only crowds the corner.
    if (value === 0) continue;
    const label = tickLabel(value, step);
    const x = ((value - min) / span) * width;
    const w = measure(label);
    ticks.push({ value, label, x0: x - w / 2, x1: x + w / 2 });
  }
  return ticks;
}

/**
 * The x axis's ticks for [min, max] seconds shown `width` pixels wide: the smallest step whose
 * labels lie inside the plot and at least `gap` pixels apart. Labels that would stick out at
 * the edges are left out rather than clipped.
 */
export function layoutTimeTicks(min: number, max: number, width: number, measure: (label: string) => number, gap = TICK_GAP): { step: number; ticks: TimeTick[] } {
  if (!(max > min) || !(width > 0)) return { step: 0, ticks: [] };
  const span = max - min;
  for (const step of STEPS) {
    if ((step / span) * width < 20) continue; // not even room for a digit: skip the work
    const ticks = ticksAt(min, max, width, step, measure).filter((t) => t.x0 >= 0 && t.x1 <= width);
    if (ticks.every((t, i) => i === 0 || ticks[i - 1].x1 + gap <= t.x0)) return { step, ticks };
  }
  return { step: STEPS[STEPS.length - 1], ticks: [] };
}

/** Whether any two label boxes (in drawing order) overlap or touch closer than `gap`. */
export function ticksCollide(ticks: readonly { x0: number; x1: number }[], gap = 0): boolean {
  const sorted = [...ticks].sort((a, b) => a.x0 - b.x0);
  return sorted.some((t, i) => i > 0 && sorted[i - 1].x1 + gap > t.x0);
}
