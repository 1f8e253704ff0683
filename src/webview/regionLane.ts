// Regions and decorated calls as a thin lane under the x axis. Shaded over the whole plot, a
// training loop's thousand regions painted everything and read as an alert; in a lane they
// say where the program was without covering the lines. The helpers above the plugin are pure.
import type { Plugin } from 'chart.js';
import { formatBytes, formatDuration, type Units } from '../shared/format';
import type { EventData } from '../shared/webviewMessages';
import { cssVar } from './dom';
import { isSpan, type MarkerHit } from './markers';
import type { TimelineState } from './state';
import { chartX } from './xAxis';

/** The lane's height, and the room kept above and below it, in pixels. */
export const LANE_HEIGHT = 5;
export const LANE_GAP = 4;
/** The chart's bottom padding that makes room for the lane. */
export const LANE_PADDING = LANE_HEIGHT + 2 * LANE_GAP;

/** A run of pixels the lane fills. */
export interface LaneRun {
  readonly x0: number;
  readonly x1: number;
}

/**
 * Spans (pixel extents, any order) clipped to [left, right] and merged where they touch or
 * lie within `join` pixels: a thousand back-to-back regions become one run, drawn once.
 * Each run is at least a pixel wide, so a short region still shows.
 */
export function laneRuns(spans: readonly LaneRun[], left: number, right: number, join = 1): LaneRun[] {
  const clipped = spans
    .filter((s) => s.x1 >= left && s.x0 <= right)
    .map((s) => ({ x0: Math.max(left, s.x0), x1: Math.min(right, Math.max(s.x1, s.x0 + 1)) }))
    .sort((a, b) => a.x0 - b.x0);
  const runs: { x0: number; x1: number }[] = [];
  for (const s of clipped) {
    const last = runs[runs.length - 1];
    if (last && s.x0 <= last.x1 + join) last.x1 = Math.max(last.x1, s.x1);
    else runs.push({ ...s });
  }
  return runs;
}

/** A lane span's tooltip: `region: data loading · 1.20 s · +35.0 MB · peak 1.40 GB` (the peak is RSS, not a delta). */
export function spanTitle(e: EventData, units: Units): string {
  const parts = [`${e.kind}: ${e.label}`];
  if (e.tEnd !== undefined) parts.push(formatDuration(Math.max(0, (e.tEnd - e.t) / 1000)));
  if (e.delta !== undefined) parts.push(formatBytes(e.delta, units, true));
  if (e.peak !== undefined) parts.push(`peak ${formatBytes(e.peak, units)}`);
  return parts.join(' · ');
}

/**
 * The chart.js plugin drawing the lane. After each draw, `hits()` holds the spans drawn (for
 * hover), `box()` the lane's rectangle, and the canvas's `data-region-lane` says
 * `top,height,runs` (for tests).
 */
export function createRegionLane(state: TimelineState): { plugin: Plugin<'line'>; hits: () => readonly MarkerHit[]; box: () => { top: number; bottom: number } } {
  let hits: MarkerHit[] = [];
  let lane = { top: 0, bottom: 0 };
  const plugin: Plugin<'line'> = {
    id: 'headroomRegionLane',
    afterDraw(c) {
      const data = state.data;
      const { ctx, chartArea: a, scales } = c;
      const x = scales.x;
      const top = Math.round(x.bottom + LANE_GAP);
      lane = { top, bottom: top + LANE_HEIGHT };
      hits = [];
      for (const e of data?.events ?? []) {
        if (!isSpan(e)) continue;
        const x0 = x.getPixelForValue(chartX(state, e.t));
        const x1 = x.getPixelForValue(chartX(state, e.tEnd as number));
        if (x1 >= a.left && x0 <= a.right) hits.push({ x0, x1: Math.max(x1, x0 + 1), e });
      }
      const runs = laneRuns(hits, a.left, a.right);
      c.canvas.dataset.regionLane = `${top},${LANE_HEIGHT},${runs.length}`;
      if (!runs.length) return;
      ctx.save();
      ctx.fillStyle = cssVar('--vscode-charts-yellow', '#cc0');
      ctx.globalAlpha = 0.8;
      for (const r of runs) ctx.fillRect(r.x0, top, r.x1 - r.x0, LANE_HEIGHT);
      ctx.globalAlpha = 1;
      // The lane's name in the y axis's gutter, where there is room for it.
      ctx.fillStyle = cssVar('--vscode-descriptionForeground', '#888');
      ctx.font = `10px ${cssVar('--vscode-font-family', 'sans-serif')}`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      if (a.left > 44) ctx.fillText('regions', a.left - 6, top + LANE_HEIGHT / 2);
      ctx.restore();
    },
  };
  return { plugin, hits: () => hits, box: () => lane };
}
