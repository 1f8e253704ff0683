import { checkpointRows } from '../engine/session/checkpointRows';
import type { LocationStats } from '../engine/session/recordIngest';
import { SeriesName, type MemoryStore } from '../engine/store/memoryStore';
import { parseSeriesName } from '../engine/store/seriesName';
import { CHECKPOINT_COLUMNS, checkpointCell } from '../shared/checkpointColumns';
import { formatBytes, formatDuration, plainLabel, type Units } from '../shared/format';
import type { CheckpointRow } from '../shared/webviewMessages';
import { textTable } from './textTable';

/** The JSON summary written for CI (regression checks compare these numbers). */
export interface RunSummary {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationS: number;
  readonly peak: { readonly rss?: number; readonly pss?: number; readonly system?: number; readonly gpu?: number; readonly cgroup?: number };
  readonly start: { readonly rss?: number; readonly system?: number };
  readonly lastCheckpoint?: { readonly label?: string; readonly file?: string; readonly line?: number };
  /** The checkpoint table's rows (summary.json keeps the names `lastDelta` and `growthPerHit`). */
  readonly checkpoints: readonly SummaryCheckpoint[];
  readonly failAbove?: number;
  readonly failed?: string;
}

/** A checkpoint row as summary.json spells it. */
export interface SummaryCheckpoint {
  readonly kind: string;
  readonly label?: string;
  readonly file: string;
  readonly line: number;
  readonly hits: number;
  readonly lastDelta: number;
  readonly sinceStart: number;
  readonly peak: number;
  readonly growthPerHit?: number;
}

/** The first value a series recorded. */
export function firstValue(store: MemoryStore, name: string): number | undefined {
  return store.get(name)?.firstValue;
}

export function peakOf(store: MemoryStore, name: string): number | undefined {
  const s = store.get(name);
  return s && s.count > 0 ? s.max : undefined;
}

const toSummary = (r: CheckpointRow): SummaryCheckpoint => ({
  kind: r.kind,
  label: r.label || undefined,
  file: r.file,
  line: r.line,
  hits: r.hits,
  lastDelta: r.delta,
  sinceStart: r.sinceStart,
  peak: r.peak,
  growthPerHit: r.growth,
});

const fromSummary = (c: SummaryCheckpoint): CheckpointRow => ({
  label: c.label ?? '',
  where: `${c.file.split(/[\\/]/).pop()}:${c.line}`,
  file: c.file,
  line: c.line,
  kind: c.kind,
  delta: c.lastDelta,
  sinceStart: c.sinceStart,
  peak: c.peak,
  hits: c.hits,
  growth: c.growthPerHit,
});

/** The rows of a summary as the table shows them. */
export function summaryRows(s: RunSummary): CheckpointRow[] {
  return s.checkpoints.map(fromSummary);
}

/** What every summary holds, from a run's store and location statistics; the caller adds how it ended. */
export function runSummary(store: MemoryStore, stats: readonly LocationStats[], command: readonly string[], durationS: number): Omit<RunSummary, 'exitCode' | 'signal'> {
  return {
    command,
    durationS,
    peak: summaryPeaks(store),
    start: { rss: firstValue(store, SeriesName.treeRss), system: firstValue(store, SeriesName.sysUsed) },
    checkpoints: checkpointRows(stats).map(toSummary),
  };
}

export function summaryPeaks(store: MemoryStore): RunSummary['peak'] {
  let gpu: number | undefined;
  for (const name of store.names()) if (parseSeriesName(name)?.family === 'gpu.used') gpu = Math.max(gpu ?? 0, peakOf(store, name) ?? 0);
  return {
    rss: peakOf(store, SeriesName.treeRss),
    pss: peakOf(store, SeriesName.treePss),
    system: peakOf(store, SeriesName.sysUsed),
    gpu: peakOf(store, SeriesName.treeGpu) ?? gpu,
    cgroup: peakOf(store, SeriesName.cgroupUsage),
  };
}

/** The summary as text: peaks, then the checkpoint table. */
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
    // A terminal gets no control characters from a program's labels.
    const rows = summaryRows(s).map((r) => CHECKPOINT_COLUMNS.map((c) => plainLabel(checkpointCell(r, c, units), c.key === 'label' ? 32 : 60)));
    lines.push('', ...textTable(CHECKPOINT_COLUMNS.map((c) => c.title), rows, (i) => CHECKPOINT_COLUMNS[i].numeric));
  }
  if (s.failed) lines.push('', s.failed);
  return lines.join('\n');
}
