// Runs in Chromium, one case per fresh page (the case is the page's ?case=): the cost of
// drawing a timeline of n points with the webview's real code (the host's store envelope at
// the plot's width, then the webview's own applySnapshot, buildDatasets and TimelineChart,
// as src/webview/timeline.ts calls them) against chart.js's own decimation plugin fed every
// point, canvas 1200x400.
import { Chart, Decimation, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import { Series } from '../../src/shared/series';
import type { SnapshotMessage } from '../../src/shared/webviewMessages';
import { registerChartParts, TimelineChart } from '../../src/webview/chart';
import { buildDatasets } from '../../src/webview/datasets';
import { cssVar } from '../../src/webview/dom';
import { applyAppend, applySnapshot, createState } from '../../src/webview/state';

const W = 1200;
const H = 400;
const STEP_MS = 100;
const START = 1_764_000_000_000;

const value = (i: number) => 1e9 + Math.sin(i / 5000) * 2e8 + ((i * 7919) % 1000) * 1e5 + (i % 99_991 === 0 ? 5e8 : 0);

/** The host's series of `n` samples (building it is not timed: the host has it already). */
function hostSeries(n: number): Series {
  const s = new Series({ rawCapacity: n + 10, tierCapacity: n });
  for (let i = 0; i < n; i++) s.append(START + i * STEP_MS, value(i));
  return s;
}

/** What the host sends: the series' envelope at the plot's width (SessionView's query). */
function snapshotOf(s: Series, width: number): SnapshotMessage {
  const end = START + (s.count - 1) * STEP_MS;
  const e = s.query(START, end, width);
  return {
    type: 'snapshot',
    t0: START,
    t1: end,
    start: START,
    end,
    series: [{ name: 'tree.rss', label: 'RSS', colour: '--vscode-charts-blue', first: value(0), t: e.t, min: e.min, max: e.max }],
    events: [],
    rows: [],
    live: true,
    reporter: 'none',
    sessionName: 'bench',
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function box(): HTMLElement {
  const d = document.createElement('div');
  d.style.width = `${W}px`;
  d.style.height = `${H}px`;
  document.body.append(d);
  return d;
}

/** Ours: snapshot to first drawn frame, then 20 live appends of 100 samples each redrawn. */
async function ours(n: number, updates: boolean): Promise<Record<string, number>> {
  await registerChartParts();
  const host = hostSeries(n);
  const state = createState();
  const chart = new TimelineChart(state, { userMovedView: () => undefined, reveal: () => undefined });
  const b = box();
  chart.element.style.height = '100%';
  b.append(chart.element);
  const t0 = performance.now();
  applySnapshot(state, snapshotOf(host, W));
  chart.draw(buildDatasets(state, chart.plotWidth(), (v) => cssVar(v, '#36c')));
  const first = performance.now() - t0;
  const upd: number[] = [];
  if (updates) {
    let i = n;
    for (let k = 0; k < 20; k++) {
      const t = new Float64Array(100);
      const v = new Float64Array(100);
      for (let j = 0; j < 100; j++, i++) {
        t[j] = START + i * STEP_MS;
        v[j] = value(i);
      }
      const u0 = performance.now();
      applyAppend(state, { type: 'append', end: t[99], series: [{ name: 'tree.rss', t, v }], live: true, reporter: 'none' });
      chart.draw(buildDatasets(state, chart.plotWidth(), (c) => cssVar(c, '#36c')));
      upd.push(performance.now() - u0);
    }
  }
  const drawn = state.local.get('tree.rss')?.series.query(START, START + n * STEP_MS, W);
  return { first_paint_ms: first, update_ms: updates ? median(upd) : NaN, spike_kept: drawn && Array.from(drawn.max).some((y) => y > 1.6e9) ? 1 : 0 };
}

/** chart.js's decimation plugin given every point: first frame, then 20 pushes of 100 points each redrawn. */
function plugin(n: number): Record<string, number> {
  Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation);
  const data = Array.from({ length: n }, (_, i) => ({ x: START + i * STEP_MS, y: value(i) }));
  const c = document.createElement('canvas');
  box().append(c);
  const t0 = performance.now();
  const chart = new Chart(c, {
    type: 'line',
    data: { datasets: [{ data, borderColor: '#c63' }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      indexAxis: 'x',
      elements: { point: { radius: 0 }, line: { borderWidth: 1.25 } },
      scales: { x: { type: 'linear' }, y: { type: 'linear' } },
      plugins: { legend: { display: false }, tooltip: { enabled: false }, decimation: { enabled: true, algorithm: 'min-max' } },
    },
  });
  const first = performance.now() - t0;
  const upd: number[] = [];
  for (let k = 0; k < 20; k++) {
    const start = data.length;
    for (let j = 0; j < 100; j++) data.push({ x: START + (start + j) * STEP_MS, y: value(start + j) });
    const u0 = performance.now();
    chart.update('none');
    upd.push(performance.now() - u0);
  }
  return { first_paint_ms: first, update_ms: median(upd) };
}

/** The JS heap after a full collection (the page runs with --expose-gc), MB. */
function heapMB(): number {
  (globalThis as unknown as { gc?: () => void }).gc?.();
  return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20;
}

/**
 * A simulated day of live data fed as fast as it goes: 24 h at 10 Hz of 12 series (a tree of 9
 * processes, its sum, system and cgroup), one append message a second of run time as the host
 * sends them while following, a frame drawn every ten minutes of run time. The webview's heap
 * after each 6 h; the bench adds the backing stores through the DevTools protocol.
 */
async function liveDay(): Promise<Record<string, number>> {
  await registerChartParts();
  const names = ['tree.rss', 'sys.used', 'cgroup.usage', ...Array.from({ length: 9 }, (_, p) => `proc.${100 + p}.rss`)];
  const state = createState();
  const chart = new TimelineChart(state, { userMovedView: () => undefined, reveal: () => undefined });
  const b = box();
  chart.element.style.height = '100%';
  b.append(chart.element);
  applySnapshot(state, {
    type: 'snapshot', t0: START, t1: START, start: START, end: START,
    series: names.map((name) => ({ name, label: name, colour: '--vscode-charts-blue', first: value(0), t: new Float64Array([START]), min: new Float64Array([value(0)]), max: new Float64Array([value(0)]) })),
    events: [], rows: [], live: true, reporter: 'none', sessionName: 'bench',
  });
  const out: Record<string, number> = { heap_start_MB: heapMB() };
  const t0 = performance.now();
  for (let sec = 1; sec <= 86_400; sec++) {
    const series = names.map((name, k) => {
      const t = new Float64Array(10);
      const v = new Float64Array(10);
      for (let j = 0; j < 10; j++) {
        const i = sec * 10 + j;
        t[j] = START + i * STEP_MS;
        v[j] = value(i + k * 1000);
      }
      return { name, t, v };
    });
    applyAppend(state, { type: 'append', end: START + (sec * 10 + 9) * STEP_MS, series, live: true, reporter: 'none' });
    if (sec % 600 === 0) chart.draw(buildDatasets(state, chart.plotWidth(), (c) => cssVar(c, '#36c')));
    if (sec % 21_600 === 0) out[`heap_${sec / 3600}h_MB`] = heapMB();
  }
  out.feed_ms = performance.now() - t0;
  return out;
}

async function run(): Promise<Record<string, number>> {
  const which = new URLSearchParams(location.search).get('case');
  if (which === 'live-day') return liveDay();
  if (which === 'ours-1m') return ours(1_000_000, true);
  if (which === 'ours-10m') return ours(10_000_000, false);
  if (which === 'plugin-1m') return plugin(1_000_000);
  throw new Error(`unknown case ${which}`);
}

(window as unknown as { __bench: Promise<Record<string, number>> }).__bench = run();
