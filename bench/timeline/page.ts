// Runs in Chromium: drawing cost of Headroom's path (store envelope at the canvas width ->
// chart.js) against chart.js's own decimation plugin on the same data, canvas 1200x400.
import { Chart, Decimation, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import { Series } from '../../src/shared/series';
import { envelopePoints, type Point } from '../../src/webview/points';

Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation);

const W = 1200;
const H = 400;

function canvas(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  c.style.width = `${W}px`;
  c.style.height = `${H}px`;
  document.body.append(c);
  return c;
}

const value = (i: number) => 1e9 + Math.sin(i / 5000) * 2e8 + ((i * 7919) % 1000) * 1e5 + (i % 99_991 === 0 ? 5e8 : 0);

function makeSeries(n: number): Series {
  const s = new Series({ rawCapacity: n + 10, tierCapacity: n });
  for (let i = 0; i < n; i++) s.append(i * 100, value(i));
  return s;
}

/** Our path: the store's envelope between its first and last sample at `width` columns, as chart points. */
function pointsOf(s: Series, width: number): Point[] {
  const e = s.query(s.firstTime ?? 0, s.lastTime ?? 0, width);
  return envelopePoints(e.t, e.min, e.max);
}

const common = {
  animation: false as const,
  responsive: false,
  devicePixelRatio: 1,
  parsing: false as const,
  normalized: true,
  elements: { point: { radius: 0 }, line: { borderWidth: 1 } },
  scales: { x: { type: 'linear' as const }, y: { type: 'linear' as const } },
  plugins: { legend: { display: false }, tooltip: { enabled: false } },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Ours: query the envelope at the plot's width and draw it (chart.js draws synchronously without animation). */
function oursFirstPaint(s: Series): { ms: number; chart: Chart<'line', { x: number; y: number }[]> } {
  const t0 = performance.now();
  const chart = new Chart(canvas(), { type: 'line', data: { datasets: [{ data: pointsOf(s, W), borderColor: '#36c' }] }, options: common });
  return { ms: performance.now() - t0, chart };
}

function oursUpdate(s: Series, chart: Chart<'line', { x: number; y: number }[]>, startIndex: number): number[] {
  const times: number[] = [];
  for (let k = 0; k < 20; k++) {
    for (let j = 0; j < 100; j++) s.append((startIndex + k * 100 + j) * 100, value(startIndex + k * 100 + j));
    const t0 = performance.now();
    chart.data.datasets[0].data = pointsOf(s, W);
    chart.update('none');
    times.push(performance.now() - t0);
  }
  return times;
}

function pluginFirstPaint(data: { x: number; y: number }[]): { ms: number; chart: Chart<'line', { x: number; y: number }[]> } {
  const t0 = performance.now();
  const chart = new Chart(canvas(), {
    type: 'line',
    data: { datasets: [{ data, borderColor: '#c63' }] },
    options: { ...common, indexAxis: 'x', plugins: { ...common.plugins, decimation: { enabled: true, algorithm: 'min-max' } } },
  });
  return { ms: performance.now() - t0, chart };
}

function pluginUpdate(chart: Chart<'line', { x: number; y: number }[]>, data: { x: number; y: number }[]): number[] {
  const times: number[] = [];
  for (let k = 0; k < 20; k++) {
    const start = data.length;
    for (let j = 0; j < 100; j++) data.push({ x: (start + j) * 100, y: value(start + j) });
    const t0 = performance.now();
    chart.update('none');
    times.push(performance.now() - t0);
  }
  return times;
}

async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const reps = 5;
  // 1M points, ours.
  const s1 = makeSeries(1_000_000);
  const first: number[] = [];
  const upd: number[] = [];
  for (let r = 0; r < reps; r++) {
    const { ms, chart } = oursFirstPaint(s1);
    first.push(ms);
    if (r === reps - 1) upd.push(...oursUpdate(s1, chart, 1_000_000));
    chart.destroy();
  }
  out.first_paint_1m_ms = median(first);
  out.update_1m_ms = median(upd);
  // 10M points, ours.
  const s10 = makeSeries(10_000_000);
  const first10: number[] = [];
  for (let r = 0; r < reps; r++) {
    const { ms, chart } = oursFirstPaint(s10);
    first10.push(ms);
    chart.destroy();
  }
  out.first_paint_10m_ms = median(first10);
  // 1M points, chart.js's decimation plugin.
  const pf: number[] = [];
  const pu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const data = Array.from({ length: 1_000_000 }, (_, i) => ({ x: i * 100, y: value(i) }));
    const { ms, chart } = pluginFirstPaint(data);
    pf.push(ms);
    if (r === reps - 1) pu.push(...pluginUpdate(chart, data));
    chart.destroy();
  }
  out.plugin_first_paint_1m_ms = median(pf);
  out.plugin_update_1m_ms = median(pu);
  // Spikes survive: the planted 5e8 spikes appear in our envelope at 1200 columns.
  out.spike_kept = pointsOf(s1, W).some((p) => p.y > 1.6e9) ? 1 : 0;
  return out;
}

(window as unknown as { __bench: Promise<Record<string, number>> }).__bench = run();
