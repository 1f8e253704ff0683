import { formatBytes, formatDuration, plainLabel, type Units } from '../shared/format';
import type { LocationStats } from '../engine/session/recordIngest';
import { growthOf } from '../engine/session/recordIngest';
import type { MemoryStore } from '../engine/store/memoryStore';
import { SeriesName } from '../engine/store/memoryStore';

/** The JSON summary written for CI (regression checks compare these numbers). */
export interface RunSummary {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationS: number;
  readonly peak: { readonly rss?: number; readonly pss?: number; readonly system?: number; readonly gpu?: number; readonly cgroup?: number };
  readonly start: { readonly rss?: number; readonly system?: number };
  readonly lastCheckpoint?: { readonly label?: string; readonly file?: string; readonly line?: number };
  readonly checkpoints: readonly {
    readonly kind: string;
    readonly label?: string;
    readonly file: string;
    readonly line: number;
    readonly hits: number;
    readonly lastDelta: number;
    readonly sinceStart: number;
    readonly peak: number;
    readonly growthPerHit?: number;
  }[];
  readonly failAbove?: number;
  readonly failed?: string;
}

/** The first value a series recorded. */
export function firstValue(store: MemoryStore, name: string): number | undefined {
  return store.get(name)?.firstValue;
}

export function peakOf(store: MemoryStore, name: string): number | undefined {
  const s = store.get(name);
  return s && s.count > 0 ? s.max : undefined;
}

export function checkpointRows(stats: readonly LocationStats[]): RunSummary['checkpoints'] {
  return [...stats]
    .sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
    .map((s) => ({
      kind: s.kind,
      label: s.label,
      file: s.file,
      line: s.line,
      hits: s.hits,
      lastDelta: s.lastDelta,
      sinceStart: s.sinceStart,
      peak: s.peak,
      growthPerHit: growthOf(s),
    }));
}

export function summaryPeaks(store: MemoryStore): RunSummary['peak'] {
  let gpu: number | undefined;
  for (const name of store.names()) if (/^gpu\.\d+\.used$/.test(name)) gpu = Math.max(gpu ?? 0, peakOf(store, name) ?? 0);
  return {
    rss: peakOf(store, SeriesName.treeRss),
    pss: peakOf(store, SeriesName.treePss),
    system: peakOf(store, SeriesName.sysUsed),
    gpu: peakOf(store, SeriesName.treeGpu) ?? gpu,
    cgroup: peakOf(store, SeriesName.cgroupUsage),
  };
}

/** The summary as text: peaks, then a table of checkpoints and regions. */
export function renderSummaryText(s: RunSummary, units: Units, fromZero: boolean): string {
  const b = (v: number | undefined, signed = false) => (v === undefined ? '-' : formatBytes(v, units, signed));
  const z = (v: number | undefined, base: number | undefined) => (v === undefined ? undefined : fromZero && base !== undefined ? v - base : v);
  const lines: string[] = [];
  const how = s.signal ? `killed by ${s.signal}` : `exit code ${s.exitCode}`;
  lines.push(`headroom: ${s.command.join(' ')} — ${how} after ${formatDuration(s.durationS)}`);
  const peak = [`RSS ${b(z(s.peak.rss, s.start.rss))}`];
  if (s.peak.pss !== undefined) peak.push(`PSS ${b(z(s.peak.pss, s.start.rss))}`);
  if (s.peak.system !== undefined) peak.push(`system ${b(z(s.peak.system, s.start.system))}`);
  if (s.peak.gpu !== undefined) peak.push(`GPU ${b(s.peak.gpu)}`);
  if (s.peak.cgroup !== undefined) peak.push(`cgroup ${b(s.peak.cgroup)}`);
  lines.push(`peak${fromZero ? ' (from zero)' : ''}: ${peak.join(' | ')}`);
  if (s.signal && s.lastCheckpoint) lines.push(`last checkpoint reached: ${plainLabel(s.lastCheckpoint.label ?? '', 60) || '(no label)'} at ${s.lastCheckpoint.file}:${s.lastCheckpoint.line}`);
  if (s.checkpoints.length) {
    const rows = s.checkpoints.map((c) => [
      `${c.file.split(/[\\/]/).pop()}:${c.line}`,
      plainLabel(c.label ?? '', 32),
      c.kind,
      b(c.lastDelta, true),
      b(c.sinceStart, true),
      b(c.peak),
      String(c.hits),
      c.growthPerHit !== undefined ? `${b(c.growthPerHit, true)}/hit` : '',
    ]);
    const head = ['where', 'label', 'kind', 'delta', 'since start', 'peak', 'hits', 'growth'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
    lines.push('', fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt));
  }
  if (s.failed) lines.push('', s.failed);
  return lines.join('\n');
}
