import { shortName } from '../sessions/sessionLabel';
import type { AppendMessage, CheckpointRow, CompareMessage, CompareRow, EventData, Reporter, SeriesAppend, SeriesData, SeriesMeta, SnapshotMessage } from '../../shared/webviewMessages';
import type { LoadedRun } from '../../engine/recording/loadRecording';
import { commonLabels, compareLocations, firstHitOf } from '../../engine/session/compareRuns';
import type { MemoryStore } from '../../engine/store/memoryStore';
import { parseSeriesName, SeriesName, type SeriesFamily } from '../../engine/store/seriesName';
import type { Series } from '../../shared/series';
import { checkpointRows } from '../../engine/session/checkpointRows';
import type { EventKind } from '../../engine/store/eventIndex';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { pressureOf } from '../views/pressure';
import { newStepPoints, stepCount, stepPoints } from './stepData';

interface SeriesSpec {
  readonly label: (index: number | undefined, s: MonitoringSession) => string;
  readonly colour: string;
  readonly hidden?: boolean;
  readonly unit?: 'loss';
}

/** What the timeline draws per series family, in legend order; colours are theme variables. Families left out are not drawn. */
const SPECS: Partial<Record<SeriesFamily, SeriesSpec>> = {
  'tree.rss': { label: () => 'RSS (tree)', colour: '--vscode-charts-blue' },
  'tree.pss': { label: () => 'PSS (tree)', colour: '--vscode-charts-green' },
  'tree.vms': { label: () => 'VMS (tree)', colour: '--vscode-charts-purple', hidden: true },
  // Hidden until asked for: gigabytes of system memory flatten the program's own lines to the axis.
  'sys.used': { label: () => 'system used', colour: '--vscode-charts-foreground', hidden: true },
  'sys.available': { label: () => 'system available', colour: '--vscode-charts-lines', hidden: true },
  'cgroup.limit': { label: () => 'cgroup limit', colour: '--vscode-charts-red' },
  'cgroup.usage': { label: () => 'cgroup usage', colour: '--vscode-charts-orange', hidden: true },
  'gpu.used': { label: (i) => `GPU ${i} used`, colour: '--vscode-charts-orange' },
  'torch.cuda.allocated': { label: (i) => `cuda:${i} allocated`, colour: '--vscode-charts-yellow' },
  'torch.cuda.reserved': { label: (i) => `cuda:${i} reserved`, colour: '--vscode-charts-red' },
  'torch.mps.current': { label: () => 'MPS allocated', colour: '--vscode-charts-yellow' },
  'torch.mps.driver': { label: () => 'MPS driver', colour: '--vscode-charts-red', hidden: true },
  'mlx.active': { label: () => 'MLX active', colour: '--vscode-charts-yellow' },
  'mlx.cache': { label: () => 'MLX cache', colour: '--vscode-charts-red', hidden: true },
  // What the trainer callbacks add: sampled at 10 Hz, the tree's RSS misses a short step's peak.
  'train.step.peak': { label: () => 'peak in step', colour: '--vscode-charts-purple' },
  'loss.batch': { label: () => 'loss', colour: '--vscode-charts-lines', unit: 'loss' },
  'loss.epoch': { label: () => 'epoch loss', colour: '--vscode-charts-foreground', unit: 'loss', hidden: true },
  'proc.rss': {
    label: (pid, s) => `pid ${pid} ${s.monitor?.last?.tree.processes.find((p) => p.pid === pid)?.name ?? ''}`.trim(),
    colour: '--vscode-charts-purple',
    hidden: true,
  },
};
const ORDER = Object.keys(SPECS) as SeriesFamily[];

const EVENT_KINDS = new Set<EventKind>(['checkpoint', 'region', 'call', 'epoch', 'cleanup', 'debug-pause', 'alert', 'gap']);

/** A session's name for people: a recording shows its file name, not its full path. */
export function displayName(s: MonitoringSession): string {
  return s.source === 'recording' ? `${shortName(s)} (recording)` : s.name;
}

/** The session's extent, ms since the epoch. */
export function extentOf(s: MonitoringSession): { start: number; end: number } {
  return storeExtent(s.store) ?? { start: s.startedAt, end: s.startedAt };
}

/** First and last moment anything in the store covers; undefined when it is empty. */
export function storeExtent(store: MemoryStore): { start: number; end: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const name of store.names()) {
    const se = store.get(name);
    if (!se?.count) continue;
    start = Math.min(start, se.firstTime ?? Infinity);
    end = Math.max(end, se.lastTime ?? -Infinity);
  }
  const ev = store.events;
  if (ev.size) {
    start = Math.min(start, ev.timeAt(0));
    const last = ev.get(ev.size - 1);
    end = Math.max(end, last.tEnd ?? last.t);
  }
  return Number.isFinite(start) ? { start, end } : undefined;
}

/** One colour per rank, in turn (rank 0 not in the tree RSS blue): ranks are told apart by colour and legend name. */
const RANK_COLOURS = ['--vscode-charts-purple', '--vscode-charts-orange', '--vscode-charts-yellow', '--vscode-charts-red', '--vscode-charts-green', '--vscode-charts-blue'];

/** A rank's own RSS line (its process's sampled RSS), shown where a launch has ranks. */
function rankSpec(rank: number): SeriesSpec {
  return { label: (pid) => `rank ${rank} RSS (pid ${pid})`, colour: RANK_COLOURS[rank % RANK_COLOURS.length] };
}

/** The series the timeline draws, in legend order, with how to draw them. */
export function drawnSeries(s: MonitoringSession): SeriesMeta[] {
  const drawn: { name: string; order: number; index: number | undefined; spec: SeriesSpec }[] = [];
  const ranks = s.ingest.ranks();
  for (const name of s.store.names()) {
    const parsed = parseSeriesName(name);
    const rank = parsed?.family === 'proc.rss' && parsed.index !== undefined ? ranks.get(parsed.index) : undefined;
    const spec = rank !== undefined ? rankSpec(rank) : parsed && SPECS[parsed.family];
    if (!parsed || !spec || !(s.store.get(name)?.count ?? 0)) continue;
    drawn.push({ name, order: ORDER.indexOf(parsed.family), index: parsed.index, spec });
  }
  return drawn
    .sort((a, b) => a.order - b.order || (a.index ?? 0) - (b.index ?? 0) || a.name.localeCompare(b.name))
    .map(({ name, index, spec }) => ({ name, label: spec.label(index, s), colour: spec.colour, hidden: spec.hidden, unit: spec.unit, first: s.store.get(name)?.firstValue ?? 0 }));
}

/** Pixels between two checkpoint markers at least: denser, a loop's markers would fill the plot orange. */
const MARKER_SPACING = 4;

/** Markers and spans in [t0, t1]: at most one checkpoint per MARKER_SPACING pixels, so a 100-per-second loop stays readable. */
export function eventsIn(s: MonitoringSession, t0: number, t1: number, width: number): EventData[] {
  const events: EventData[] = [];
  const ix = s.store.events;
  const { from, to } = ix.span(t0, t1);
  let checkpoints = 0;
  for (let i = from; i < to; i++) if (ix.kindAt(i) === 'checkpoint') checkpoints++;
  const stride = Math.max(1, Math.ceil(checkpoints / (width / MARKER_SPACING)));
  let ci = 0;
  let spans = 0;
  for (let i = from; i < to; i++) {
    const kind = ix.kindAt(i);
    if (!EVENT_KINDS.has(kind)) continue;
    if (kind === 'checkpoint' && ci++ % stride !== 0) continue;
    if ((kind === 'region' || kind === 'call') && spans++ > 4000) continue;
    const e = ix.get(i);
    events.push({ t: e.t, tEnd: e.tEnd, kind: e.kind, label: e.label ?? '', file: e.file, line: e.line, delta: e.delta, peak: e.peak });
  }
  return events;
}

/** The checkpoint table's rows: the engine's one builder. */
export function checkpointRowsOf(s: MonitoringSession): CheckpointRow[] {
  return checkpointRows(s.ingest.all());
}

/**
 * Who can report checkpoints: a recording, a session some client has spoken to (its hello
 * counts), or none. An attached process, or a run without `headroom` calls, never will:
 * the panel says so instead of "No checkpoints yet".
 */
export function reporterOf(s: MonitoringSession): Reporter {
  if (s.source === 'recording') return 'recording';
  return s.connections.size > 0 || s.ingest.records > 0 ? 'client' : 'none';
}

export function thresholdOf(s: MonitoringSession, warningPercent: number): number | undefined {
  const p = pressureOf(s.monitor?.last);
  return p ? (p.limit * warningPercent) / 100 : undefined;
}

/** Everything the panel draws for [t0, t1] at `width` pixels: bounded by the width, not the run's length. */
export function buildSnapshot(s: MonitoringSession, view: { t0?: number; t1?: number; width: number }, warningPercent: number): SnapshotMessage {
  const { start, end } = extentOf(s);
  const t0 = view.t0 ?? start;
  const t1 = view.t1 ?? end;
  const width = Math.max(100, Math.min(4000, Math.round(view.width)));
  const series: SeriesData[] = drawnSeries(s).map((meta) => {
    const e = (s.store.get(meta.name) as Series).query(t0, t1, width);
    return { ...meta, t: e.t, min: e.min, max: e.max };
  });
  return {
    type: 'snapshot',
    t0,
    t1,
    start,
    end,
    series,
    events: eventsIn(s, t0, t1, width),
    rows: checkpointRowsOf(s),
    threshold: thresholdOf(s, warningPercent),
    live: s.live,
    reporter: reporterOf(s),
    sessionName: displayName(s),
    steps: stepPoints(s.store),
  };
}

/**
 * What the live panel has not seen yet: per series, the samples appended since `sent` (the
 * series' counts at the last message), updated in place. Undefined when a series moved on
 * further than its raw tier holds (the panel was hidden a long while): send a snapshot.
 */
export function buildAppend(s: MonitoringSession, sent: Map<string, number>, window: { t0: number; t1: number; width: number }, changed: { events: boolean; rows: boolean }, warningPercent: number): AppendMessage | undefined {
  const series: SeriesAppend[] = [];
  for (const meta of drawnSeries(s)) {
    const se = s.store.get(meta.name) as Series;
    const before = sent.get(meta.name);
    const n = se.count - (before ?? 0);
    if (n <= 0) continue;
    const tail = se.rawTail(n);
    if (!tail) return undefined;
    series.push({ name: meta.name, t: tail.t, v: tail.v, meta: before === undefined ? meta : undefined });
    sent.set(meta.name, se.count);
  }
  const steps = newStepPoints(s.store, sent);
  if (steps === null) return undefined;
  return {
    type: 'append',
    end: extentOf(s).end,
    series,
    events: changed.events ? eventsIn(s, window.t0, window.t1, window.width) : undefined,
    rows: changed.rows ? checkpointRowsOf(s) : undefined,
    threshold: thresholdOf(s, warningPercent),
    live: s.live,
    reporter: reporterOf(s),
    steps,
  };
}

/** The counts a snapshot covers (the steps' too), so appends carry on from there. */
export function seriesCounts(s: MonitoringSession): Map<string, number> {
  return new Map([...drawnSeries(s).map((m): [string, number] => [m.name, s.store.get(m.name)?.count ?? 0]), [SeriesName.trainStep, stepCount(s.store)]]);
}

/**
 * Another run drawn over this one: B's series that A also draws, shifted by `offset` so B's
 * start (or B's first hit of `alignedAt`) lines up with A's, queried for A's window (B's whole
 * run with `view.steps`: drawn against steps, B's steps are not at A's times); B's steps; and
 * the per-checkpoint differences (B minus A).
 */
export function buildCompare(a: MonitoringSession, b: LoadedRun, path: string, alignedAt: string, view: { t0: number; t1: number; width: number; steps?: boolean }): CompareMessage {
  const ea = extentOf(a);
  const eb = storeExtent(b.store) ?? ea;
  let offset = ea.start - eb.start;
  if (alignedAt) {
    const ta = firstHitOf(a.store.events, alignedAt);
    const tb = firstHitOf(b.store.events, alignedAt);
    if (ta !== undefined && tb !== undefined) offset = ta - tb;
  }
  const bName = path.split(/[\\/]/).pop() ?? path;
  const width = Math.max(100, Math.min(4000, Math.round(view.width)));
  const series: SeriesData[] = [];
  for (const meta of drawnSeries(a)) {
    const se = b.store.get(meta.name);
    if (!se?.count) continue;
    const e = view.steps ? se.query(eb.start, eb.end, width) : se.query(view.t0 - offset, view.t1 - offset, width);
    series.push({ ...meta, name: `compare:${meta.name}`, label: `${meta.label} (B)`, first: se.firstValue ?? 0, t: e.t.map((t) => t + offset), min: e.min, max: e.max });
  }
  const rows: CompareRow[] = compareLocations(a.ingest.all(), b.ingest.all()).map((c) => ({
    key: c.key,
    aSinceStart: c.a?.sinceStart,
    bSinceStart: c.b?.sinceStart,
    sinceStartDiff: c.sinceStartDiff,
    aPeak: c.a?.peak,
    bPeak: c.b?.peak,
    peakDiff: c.peakDiff,
    aHits: c.a?.hits,
    bHits: c.b?.hits,
  }));
  return { type: 'compare', name: bName, offset, alignedAt, labels: commonLabels(a.ingest.all(), b.ingest.all()), series, rows, recordingPath: path, steps: stepPoints(b.store, offset) };
}
