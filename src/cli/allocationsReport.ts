import { siteText, type AllocationSites } from '../engine/session/allocations';
import { formatBytes, plainLabel, type Units } from '../shared/format';
import { escapeHtml } from '../shared/html';
import { textTable } from './textTable';

/** Sites listed in the reports: the top of the newest snapshot (the program sent more; the editor shows them all). */
export const REPORT_SITES = 15;

/** The newest allocation snapshot of the run, as summary.json spells it. */
export interface SummaryAllocations {
  readonly pid: number;
  readonly label?: string;
  /** Seconds since the epoch, as the record's. */
  readonly t: number;
  readonly file?: string;
  readonly line?: number;
  readonly total?: { readonly size: number; readonly count: number };
  readonly since?: string;
  readonly sites: readonly { readonly file: string; readonly line: number; readonly size: number; readonly count: number; readonly grew?: number; readonly package?: string; readonly via?: string }[];
  /** Sites the program left out of the snapshot or the report left out of the list. */
  readonly moreSites: number;
}

/** The newest tracemalloc snapshot of any process, its top sites; undefined when the run took none. */
export function allocationsSummary(a: AllocationSites | undefined): SummaryAllocations | undefined {
  const r = a?.latest('tracemalloc');
  if (!r) return undefined;
  const sites = r.sites ?? [];
  return {
    pid: r.pid,
    label: r.label,
    t: r.t,
    file: r.file,
    line: r.line,
    total: r.total,
    since: r.since?.label,
    sites: sites.slice(0, REPORT_SITES).map((s) => ({ file: s.file, line: s.line, size: s.size, count: s.count, grew: s.grew, package: s.package, via: s.via })),
    moreSites: Math.max(0, sites.length - REPORT_SITES) + (r.more?.sites ?? 0),
  };
}

const where = (s: { file: string; line: number; package?: string }) => `${s.package ? `[${s.package}] ` : ''}${s.file.split(/[\\/]/).pop()}:${s.line}`;
const title = (a: SummaryAllocations) => `allocation sites${a.label ? ` at '${a.label}'` : ''} (process ${a.pid})`;

/** The sites as lines for a terminal: every program-made string made plain (no control characters). */
export function allocationsText(a: SummaryAllocations, units: Units): string[] {
  const rows = a.sites.map((s) => [plainLabel(where(s), 60), plainLabel(siteText({ ...s, since: a.since }, units), 100)]);
  const more = a.moreSites ? [`… and ${a.moreSites} more site(s)`] : [];
  return [plainLabel(title(a), 100), ...textTable(['line', 'holds'], rows, () => false), ...more];
}

/** The sites as an HTML table: every program-made string escaped, the full path in a title. */
export function allocationsHtml(a: SummaryAllocations, units: Units): string {
  const b = (v: number | undefined, signed = false) => (v === undefined ? '-' : escapeHtml(formatBytes(v, units, signed)));
  const rows = a.sites
    .map((s) => `<tr><td title="${escapeHtml(s.file)}">${escapeHtml(where(s))}</td><td>${escapeHtml(s.via ?? '')}</td><td class="n">${b(s.size)}</td><td class="n">${s.count}</td><td class="n">${b(s.grew, true)}</td></tr>`)
    .join('\n');
  const since = a.since ? ` since '${a.since}'` : '';
  const more = a.moreSites ? `<p class="sub">and ${a.moreSites} more site(s)</p>` : '';
  return `<h2>${escapeHtml(title(a))}</h2>
<table><thead><tr><th>line</th><th>via</th><th class="n">holds</th><th class="n">blocks</th><th class="n">${escapeHtml(`grew${since}`)}</th></tr></thead>
<tbody>${rows}</tbody></table>${more}`;
}
