// The chart's event layer: checkpoint/cleanup/epoch markers under the lines, the alert
// threshold over them, and the markers' hit boxes for hover and click. Regions and calls
// are drawn in their own lane (regionLane.ts).
import type { Plugin } from 'chart.js';
import type { EventData } from '../shared/webviewMessages';
import { cssVar } from './dom';
import type { TimelineState } from './state';
import { chartX } from './xAxis';

/** A drawn marker's hit box, in canvas pixels. */
export interface MarkerHit {
  readonly x0: number;
  readonly x1: number;
  readonly e: EventData;
}

/** Half the width of a marker's hit box, in pixels. */
const HIT_HALF_WIDTH = 4;

/** Checkpoint markers closer than this on average (pixels) are drawn as a rug, not lines. */
export const RUG_SPACING = 32;
/** The rug's ticks: this tall, at the foot of the plot. */
export const RUG_HEIGHT = 7;

/**
 * Whether `count` checkpoint markers across `width` pixels are drawn as a rug: short ticks at
 * the foot of the plot. A loop's checkpoint every few pixels, drawn full height, fenced the
 * lines in orange; a rug still says where and how often the program reported, and leaves the
 * plot to the memory.
 */
export function checkpointsAsRug(count: number, width: number): boolean {
  return count > 1 && width / count < RUG_SPACING;
}

/** Events drawn as a span in the region lane (when they have an end) rather than a line. */
export const isSpan = (e: EventData): boolean => e.tEnd !== undefined && (e.kind === 'region' || e.kind === 'call');

/** A gap in the run (the window reloaded while it went on): drawn as a shaded band with its reason. */
export const isGap = (e: EventData): boolean => e.kind === 'gap' && e.tEnd !== undefined;

/** A marker line's theme colour (with its fallback) and dash. */
export function markerStyle(kind: string): { colour: string; fallback: string; dash: number[] } {
  if (kind === 'cleanup') return { colour: '--vscode-charts-purple', fallback: '#a0a', dash: [4, 3] };
  if (kind === 'epoch') return { colour: '--vscode-charts-lines', fallback: '#888', dash: [2, 4] };
  return { colour: '--vscode-charts-orange', fallback: '#e80', dash: [4, 3] };
}

/** The marker under canvas x; with `clickable`, only one that has a source location. */
export function markerAt(hits: readonly MarkerHit[], x: number, clickable = false): MarkerHit | undefined {
  return hits.find((m) => x >= m.x0 && x <= m.x1 && (!clickable || (m.e.file && m.e.line)));
}

/** The canvas tooltip over a marker: `checkpoint: loaded (click: prog.py:12)`. */
export function markerTitle(e: EventData): string {
  return `${e.kind}: ${e.label}${e.file ? ` (click: ${e.file.split(/[\\/]/).pop()}:${e.line})` : ''}`;
}

type Area = { left: number; right: number; top: number; bottom: number };

/** A gap's band (at least 3 px wide, so a short gap stays visible) and its reason at the top; its extent, or undefined when off the plot. */
function drawGap(ctx: CanvasRenderingContext2D, a: Area, px0: number, px1: number, label: string): { x0: number; x1: number } | undefined {
  const x0 = Math.max(a.left, Math.min(px0, px1 - 3));
  const x1 = Math.min(a.right, Math.max(px1, px0 + 3));
  if (x1 < a.left || x0 > a.right) return undefined;
  ctx.setLineDash([]);
  ctx.globalAlpha = 0.18;
  ctx.fillStyle = cssVar('--vscode-charts-lines', '#888');
  ctx.fillRect(x0, a.top, x1 - x0, a.bottom - a.top);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = cssVar('--vscode-charts-lines', '#888');
  ctx.strokeRect(x0 + 0.5, a.top + 0.5, Math.max(0, x1 - x0 - 1), a.bottom - a.top - 1);
  ctx.fillStyle = cssVar('--vscode-foreground', '#888');
  ctx.font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  ctx.fillText(label, Math.min(x0 + 4, a.right - 4), a.top + 12); // canvas text: never markup
  return { x0, x1 };
}

/**
 * The chart.js plugin drawing the events of `state.data`. After each draw, `hits()` holds
 * the markers drawn, the canvas's `data-markers` and `data-gaps` attributes their counts, and
 * `data-checkpoint-style` says `lines` or `rug` (for tests).
 */
export function createMarkersLayer(state: TimelineState): { plugin: Plugin<'line'>; hits: () => readonly MarkerHit[] } {
  let hits: MarkerHit[] = [];
  const plugin: Plugin<'line'> = {
    id: 'headroomEvents',
    beforeDatasetsDraw(c) {
      const data = state.data;
      if (!data) return;
      const { ctx, chartArea: a, scales } = c;
      const x = scales.x;
      hits = [];
      let gaps = 0;
      let onPlot = 0;
      for (const e of data.events) {
        if (e.kind !== 'checkpoint') continue;
        const px = x.getPixelForValue(chartX(state, e.t));
        if (px >= a.left && px <= a.right) onPlot++;
      }
      const rug = checkpointsAsRug(onPlot, a.right - a.left);
      ctx.save();
      for (const e of data.events) {
        // Regions and calls are the lane's (regionLane.ts), under the axis, not a wash over the plot.
        if (isSpan(e)) continue;
        if (isGap(e)) {
          const band = drawGap(ctx, a, x.getPixelForValue(chartX(state, e.t)), x.getPixelForValue(chartX(state, e.tEnd as number)), e.label);
          if (band) {
            hits.push({ x0: band.x0, x1: band.x1, e });
            gaps++;
          }
          continue;
        }
        const x0 = x.getPixelForValue(chartX(state, e.t));
        if (x0 < a.left || x0 > a.right) continue;
        const style = markerStyle(e.kind);
        ctx.strokeStyle = cssVar(style.colour, style.fallback);
        const short = rug && e.kind === 'checkpoint';
        ctx.setLineDash(short ? [] : style.dash);
        ctx.beginPath();
        ctx.moveTo(x0 + 0.5, short ? a.bottom - RUG_HEIGHT : a.top);
        ctx.lineTo(x0 + 0.5, a.bottom);
        ctx.stroke();
        hits.push({ x0: x0 - HIT_HALF_WIDTH, x1: x0 + HIT_HALF_WIDTH, e });
      }
      ctx.restore();
      c.canvas.dataset.markers = String(hits.length);
      c.canvas.dataset.gaps = String(gaps);
      c.canvas.dataset.checkpointStyle = rug ? 'rug' : 'lines';
    },
    afterDatasetsDraw(c) {
      const data = state.data;
      if (!data?.threshold || state.fromZero) return;
      const { ctx, chartArea: a, scales } = c;
      const y = scales.y.getPixelForValue(data.threshold);
      if (y < a.top || y > a.bottom) return;
      ctx.save();
      ctx.strokeStyle = cssVar('--vscode-charts-red', '#d33');
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(a.left, y);
      ctx.lineTo(a.right, y);
      ctx.stroke();
      ctx.fillStyle = cssVar('--vscode-charts-red', '#d33');
      ctx.font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
      ctx.fillText('alert threshold', a.left + 4, y - 4);
      ctx.restore();
    },
  };
  return { plugin, hits: () => hits };
}
