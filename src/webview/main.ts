import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset, type Plugin } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { formatBytes, formatDuration, type Units } from '../shared/format';
import type { AppendMessage, CheckpointRow, CompareMessage, CompareRow, EventData, HostToWebview, SeriesData, SeriesMeta, SnapshotMessage, WebviewToHost } from '../shared/webviewMessages';
import { Series } from '../shared/series';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend, Filler, zoomPlugin);

const vscode = acquireVsCodeApi<{ recordingPath?: string; comparePath?: string }>();
const post = (m: WebviewToHost): void => vscode.postMessage(m);
const app = document.getElementById('app') as HTMLElement;

let units: Units = 'GB';
/** The last snapshot, its extent and markers brought up to date by appends. */
let data: { -readonly [K in keyof SnapshotMessage]: SnapshotMessage[K] } | undefined;
/**
 * The webview's own copy of each series: a snapshot's envelope, then the live samples
 * appended to it. Drawing queries it at the plot's width, so a frame costs the same
 * however long the run.
 */
const local = new Map<string, { meta: SeriesMeta; series: Series }>();
let compare: CompareMessage | undefined;
let follow = true;
let fromZero = false;
let chart: Chart<'line', { x: number; y: number }[]> | undefined;
let markerHits: { x0: number; x1: number; e: EventData }[] = [];
const hiddenSeries = new Set<string>();
let sortKey: keyof CheckpointRow = 'sinceStart';
let sortDesc = true;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const cssVar = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

// --- layout -------------------------------------------------------------------------------
const header = el('header');
const title = el('h1', undefined, 'Headroom Timeline');
const status = el('span', 'status');
const toolbar = el('div', 'toolbar');
const button = (label: string, onClick: () => void, pressed?: () => boolean) => {
  const b = el('button', undefined, label);
  b.type = 'button';
  b.addEventListener('click', () => {
    onClick();
    if (pressed) b.setAttribute('aria-pressed', String(pressed()));
  });
  if (pressed) b.setAttribute('aria-pressed', String(pressed()));
  toolbar.append(b);
  return b;
};
button('Follow live', () => {
  follow = !follow;
  if (follow) requestView();
}, () => follow);
button('From zero', () => {
  fromZero = !fromZero;
  render();
}, () => fromZero);
button('Reset zoom', () => {
  chart?.resetZoom();
  follow = true;
  requestView();
});
button('Force Cleanup', () => post({ type: 'command', command: 'forceCleanup' }));
button('Export CSV', () => post({ type: 'command', command: 'exportCsv' }));
button('Save Recording', () => post({ type: 'command', command: 'exportRecording' }));
button('Open Recording', () => post({ type: 'command', command: 'openRecording' }));
button('Compare…', () => post({ type: 'command', command: 'compare' }));
button('Export PNG', () => {
  if (!chart) return;
  const a = el('a');
  a.href = chart.toBase64Image('image/png');
  a.download = 'headroom-timeline.png';
  a.click();
});
header.append(title, status, toolbar);
const chartBox = el('div', 'chart');
const canvas = el('canvas');
canvas.setAttribute('role', 'img');
canvas.setAttribute('aria-label', 'Memory over time; the checkpoints table below has the same data');
canvas.tabIndex = 0;
chartBox.append(canvas);
const empty = el('p', 'empty');
const tableBox = el('section', 'table');
const tableHead = el('div', 'table-head');
const tableTitle = el('h2', undefined, 'Checkpoints');
const copyBtn = el('button', undefined, 'Copy table');
copyBtn.type = 'button';
tableHead.append(tableTitle, copyBtn);
const table = el('table');
tableBox.append(tableHead, table);
const compareBox = el('section', 'table compare');
compareBox.hidden = true;
const compareHead = el('div', 'table-head');
const compareTitle = el('h2');
const alignLabel = el('label', undefined, 'Align at ');
const alignSelect = el('select');
alignLabel.append(alignSelect);
alignSelect.addEventListener('change', () => post({ type: 'align', label: alignSelect.value }));
const endCompareBtn = el('button', undefined, 'End compare');
endCompareBtn.type = 'button';
endCompareBtn.addEventListener('click', () => post({ type: 'command', command: 'compareEnd' }));
compareHead.append(compareTitle, alignLabel, endCompareBtn);
const compareTable = el('table');
compareBox.append(compareHead, compareTable);
app.replaceChildren(header, empty, chartBox, tableBox, compareBox);

// --- chart --------------------------------------------------------------------------------
const relTime = (t: number) => (data ? (t - data.start) / 1000 : 0);

/** Markers and spans under the lines, the alert threshold, and click targets for markers. */
const eventsPlugin: Plugin<'line'> = {
  id: 'headroomEvents',
  beforeDatasetsDraw(c) {
    if (!data) return;
    const { ctx, chartArea: a, scales } = c;
    const x = scales.x;
    markerHits = [];
    ctx.save();
    for (const e of data.events) {
      const x0 = x.getPixelForValue(relTime(e.t));
      if (e.tEnd !== undefined && (e.kind === 'region' || e.kind === 'call')) {
        const x1 = x.getPixelForValue(relTime(e.tEnd));
        if (x1 < a.left || x0 > a.right) continue;
        ctx.fillStyle = cssVar('--vscode-editor-rangeHighlightBackground', 'rgba(128,128,128,.12)');
        ctx.fillRect(Math.max(a.left, x0), a.top, Math.max(1, Math.min(a.right, x1) - Math.max(a.left, x0)), a.bottom - a.top);
        continue;
      }
      if (x0 < a.left || x0 > a.right) continue;
      ctx.strokeStyle =
        e.kind === 'cleanup' ? cssVar('--vscode-charts-purple', '#a0a') : e.kind === 'epoch' ? cssVar('--vscode-charts-lines', '#888') : cssVar('--vscode-charts-orange', '#e80');
      ctx.setLineDash(e.kind === 'epoch' ? [2, 4] : [4, 3]);
      ctx.beginPath();
      ctx.moveTo(x0 + 0.5, a.top);
      ctx.lineTo(x0 + 0.5, a.bottom);
      ctx.stroke();
      markerHits.push({ x0: x0 - 4, x1: x0 + 4, e });
    }
    ctx.restore();
  },
  afterDatasetsDraw(c) {
    if (!data?.threshold || fromZero) return;
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

function ensureChart(): Chart<'line', { x: number; y: number }[]> {
  if (chart) return chart;
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,.25)');
  chart = new Chart(canvas, {
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
      scales: {
        x: { type: 'linear', grid: { color: grid }, ticks: { color: fg, callback: (v) => formatDuration(Number(v)), maxTicksLimit: 10 } },
        y: { grid: { color: grid }, ticks: { color: fg, callback: (v) => formatBytes(Number(v), units) } },
      },
      plugins: {
        legend: {
          labels: { color: fg, boxWidth: 12 },
          onClick: (_e, item) => {
            const ds = chart?.data.datasets[item.datasetIndex ?? 0] as (ChartDataset<'line'> & { name?: string }) | undefined;
            if (!ds?.name) return;
            if (hiddenSeries.has(ds.name)) hiddenSeries.delete(ds.name);
            else hiddenSeries.add(ds.name);
            render();
          },
        },
        tooltip: {
          callbacks: {
            title: (items) => {
              const s = Number(items[0]?.parsed.x ?? 0);
              return `${formatDuration(s)} · ${data ? new Date(data.start + s * 1000).toLocaleTimeString() : ''}`;
            },
            label: (item) => `${item.dataset.label}: ${formatBytes(Number(item.parsed.y), units)}`,
          },
        },
        zoom: {
          zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: 'x', onZoomComplete: () => userMovedView() },
          pan: { enabled: true, mode: 'x', onPanComplete: () => userMovedView() },
        },
      },
    },
    plugins: [eventsPlugin],
  });
  canvas.addEventListener('click', (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const hit = markerHits.find((m) => x >= m.x0 && x <= m.x1 && m.e.file && m.e.line);
    if (hit?.e.file && hit.e.line) post({ type: 'reveal', file: hit.e.file, line: hit.e.line });
  });
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const hit = markerHits.find((m) => x >= m.x0 && x <= m.x1);
    canvas.title = hit ? `${hit.e.kind}: ${hit.e.label}${hit.e.file ? ` (click: ${hit.e.file.split(/[\\/]/).pop()}:${hit.e.line})` : ''}` : '';
    canvas.style.cursor = hit?.e.file ? 'pointer' : 'default';
  });
  canvas.addEventListener('keydown', (ev) => {
    if (!chart) return;
    if (ev.key === 'ArrowLeft') chart.pan({ x: 80 }, undefined, 'none');
    else if (ev.key === 'ArrowRight') chart.pan({ x: -80 }, undefined, 'none');
    else if (ev.key === '+' || ev.key === '=') chart.zoom(1.25, 'none');
    else if (ev.key === '-') chart.zoom(0.8, 'none');
    else if (ev.key === '0') chart.resetZoom();
    else return;
    ev.preventDefault();
    userMovedView();
  });
  return chart;
}

/** VS Code swaps the body's theme class and the --vscode-* variables: the canvas colours follow. */
function applyTheme(): void {
  if (!chart) return;
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,.25)');
  const { x, y } = chart.options.scales as { x: { grid: { color: string }; ticks: { color: string } }; y: { grid: { color: string }; ticks: { color: string } } };
  x.grid.color = y.grid.color = grid;
  x.ticks.color = y.ticks.color = fg;
  (chart.options.plugins?.legend?.labels as { color: string }).color = fg;
  render(false);
}
new MutationObserver(applyTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function userMovedView(): void {
  follow = false;
  for (const b of toolbar.querySelectorAll('button')) if (b.textContent === 'Follow live') b.setAttribute('aria-pressed', 'false');
  requestView();
}

function requestView(): void {
  const width = plotWidth();
  if (follow || !chart || !data) {
    post({ type: 'view', width, follow: true });
    return;
  }
  const x = chart.scales.x;
  post({ type: 'view', t0: data.start + x.min * 1000, t1: data.start + x.max * 1000, width, follow: false });
}

/** Chart points of an envelope: each pixel column's min then its max, so spikes stay visible at any zoom. */
function envelopePoints(t: Float64Array, min: Float64Array, max: Float64Array, base: number): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  for (let i = 0; i < t.length; i++) {
    const x = relTime(t[i]);
    points.push({ x, y: min[i] - base });
    if (max[i] !== min[i]) points.push({ x, y: max[i] - base });
  }
  return points;
}

const plotWidth = () => Math.max(200, chart?.chartArea ? chart.chartArea.right - chart.chartArea.left : chartBox.clientWidth || 1000);

/** A fresh local series holding an envelope: its min and its max at each column's time. */
function seriesOf(d: SeriesData): Series {
  const series = new Series({ rawCapacity: 1 << 15 });
  for (let i = 0; i < d.t.length; i++) {
    series.append(d.t[i], d.min[i]);
    if (d.max[i] !== d.min[i]) series.append(d.t[i], d.max[i]);
  }
  return series;
}

function onSnapshot(m: SnapshotMessage): void {
  data = { ...m };
  local.clear();
  for (const d of m.series) local.set(d.name, { meta: d, series: seriesOf(d) });
  render();
}

function onAppend(m: AppendMessage): void {
  if (!data) return;
  for (const a of m.series) {
    let entry = local.get(a.name);
    if (!entry) {
      if (!a.meta) continue;
      entry = { meta: a.meta, series: new Series({ rawCapacity: 1 << 15 }) };
      local.set(a.name, entry);
    }
    for (let i = 0; i < a.t.length; i++) entry.series.append(a.t[i], a.v[i]);
  }
  data.end = Math.max(data.end, m.end);
  data.live = m.live;
  data.threshold = m.threshold;
  if (m.events) data.events = m.events;
  if (m.rows) data.rows = m.rows;
  if (follow) data.t1 = data.end;
  render(m.rows !== undefined);
}

function render(withTable = true): void {
  if (!data) return;
  const c = ensureChart();
  empty.hidden = true;
  chartBox.hidden = false;
  tableBox.hidden = false;
  title.textContent = data.sessionName;
  status.textContent = data.live ? 'live' : 'ended';
  status.className = `status ${data.live ? 'live' : ''}`;
  const width = plotWidth();
  const isHidden = (m: SeriesMeta) => hiddenSeries.has(m.name) || (m.hidden === true && !hiddenSeries.has(`show:${m.name}`));
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
  for (const { meta, series } of local.values()) {
    const e = series.query(data.t0, data.t1, width);
    const colour = cssVar(meta.colour, '#888');
    datasets.push({ label: meta.label, name: meta.name, data: envelopePoints(e.t, e.min, e.max, fromZero ? meta.first : 0), borderColor: colour, backgroundColor: colour, hidden: isHidden(meta) } as ChartDataset<'line', { x: number; y: number }[]>);
  }
  // The compared recording: the same colours, dashed, behind nothing it hides.
  for (const d of compare?.series ?? []) {
    const colour = cssVar(d.colour, '#888');
    const own = local.get(d.name.slice('compare:'.length))?.meta;
    datasets.push({ label: d.label, name: d.name, data: envelopePoints(d.t, d.min, d.max, fromZero ? d.first : 0), borderColor: colour, backgroundColor: colour, borderDash: [5, 4], hidden: own ? isHidden(own) : isHidden(d) } as ChartDataset<'line', { x: number; y: number }[]>);
  }
  c.data.datasets = datasets;
  if (follow) {
    c.options.scales!.x!.min = relTime(data.t0);
    c.options.scales!.x!.max = relTime(data.t1);
  }
  c.update('none');
  if (withTable) renderTable(data.rows);
  saveState();
}

function saveState(): void {
  vscode.setState({ recordingPath: data?.recordingPath ?? vscode.getState()?.recordingPath, comparePath: compare?.recordingPath });
}

// --- compare ------------------------------------------------------------------------------
const COMPARE_COLUMNS: { key: keyof CompareRow; label: string; signed?: boolean; count?: boolean }[] = [
  { key: 'aSinceStart', label: 'A since start', signed: true },
  { key: 'bSinceStart', label: 'B since start', signed: true },
  { key: 'sinceStartDiff', label: 'B − A', signed: true },
  { key: 'aPeak', label: 'A peak' },
  { key: 'bPeak', label: 'B peak' },
  { key: 'peakDiff', label: 'peak B − A', signed: true },
  { key: 'aHits', label: 'A hits', count: true },
  { key: 'bHits', label: 'B hits', count: true },
];

function compareCell(r: CompareRow, c: (typeof COMPARE_COLUMNS)[number]): string {
  const v = r[c.key];
  if (v === undefined) return '–';
  return c.count ? String(v) : formatBytes(Number(v), units, c.signed);
}

function onCompare(m: CompareMessage): void {
  compare = m;
  compareBox.hidden = false;
  compareTitle.textContent = `A: ${data?.sessionName ?? 'this run'} · B: ${m.name}`;
  const options = [['', 'start'], ...m.labels.map((l) => [l, `“${l}”`])].map(([value, text]) => {
    const o = el('option', undefined, text);
    o.value = value;
    return o;
  });
  alignSelect.replaceChildren(...options);
  alignSelect.value = m.alignedAt;
  const head = el('thead');
  const hr = el('tr');
  hr.append(el('th', undefined, 'checkpoint'), ...COMPARE_COLUMNS.map((c) => el('th', 'n', c.label)));
  head.append(hr);
  const body = el('tbody');
  for (const r of m.rows) {
    const tr = el('tr');
    tr.append(el('td', undefined, r.key), ...COMPARE_COLUMNS.map((c) => el('td', `n${c.key.endsWith('Diff') ? ' diff' : ''}`, compareCell(r, c))));
    body.append(tr);
  }
  compareTable.replaceChildren(head, body);
  render(false);
}

function onCompareEnd(): void {
  compare = undefined;
  compareBox.hidden = true;
  render(false);
}

// --- table --------------------------------------------------------------------------------
const COLUMNS: { key: keyof CheckpointRow; label: string; bytes?: boolean; signed?: boolean }[] = [
  { key: 'label', label: 'label' },
  { key: 'where', label: 'where' },
  { key: 'kind', label: 'kind' },
  { key: 'delta', label: 'delta', bytes: true, signed: true },
  { key: 'sinceStart', label: 'since start', bytes: true, signed: true },
  { key: 'peak', label: 'peak', bytes: true },
  { key: 'hits', label: 'hits' },
  { key: 'growth', label: 'growth/hit', bytes: true, signed: true },
];

function cellText(r: CheckpointRow, c: (typeof COLUMNS)[number]): string {
  const v = r[c.key];
  if (v === undefined) return '';
  return c.bytes ? formatBytes(Number(v), units, c.signed) : String(v);
}

function sortedRows(rows: readonly CheckpointRow[]): CheckpointRow[] {
  return [...rows].sort((a, b) => {
    const x = a[sortKey] ?? -Infinity;
    const y = b[sortKey] ?? -Infinity;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sortDesc ? -d : d;
  });
}

function renderTable(rows: readonly CheckpointRow[]): void {
  const head = el('thead');
  const tr = el('tr');
  for (const c of COLUMNS) {
    const th = el('th', c.bytes || c.key === 'hits' ? 'n' : undefined, c.label + (sortKey === c.key ? (sortDesc ? ' ▾' : ' ▴') : ''));
    th.tabIndex = 0;
    th.setAttribute('aria-sort', sortKey === c.key ? (sortDesc ? 'descending' : 'ascending') : 'none');
    const sort = () => {
      if (sortKey === c.key) sortDesc = !sortDesc;
      else {
        sortKey = c.key;
        sortDesc = true;
      }
      renderTable(rows);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => e.key === 'Enter' && sort());
    tr.append(th);
  }
  head.append(tr);
  const body = el('tbody');
  for (const r of sortedRows(rows)) {
    const row = el('tr');
    row.tabIndex = 0;
    row.title = `${r.file}:${r.line}`;
    for (const c of COLUMNS) row.append(el('td', c.bytes || c.key === 'hits' ? 'n' : undefined, cellText(r, c)));
    const reveal = () => post({ type: 'reveal', file: r.file, line: r.line });
    row.addEventListener('click', reveal);
    row.addEventListener('keydown', (e) => e.key === 'Enter' && reveal());
    body.append(row);
  }
  if (rows.length === 0) {
    const row = el('tr');
    const td = el('td', 'none', 'No checkpoints yet: call headroom.checkpoint() in your program.');
    td.colSpan = COLUMNS.length;
    row.append(td);
    body.append(row);
  }
  table.replaceChildren(head, body);
}

copyBtn.addEventListener('click', () => {
  if (!data) return;
  const lines = [COLUMNS.map((c) => c.label).join('\t'), ...sortedRows(data.rows).map((r) => COLUMNS.map((c) => cellText(r, c)).join('\t'))];
  const text = lines.join('\n');
  const fallback = () => {
    const ta = el('textarea');
    ta.value = text;
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  };
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(fallback);
  else fallback();
});

// --- messages -----------------------------------------------------------------------------
window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      units = m.units;
      empty.textContent = 'Waiting for data…';
      chartBox.hidden = true;
      tableBox.hidden = true;
      break;
    case 'empty':
      data = undefined;
      local.clear();
      empty.hidden = false;
      empty.textContent = m.message;
      chartBox.hidden = true;
      tableBox.hidden = true;
      title.textContent = 'Headroom Timeline';
      status.textContent = '';
      break;
    case 'snapshot':
      onSnapshot(m);
      break;
    case 'append':
      onAppend(m);
      break;
    case 'compare':
      onCompare(m);
      break;
    case 'compareEnd':
      onCompareEnd();
      break;
    case 'focus': {
      if (!data) break;
      follow = false;
      const span = Math.max(5000, (data.end - data.start) / 10);
      post({ type: 'view', t0: m.t - span / 2, t1: m.t + span / 2, width: chartBox.clientWidth || 1000, follow: false });
      if (chart) {
        chart.options.scales!.x!.min = relTime(m.t - span / 2);
        chart.options.scales!.x!.max = relTime(m.t + span / 2);
      }
      break;
    }
  }
});

new ResizeObserver(() => requestView()).observe(chartBox);
post({ type: 'ready' });
