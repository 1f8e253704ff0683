import { allocationsHtml } from './allocationsReport';
import { endText } from '../engine/oom/endExplanation';
import { guardActionText } from '../engine/session/guard';
import { SeriesName, type MemoryStore } from '../engine/store/memoryStore';
import { checkpointCell, columnsFor } from '../shared/checkpointColumns';
import { formatBytes, formatDuration, formatPercent, type Units } from '../shared/format';
import { escapeHtml, makeNonce, renderHtmlDocument } from '../shared/html';
import { summaryRows, type RunSummary } from './summary';

const W = 1100;
const H = 360;
const PAD = { l: 80, r: 20, t: 20, b: 40 };

interface Line {
  readonly series: string;
  readonly label: string;
  readonly colour: string;
}

const LINES: readonly Line[] = [
  { series: SeriesName.treeRss, label: 'RSS (tree)', colour: '#1f77b4' },
  { series: SeriesName.treePss, label: 'PSS (tree)', colour: '#2ca02c' },
  { series: SeriesName.sysUsed, label: 'system used', colour: '#7f7f7f' },
  { series: SeriesName.treeGpu, label: 'GPU (tree)', colour: '#d62728' },
];

/** A timeline as inline SVG: each series as a min/max band, checkpoints as ticks. */
export function svgTimeline(store: MemoryStore, units: Units, fromZero: boolean): string {
  const present = LINES.filter((l) => store.get(l.series)?.count);
  if (present.length === 0) return '<p class="empty">No samples were recorded.</p>';
  const t0 = Math.min(...present.map((l) => store.get(l.series)?.firstTime ?? Infinity));
  const t1 = Math.max(...present.map((l) => store.get(l.series)?.lastTime ?? -Infinity));
  const envs = present.map((l) => ({ l, e: store.query(l.series, t0, t1, (W - PAD.l - PAD.r) / 2)!, base: fromZero ? store.get(l.series)!.query(t0, t0, 2).min[0] ?? 0 : 0 }));
  let vMax = 0;
  let vMin = fromZero ? Infinity : 0;
  for (const { e, base } of envs) for (let i = 0; i < e.t.length; i++) {
    vMax = Math.max(vMax, e.max[i] - base);
    vMin = Math.min(vMin, e.min[i] - base);
  }
  if (!Number.isFinite(vMin)) vMin = 0;
  if (vMax <= vMin) vMax = vMin + 1;
  const x = (t: number) => PAD.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - vMin) / (vMax - vMin)) * (H - PAD.t - PAD.b);
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="memory over time">`];
  for (let i = 0; i <= 5; i++) {
    const v = vMin + ((vMax - vMin) * i) / 5;
    parts.push(`<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text class="axis" x="${PAD.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(formatBytes(v, units))}</text>`);
    const t = t0 + ((t1 - t0) * i) / 5;
    parts.push(`<text class="axis" x="${x(t).toFixed(1)}" y="${H - 12}" text-anchor="middle">${escapeHtml(formatDuration((t - t0) / 1000))}</text>`);
  }
  for (const { l, e, base } of envs) {
    const top = Array.from(e.t, (t, i) => `${x(t).toFixed(1)},${y(e.max[i] - base).toFixed(1)}`);
    const bottom = Array.from(e.t, (t, i) => `${x(t).toFixed(1)},${y(e.min[i] - base).toFixed(1)}`).reverse();
    parts.push(`<polygon fill="${l.colour}" fill-opacity="0.25" stroke="none" points="${[...top, ...bottom].join(' ')}"/>`);
    parts.push(`<polyline fill="none" stroke="${l.colour}" stroke-width="1.5" points="${top.join(' ')}"/>`);
  }
  for (const ev of store.events.all()) {
    if (ev.kind !== 'checkpoint' && ev.kind !== 'cleanup' && ev.kind !== 'epoch' && ev.kind !== 'alert') continue;
    const cx = x(ev.t).toFixed(1);
    parts.push(`<line class="mark ${ev.kind}" x1="${cx}" x2="${cx}" y1="${PAD.t}" y2="${H - PAD.b}"><title>${escapeHtml(`${ev.kind}: ${ev.label ?? ''}`)}</title></line>`);
  }
  parts.push('</svg>');
  const legend = present.map((l) => `<span class="key"><span class="swatch s${LINES.indexOf(l)}"></span>${escapeHtml(l.label)}</span>`).join('');
  return `<div class="legend">${legend}</div>${parts.join('')}`;
}

/** Swatch colours as classes: the strict CSP admits the one nonced style sheet, no style attributes. */
const SWATCHES = LINES.map((l, i) => `.s${i} { background: ${l.colour}; }`).join(' ');

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } .sub { color: #666; margin-bottom: 16px; }
.peaks { display: flex; gap: 24px; margin: 12px 0 16px; } .peaks div { background: #f3f5f8; padding: 8px 12px; border-radius: 6px; }
.peaks b { display: block; font-size: 18px; }
svg { max-width: 100%; height: auto; border: 1px solid #e3e3e3; border-radius: 6px; }
.grid { stroke: #eee; } .axis { fill: #666; font-size: 11px; }
.mark { stroke: #ff7f0e; stroke-opacity: .55; stroke-dasharray: 3 3; } .mark.cleanup { stroke: #9467bd; } .mark.epoch { stroke: #8c564b; } .mark.alert { stroke: #b00020; stroke-opacity: .9; stroke-dasharray: none; stroke-width: 2; }
.legend { margin: 4px 0 8px; } .key { margin-right: 16px; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
${SWATCHES}
table { border-collapse: collapse; margin-top: 16px; } th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: left; } th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; }
.fail { color: #b00020; font-weight: 600; } .guard { color: #8a5a00; font-weight: 600; }
`;

/** The checkpoint table: the shared columns, every cell escaped. */
function checkpointTable(summary: RunSummary, units: Units): string {
  const cls = (numeric: boolean) => (numeric ? ' class="n"' : '');
  const all = summaryRows(summary);
  const columns = columnsFor(all);
  const head = columns.map((c) => `<th${cls(c.numeric)}>${escapeHtml(c.title)}</th>`).join('');
  const rows = all
    .map((r) => `<tr>${columns.map((c) => `<td${cls(c.numeric)}>${escapeHtml(checkpointCell(r, c, units))}</td>`).join('')}</tr>`)
    .join('\n');
  const empty = `<tr><td colspan="${columns.length}">No checkpoints were reported (add <code>headroom.checkpoint()</code> calls to see them here).</td></tr>`;
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows || empty}\n</tbody>\n</table>`;
}

/** Each rank's peak RSS, for a distributed launch; nothing for other programs. */
function rankTable(summary: RunSummary, units: Units): string {
  if (!summary.ranks?.length) return '';
  const rows = summary.ranks.map((r) => `<tr><td class="n">${r.rank}</td><td class="n">${r.pid}</td><td class="n">${r.peakRss === undefined ? '-' : escapeHtml(formatBytes(r.peakRss, units))}</td></tr>`).join('\n');
  return `<table class="ranks">\n<thead><tr><th class="n">rank</th><th class="n">pid</th><th class="n">peak RSS</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

/** Every rank's own row at each checkpoint, for a distributed launch; nothing for other programs. */
function checkpointsByRank(summary: RunSummary, units: Units): string {
  const ranked = summary.checkpoints.filter((c) => c.ranks?.length);
  if (!ranked.length) return '';
  const b = (v: number, signed = false) => escapeHtml(formatBytes(v, units, signed));
  const rows = ranked
    .flatMap((c) =>
      (c.ranks ?? []).map(
        (r) =>
          `<tr><td>${escapeHtml(`${c.file.split(/[\\/]/).pop()}:${c.line}`)}</td><td>${escapeHtml(c.label ?? '')}</td><td class="n">${r.rank}</td><td class="n">${b(r.lastDelta, true)}</td><td class="n">${b(r.sinceStart, true)}</td><td class="n">${b(r.peak)}</td><td class="n">${r.hits}</td></tr>`,
      ),
    )
    .join('\n');
  return `<h2>Checkpoints by rank</h2>\n<table class="by-rank">\n<thead><tr><th>where</th><th>label</th><th class="n">rank</th><th class="n">delta</th><th class="n">since start</th><th class="n">peak</th><th class="n">hits</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

/** How the run ended, when memory had a part in it, and what the guard did. */
function endAndGuard(summary: RunSummary, units: Units): string {
  const parts: string[] = [];
  if (summary.end && summary.end.kind !== 'none') parts.push(`<p class="fail end">${escapeHtml(endText(summary.end, units))}</p>`);
  for (const a of summary.guard?.actions ?? []) parts.push(`<p class="guard">${escapeHtml(guardActionText(a, units))}</p>`);
  return parts.join('\n');
}

/** The highest memory stall of a sample interval (PSI), where the kernel has PSI. */
function pressureBoxes(summary: RunSummary): string {
  const p = summary.pressure;
  if (!p) return '';
  const pct = (v: number | undefined) => (v === undefined ? '-' : escapeHtml(formatPercent(v)));
  const title = 'Linux PSI: the share of a sample interval in which tasks waited for memory (some: at least one, full: all at once)';
  return `<div title="${escapeHtml(title)}">memory stall (some / full)<b>${pct(p.some)} / ${pct(p.full)}</b></div>`;
}

/** A report that opens offline with a double-click: no script, no network, strict CSP. */
export function renderHtmlReport(summary: RunSummary, store: MemoryStore, units: Units, fromZero: boolean): string {
  const b = (v: number | undefined, signed = false) => (v === undefined ? '-' : escapeHtml(formatBytes(v, units, signed)));
  const how = summary.signal ? `killed by ${summary.signal}` : `exit code ${summary.exitCode}`;
  const nonce = makeNonce();
  const body = `<h1>${escapeHtml(summary.command.join(' '))}</h1>
<div class="sub">${escapeHtml(how)} after ${escapeHtml(formatDuration(summary.durationS))}${fromZero ? ' · values from zero' : ''}</div>
${summary.failed ? `<p class="fail">${escapeHtml(summary.failed)}</p>` : ''}
${endAndGuard(summary, units)}
${summary.signal && summary.lastCheckpoint && (summary.end?.kind ?? 'none') === 'none' ? `<p class="fail">Last checkpoint reached: ${escapeHtml(summary.lastCheckpoint.label ?? '(no label)')} at ${escapeHtml(`${summary.lastCheckpoint.file}:${summary.lastCheckpoint.line}`)}</p>` : ''}
<div class="peaks">
<div>peak RSS<b>${b(summary.peak.rss)}</b></div>
<div title="PSS is read on a time budget (at most 2% of the time) unless the run used --type pss">peak PSS<b>${b(summary.peak.pss)}</b></div>
<div>peak system used<b>${b(summary.peak.system)}</b></div>
<div>peak GPU<b>${b(summary.peak.gpu)}</b></div>
${summary.peak.cgroup !== undefined ? `<div>peak cgroup usage<b>${b(summary.peak.cgroup)}</b></div>` : ''}
${pressureBoxes(summary)}
</div>
${svgTimeline(store, units, fromZero)}
${rankTable(summary, units)}
${checkpointTable(summary, units)}
${checkpointsByRank(summary, units)}
${summary.allocations ? allocationsHtml(summary.allocations, units) : ''}`;
  return renderHtmlDocument({
    csp: ["default-src 'none'", `style-src 'nonce-${nonce}'`, 'img-src data:'],
    title: `Headroom report: ${summary.command.join(' ').slice(0, 120)}`,
    head: `<style nonce="${nonce}">${STYLE}</style>`,
    body,
  });
}
