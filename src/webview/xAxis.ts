// The chart's x axis from the state: seconds since the session start, or, with the Steps toggle,
// the training's step (stepAxis.ts). Every layer that places something on x (lines, markers,
// the region lane, the view asked of the host, the tooltip, the ticks) goes through here, so
// they all agree. Pure: no DOM, no chart.js.
import { formatDuration } from '../shared/format';
import { secondsSince } from './points';
import type { TimelineState } from './state';
import { stepAt, stepX, timeAtX, type StepMap } from './stepAxis';
import { formatStep, layoutStepTicks } from './stepTicks';
import { layoutTimeTicks, type TimeTick } from './timeTicks';

/**
 * Why the step axis cannot be drawn, or undefined when it can: a run without steps has no
 * Steps button at all ('none'); a compared recording without steps could not be placed on it.
 */
export function stepsUnavailable(s: TimelineState): 'none' | string | undefined {
  if (!s.stepMap) return 'none';
  if (s.compare && !s.compareStepMap) return 'the compared recording has no training steps to line it up by';
  return undefined;
}

/** Whether the chart is drawn against steps: asked for, and possible. */
export function inSteps(s: TimelineState): boolean {
  return s.xAxis === 'steps' && stepsUnavailable(s) === undefined;
}

/** Chart x of `sec` seconds since the start, in the given mode (`map`: the run's own, or the compared one's). */
export function xOfSeconds(sec: number, steps: StepMap | undefined): number {
  return steps ? stepX(steps, sec) : sec;
}

/** Chart x of a moment `tMs` (ms since the epoch) of this run. */
export function chartX(s: TimelineState, tMs: number): number {
  const sec = s.data ? secondsSince(s.data.start, tMs) : 0;
  return xOfSeconds(sec, inSteps(s) ? s.stepMap : undefined);
}

/**
 * The moments (ms since the epoch) a chart range [min, max] shows in the given mode: in steps,
 * from the first moment at min to the last at max; past either end of the steps, the session's
 * start or end (everything clamped there is in view).
 */
export function windowOf(s: TimelineState, min: number, max: number, steps = inSteps(s)): { t0: number; t1: number } | undefined {
  const data = s.data;
  if (!data) return undefined;
  const map = steps ? s.stepMap : undefined;
  if (!map) return { t0: data.start + min * 1000, t1: data.start + max * 1000 };
  const a = timeAtX(map, min, 'first');
  const b = timeAtX(map, max, 'last');
  return { t0: a === -Infinity ? data.start : data.start + a * 1000, t1: b === Infinity ? data.end : data.start + b * 1000 };
}

/** The chart range that shows what [min, max] showed in the other mode (`wasSteps`), in the current one. */
export function convertRange(s: TimelineState, min: number, max: number, wasSteps: boolean): { min: number; max: number } | undefined {
  const w = windowOf(s, min, max, wasSteps);
  if (!w) return undefined;
  return { min: chartX(s, w.t0), max: chartX(s, w.t1) };
}

/** The hover's title at `sec` seconds: `1.50 s · 14:02:03 · step 1,200`, the step first when drawn against steps; no step before the first. */
export function hoverTitle(s: TimelineState, sec: number): string {
  const clock = s.data ? new Date(s.data.start + sec * 1000).toLocaleTimeString() : '';
  const time = `${formatDuration(sec)} · ${clock}`;
  if (!s.stepMap || sec < s.stepMap.t[0]) return time; // before training began there is no step to name
  const step = `step ${formatStep(stepAt(s.stepMap, sec))}`;
  return inSteps(s) ? `${step} · ${time}` : `${time} · ${step}`;
}

/** The x ticks of [min, max] at `width` pixels, labelled in the chart's unit, apart as measured. */
export function xTicks(s: TimelineState, min: number, max: number, width: number, measure: (label: string) => number): TimeTick[] {
  if (inSteps(s) && s.stepMap) return layoutStepTicks(min, max, width, s.stepMap.segments, measure).ticks;
  return layoutTimeTicks(min, max, width, measure).ticks;
}
