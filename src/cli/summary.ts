import { allocationsSummary, allocationsText, type SummaryAllocations } from './allocationsReport';
import type { AllocationSites } from '../engine/session/allocations';
import { endText, type EndExplanation } from '../engine/oom/endExplanation';
import { checkpointRows } from '../engine/session/checkpointRows';
import { guardActionText, type GuardAction } from '../engine/session/guard';
import type { LocationStats } from '../engine/session/recordIngest';
import { SeriesName, type MemoryStore } from '../engine/store/memoryStore';
import { parseSeriesName } from '../engine/store/seriesName';
import { checkpointCell, columnsFor } from '../shared/checkpointColumns';
import { formatBytes, formatDuration, formatPercent, plainLabel, type Units } from '../shared/format';
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
  /** Ranks of a distributed launch, each with its process and peak RSS; absent for other programs. */
  readonly ranks?: readonly { readonly rank: number; readonly pid: number; readonly peakRss?: number }[];
  readonly failAbove?: number;
  readonly failed?: string;
  /** How the run ended, explained (the out-of-memory killer, a framework's OOM error); absent for older recordings. */
  readonly end?: EndExplanation;
  /** Memory pressure (Linux PSI): the highest stall percent of a sample interval; absent without PSI. */
  readonly pressure?: { readonly some?: number; readonly full?: number; readonly cgroupSome?: number; readonly cgroupFull?: number };
  /** The guard's setting and what it did. */
  readonly guard?: { readonly mode: string; readonly above?: number; readonly actions: readonly GuardAction[] };
  /** The top sites of the run's newest allocation snapshot; absent when it took none. */
  readonly allocations?: SummaryAllocations;
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
  /** Ranks of a launch: the spread of the last delta, and a rank far above the others. */
  readonly rankMax?: number;
  readonly rankMaxOf?: number;
  readonly rankMin?: number;
  readonly rankMinOf?: number;
  readonly rankOutlier?: number;
  /** Every rank's own figures at this line. */
  readonly ranks?: readonly { readonly rank: number; readonly pid: number; readonly lastDelta: number; readonly sinceStart: number; readonly peak: number; readonly hits: number }[];
}

/** The first value a series recorded. */
export function firstValue(store: MemoryStore, name: string): number | undefined {
  return store.get(name)?.firstValue;
}

export function peakOf(store: MemoryStore, name: string): number | undefined {
  const s = store.get(name);
  return s && s.count > 0 ? s.max : undefined;
}

const toSummary = (r: CheckpointRow, s: LocationStats | undefined): SummaryCheckpoint => ({
  kind: r.kind,
  label: r.label || undefined,
  file: r.file,
  line: r.line,
  hits: r.hits,
  lastDelta: r.delta,
  sinceStart: r.sinceStart,
  peak: r.peak,
  growthPerHit: r.growth,
  rankMax: r.rankMax,
  rankMaxOf: r.rankMaxOf,
  rankMin: r.rankMin,
  rankMinOf: r.rankMinOf,
  rankOutlier: r.rankOutlier,
  ranks: s?.ranks && [...s.ranks.values()].sort((a, b) => a.rank - b.rank).map((f) => ({ rank: f.rank, pid: f.pid, lastDelta: f.lastDelta, sinceStart: f.sinceStart, peak: f.peak, hits: f.hits })),
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
  rankMax: c.rankMax,
  rankMaxOf: c.rankMaxOf,
  rankMin: c.rankMin,
  rankMinOf: c.rankMinOf,
  rankOutlier: c.rankOutlier,
});

/** The rows of a summary as the table shows them. */
export function summaryRows(s: RunSummary): CheckpointRow[] {
  return s.checkpoints.map(fromSummary);
}

/**
 * What every summary holds, from a run's store, location statistics and ranks (pid -> rank);
 * the caller adds how it ended.
 */
export function runSummary(
  store: MemoryStore,
  stats: readonly LocationStats[],
  ranks: ReadonlyMap<number, number>,
  command: readonly string[],
  durationS: number,
  allocations?: AllocationSites,
): Omit<RunSummary, 'exitCode' | 'signal'> {
  const at = new Map(stats.map((s) => [`${s.line}:${s.file}`, s]));
  return {
    command,
    durationS,
    peak: summaryPeaks(store),
    pressure: summaryPressure(store),
    guard: guardSummary(store),
    start: { rss: firstValue(store, SeriesName.treeRss), system: firstValue(store, SeriesName.sysUsed) },
    checkpoints: checkpointRows(stats).map((r) => toSummary(r, at.get(`${r.line}:${r.file}`))),
    ranks: ranks.size
      ? [...ranks].sort((a, b) => a[1] - b[1]).map(([pid, rank]) => ({ rank, pid, peakRss: peakOf(store, SeriesName.procRss(pid)) }))
      : undefined,
    allocations: allocationsSummary(allocations),
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

/** The highest stall percent of each PSI series; undefined where the kernel has no PSI. */
export function summaryPressure(store: MemoryStore): RunSummary['pressure'] {
  const p = {
    some: peakOf(store, SeriesName.psiSome),
    full: peakOf(store, SeriesName.psiFull),
    cgroupSome: peakOf(store, SeriesName.cgroupPsiSome),
    cgroupFull: peakOf(store, SeriesName.cgroupPsiFull),
  };
  return Object.values(p).some((v) => v !== undefined) ? p : undefined;
}

/** The guard's actions as the store's events hold them (live, or read back from a recording). */
export function guardActionsOf(store: MemoryStore): GuardAction[] {
  return store.events
    .all()
    .filter((e) => e.kind === 'alert' && e.data?.alert === 'guard')
    .map((e) => {
      // A recording's event holds the whole guard record: its type is not the action's.
      const { alert: _alert, type: _type, ...action } = e.data as unknown as GuardAction & { alert: string; type?: string };
      return action;
    });
}

/** The guard's actions found in the store; the mode is the first action's (a run knows its own setting better). */
function guardSummary(store: MemoryStore): RunSummary['guard'] {
  const actions = guardActionsOf(store);
  return actions.length ? { mode: actions[0].mode, actions } : undefined;
}

/** `memory stall (PSI): some 12% | full 3%`, when the kernel saw any stall; nothing otherwise. */
function pressureLine(p: RunSummary['pressure']): string | undefined {
  if (!p) return undefined;
  const parts: string[] = [];
  if (p.some) parts.push(`some ${formatPercent(p.some)}`);
  if (p.full) parts.push(`full ${formatPercent(p.full)}`);
  if (p.cgroupSome) parts.push(`cgroup some ${formatPercent(p.cgroupSome)}`);
  if (p.cgroupFull) parts.push(`cgroup full ${formatPercent(p.cgroupFull)}`);
  return parts.length ? `memory stall (PSI, highest over a sample): ${parts.join(' | ')}` : undefined;
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
  const stall = pressureLine(s.pressure);
  if (stall) lines.push(stall);
  for (const a of s.guard?.actions.slice(0, 5) ?? []) lines.push(guardActionText(a, units));
  if (s.end && s.end.kind !== 'none') lines.push(endText(s.end, units));
  else if (s.signal && s.lastCheckpoint) lines.push(`last checkpoint reached: ${plainLabel(s.lastCheckpoint.label ?? '', 60) || '(no label)'} at ${s.lastCheckpoint.file}:${s.lastCheckpoint.line}`);
  if (s.ranks?.length) {
    const rows = s.ranks.map((r) => [String(r.rank), String(r.pid), b(r.peakRss)]);
    lines.push('', ...textTable(['rank', 'pid', 'peak RSS'], rows, () => true));
  }
  if (s.checkpoints.length) {
    // A terminal gets no control characters from a program's labels.
    const all = summaryRows(s);
    const columns = columnsFor(all);
    const rows = all.map((r) => columns.map((c) => plainLabel(checkpointCell(r, c, units), c.key === 'label' ? 32 : 80)));
    lines.push('', ...textTable(columns.map((c) => c.title), rows, (i) => columns[i].numeric));
  }
  if (s.allocations) lines.push('', ...allocationsText(s.allocations, units));
  if (s.failed) lines.push('', s.failed);
  return lines.join('\n');
}
