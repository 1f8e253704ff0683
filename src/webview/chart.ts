// The timeline chart: chart.js with zoom/pan, our own x axis ticks (time or steps: xAxis.ts),
// the marker and region layers, a loss axis on the right, theme colours, and the canvas's
// pointer and keyboard handling. The legend is HTML (legend.ts). The chart is made on the first draw.
import { Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset, type Plugin, type Scale } from 'chart.js';
import { formatBytes } from '../shared/format';
import { formatLoss, LOSS_AXIS, type TimelineDataset } from './datasets';
import { cssVar, el } from './dom';
import { createMarkersLayer, markerAt, markerTitle } from './markers';
import type { Point } from './points';
import { createRegionLane, LANE_PADDING, spanTitle } from './regionLane';
import type { TimelineState } from './state';
import { hoverTitle, windowOf, xTicks } from './xAxis';

type LineChart = Chart<'line', Point[]>;

export interface ChartEvents {
  /** The user panned or zoomed (wheel, drag or keys). */
  userMovedView(): void;
  /** A marker with a source location was clicked. */
  reveal(file: string, line: number): void;
}

/** Pixels one arrow key pans. */
const PAN_STEP = 80;

/**
 * Registers chart.js's parts and the zoom plugin; call once before the first draw. The plugin
 * is imported here, not at the top: its hammerjs needs a window, and Node (the unit tests)
 * may import this file. esbuild bundles it all the same.
 */
export async function registerChartParts(): Promise<void> {
  const { default: zoomPlugin } = await import('chartjs-plugin-zoom');
  Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Filler, zoomPlugin);
}

const themeColours = () => ({ fg: cssVar('--vscode-foreground', '#ccc'), grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,.25)') });

/** The axes' label size, in pixels (VS Code's small UI text). */
const TICK_FONT_SIZE = 11;

/** The CSS font an axis draws its tick labels in, to measure them with. */
function tickFont(axis: Scale): string {
  const font = (axis.options as { ticks?: { font?: { size?: number; family?: string } } }).ticks?.font;
  return `${font?.size ?? TICK_FONT_SIZE}px ${font?.family ?? 'sans-serif'}`;
}

/**
 * Writes what tests read of the canvas after each draw: the plot area (`data-plot-area`:
 * left,top,right,bottom), each x tick label's box (`data-x-ticks`: JSON of label, x0, x1),
 * measured as drawn, and the hover's lines while it shows (`data-tooltip`, else '').
 */
const geometryPlugin: Plugin<'line'> = {
  id: 'headroomGeometry',
  afterDraw(c) {
    const { chartArea: a, ctx, scales } = c;
    const x = scales.x;
    ctx.save();
    ctx.font = tickFont(x);
    const boxes = x.ticks.map((t) => {
      const px = x.getPixelForValue(t.value);
      const w = ctx.measureText(String(t.label)).width;
      return { label: String(t.label), x0: Math.round(px - w / 2), x1: Math.round(px + w / 2) };
    });
    ctx.restore();
    c.canvas.dataset.xTicks = JSON.stringify(boxes);
    c.canvas.dataset.plotArea = [a.left, a.top, a.right, a.bottom].map(Math.round).join(',');
    const tip = c.tooltip;
    c.canvas.dataset.tooltip = tip && tip.opacity > 0 ? [...tip.title, ...tip.body.flatMap((b) => b.lines)].join('\n') : '';
  },
};

export class TimelineChart {
  readonly element = el('div', 'chart');
  private readonly canvas = el('canvas');
  private chart: LineChart | undefined;
  private readonly markers;
  private readonly lane;
  /** The labels of the x ticks laid out last, by value. */
  private tickLabels = new Map<number, string>();

  constructor(
    private readonly state: TimelineState,
    private readonly events: ChartEvents,
  ) {
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Memory over time; the checkpoints table below has the same data');
    this.canvas.tabIndex = 0;
    this.element.append(this.canvas);
    this.markers = createMarkersLayer(state);
    this.lane = createRegionLane(state);
  }

  /** The plot area's width in pixels (at least 200), before the chart exists the box's. */
  plotWidth(): number {
    const area = this.chart?.chartArea;
    return Math.max(200, area ? area.right - area.left : this.element.clientWidth || 1000);
  }

  /** The x range shown, in seconds from the session start; undefined before the first draw. */
  visibleRange(): { min: number; max: number } | undefined {
    if (!this.chart) return undefined;
    const x = this.chart.scales.x;
    return { min: x.min, max: x.max };
  }

  /** Sets the x range (seconds) the next update shows. */
  setRange(min: number, max: number): void {
    if (!this.chart) return;
    this.chart.options.scales!.x!.min = min;
    this.chart.options.scales!.x!.max = max;
  }

  /**
   * Draws `datasets`, showing `range` when given (while following). The canvas's
   * `data-compare-offset` is then the offset (ms) of the compared series drawn, else '', and
   * `data-series` the legend names of the series shown, joined by `|` (what a test can read
   * of a canvas legend).
   */
  draw(datasets: TimelineDataset[], range?: { min: number; max: number }): void {
    const c = this.ensure();
    c.data.datasets = datasets as ChartDataset<'line', Point[]>[];
    if (range) this.setRange(range.min, range.max);
    c.update('none');
    const compare = this.state.compare;
    this.canvas.dataset.compareOffset = compare && compare.series.length ? String(compare.offset) : '';
    this.canvas.dataset.series = datasets.filter((d) => !d.hidden).map((d) => d.label).join('|');
  }

  resetZoom(): void {
    this.chart?.resetZoom();
  }

  /** The chart as a PNG data URL; undefined before the first draw. */
  toPng(): string | undefined {
    return this.chart?.toBase64Image('image/png');
  }

  /** Takes the theme's current colours; false when there is no chart to recolour. */
  applyTheme(): boolean {
    if (!this.chart) return false;
    const { fg, grid } = themeColours();
    type Axis = { grid: { color: string }; ticks: { color: string }; title?: { color: string } };
    const scales = this.chart.options.scales as Record<'x' | 'y' | typeof LOSS_AXIS, Axis>;
    for (const axis of Object.values(scales)) {
      axis.grid.color = grid;
      axis.ticks.color = fg;
      if (axis.title) axis.title.color = fg;
    }
    return true;
  }

  /** Makes the chart (once). */
  ensure(): LineChart {
    if (this.chart) return this.chart;
    const { fg, grid } = themeColours();
    const font = { family: cssVar('--vscode-font-family', 'sans-serif'), size: TICK_FONT_SIZE };
    const state = this.state;
    const moved = () => this.events.userMovedView();
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 1.25, tension: 0 } },
        // Room under the x axis for the region lane.
        layout: { padding: { bottom: LANE_PADDING } },
        scales: {
          x: {
            type: 'linear',
            grid: { color: grid },
            // Our ticks: chart.js chose their count before measuring, and at half width they collided.
            afterBuildTicks: (axis) => this.layoutTicks(axis),
            ticks: { color: fg, font, autoSkip: false, maxRotation: 0, callback: (v) => this.tickLabels.get(Number(v)) ?? '' },
          },
          // From zero: a flat 92 MB line drawn over a 0.5 MB range read as wild swings.
          y: { beginAtZero: true, grid: { color: grid }, ticks: { color: fg, font, callback: (v) => formatBytes(Number(v), state.units) } },
          // A loss is no amount of memory: its own axis on the right, shown only while a loss is drawn.
          [LOSS_AXIS]: { type: 'linear', position: 'right', display: 'auto', grid: { color: grid, drawOnChartArea: false }, title: { display: true, text: 'loss', color: fg, font }, ticks: { color: fg, font, callback: (v) => formatLoss(Number(v)) } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => hoverTitle(state, this.secondsOf(items[0]?.raw as Point | undefined)),
              label: (item) => `${item.dataset.label}: ${(item.dataset as { yAxisID?: string }).yAxisID === LOSS_AXIS ? formatLoss(Number(item.parsed.y)) : formatBytes(Number(item.parsed.y), state.units)}`,
            },
          },
          zoom: {
            zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: 'x', onZoomComplete: moved },
            pan: { enabled: true, mode: 'x', onPanComplete: moved },
          },
        },
      },
      plugins: [this.markers.plugin, this.lane.plugin, geometryPlugin],
    });
    this.listen();
    return this.chart;
  }

  /** Replaces the axis's ticks with ones whose labels, measured, fit apart in its width. */
  private layoutTicks(axis: Scale): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.save();
    ctx.font = tickFont(axis);
    const ticks = xTicks(this.state, axis.min, axis.max, axis.width || this.element.clientWidth, (label) => ctx.measureText(label).width);
    ctx.restore();
    this.tickLabels = new Map(ticks.map((t) => [t.value, t.label]));
    axis.ticks = ticks.map((t) => ({ value: t.value }));
  }

  /** When a hovered point was taken (seconds from the start): its own time against steps, else its x. */
  private secondsOf(p: Point | undefined): number {
    if (!p) return 0;
    if (p.t !== undefined) return p.t;
    const w = windowOf(this.state, p.x, p.x);
    return w && this.state.data ? (w.t0 - this.state.data.start) / 1000 : p.x;
  }

  /** Marker hover and click, and keyboard pan/zoom on the focused canvas. */
  private listen(): void {
    const canvas = this.canvas;
    const xOf = (ev: MouseEvent) => ev.clientX - canvas.getBoundingClientRect().left;
    canvas.addEventListener('click', (ev) => {
      const hit = markerAt(this.markers.hits(), xOf(ev), true);
      if (hit?.e.file && hit.e.line) this.events.reveal(hit.e.file, hit.e.line);
    });
    canvas.addEventListener('mousemove', (ev) => {
      const lane = this.lane.box();
      const y = ev.clientY - canvas.getBoundingClientRect().top;
      if (y >= lane.top - 2 && y <= lane.bottom + 2) {
        const span = markerAt(this.lane.hits(), xOf(ev));
        canvas.title = span ? spanTitle(span.e, this.state.units) : '';
        canvas.style.cursor = 'default';
        return;
      }
      const hit = markerAt(this.markers.hits(), xOf(ev));
      canvas.title = hit ? markerTitle(hit.e) : '';
      canvas.style.cursor = hit?.e.file ? 'pointer' : 'default';
    });
    canvas.addEventListener('keydown', (ev) => {
      const chart = this.chart;
      if (!chart) return;
      if (ev.key === 'ArrowLeft') chart.pan({ x: PAN_STEP }, undefined, 'none');
      else if (ev.key === 'ArrowRight') chart.pan({ x: -PAN_STEP }, undefined, 'none');
      else if (ev.key === '+' || ev.key === '=') chart.zoom(1.25, 'none');
      else if (ev.key === '-') chart.zoom(0.8, 'none');
      else if (ev.key === '0') chart.resetZoom();
      else return;
      ev.preventDefault();
      this.events.userMovedView();
    });
  }
}
