import type { AppendMessage, CheckpointRow, CompareMessage, CompareRow, EventData, SeriesAppend, SeriesData, SeriesMeta, SnapshotMessage } from '../../shared/webviewMessages';
import type { LoadedRun } from '../../engine/recording/loadRecording';
import { commonLabels, compareLocations, firstHitOf } from '../../engine/session/compareRuns';
import type { MemoryStore } from '../../engine/store/memoryStore';
import type { Series } from '../../shared/series';
import { checkpointRows } from '../../engine/session/checkpointRows';
import type { EventKind } from '../../engine/store/eventIndex';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { pressureOf } from '../views/pressure';

interface SeriesSpec {
  readonly match: RegExp;
  readonly label: (m: RegExpExecArray, s: MonitoringSession) => string;
  readonly colour: string;
  readonly hidden?: boolean;
}

/** What the timeline draws, in legend order; colours are theme variables. */
const SPECS: readonly SeriesSpec[] = [
  { match: /^tree\.rss$/, label: () => 'RSS (tree)', colour: '--vscode-charts-blue' },
  { match: /^tree\.pss$/, label: () => 'PSS (tree)', colour: '--vscode-charts-green' },
  { match: /^tree\.vms$/, label: () => 'VMS (tree)', colour: '--vscode-charts-purple', hidden: true },
  { match: /^sys\.used$/, label: () => 'system used', colour: '--vscode-charts-foreground' },
  { match: /^sys\.available$/, label: () => 'system available', colour: '--vscode-charts-lines', hidden: true },
  { match: /^cgroup\.limit$/, label: () => 'cgroup limit', colour: '--vscode-charts-red' },
  { match: /^cgroup\.usage$/, label: () => 'cgroup usage', colour: '--vscode-charts-orange', hidden: true },
  { match: /^gpu\.(\d+)\.used$/, label: (m) => `GPU ${m[1]} used`, colour: '--vscode-charts-orange' },
  { match: /^torch\.cuda:(\d+)\.allocated$/, label: (m) => `cuda:${m[1]} allocated`, colour: '--vscode-charts-yellow' },
  { match: /^torch\.cuda:(\d+)\.reserved$/, label: (m) => `cuda:${m[1]} reserved`, colour: '--vscode-charts-red' },
  { match: /^torch\.mps\.current$/, label: () => 'MPS allocated', colour: '--vscode-charts-yellow' },
  { match: /^torch\.mps\.driver$/, label: () => 'MPS driver', colour: '--vscode-charts-red', hidden: true },
  { match: /^mlx\.active$/, label: () => 'MLX active', colour: '--vscode-charts-yellow' },
  { match: /^mlx\.cache$/, label: () => 'MLX cache', colour: '--vscode-charts-red', hidden: true },
  {
    match: /^proc\.(\d+)\.rss$/,
    label: (m, s) => `pid ${m[1]} ${s.monitor?.last?.tree.processes.find((p) => p.pid === Number(m[1]))?.name ?? ''}`.trim(),
    colour: '--vscode-charts-purple',
    hidden: true,
  },
];

const EVENT_KINDS = new Set<EventKind>(['checkpoint', 'region', 'call', 'epoch', 'cleanup', 'debug-pause', 'alert']);

/** A session's name for people: a recording shows its file name, not its full path. */
export function displayName(s: MonitoringSession): string {
  return s.source === 'recording' ? `${s.name.split(/[\\/]/).pop()} (recording)` : s.name;
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

/** The series the timeline draws, in legend order, with how to draw them. */
export function drawnSeries(s: MonitoringSession): SeriesMeta[] {
  const specIndex = (n: string) => SPECS.findIndex((sp) => sp.match.test(n));
  return s.store
    .names()
    .filter((n) => specIndex(n) >= 0 && (s.store.get(n)?.count ?? 0) > 0)
    .sort((a, b) => specIndex(a) - specIndex(b) || a.localeCompare(b))
    .map((name) => {
      const spec = SPECS[specIndex(name)];
      return { name, label: spec.label(spec.match.exec(name) as RegExpExecArray, s), colour: spec.colour, hidden: spec.hidden, first: s.store.get(name)?.firstValue ?? 0 };
    });
}

/** Markers and spans in [t0, t1]: at most one checkpoint per two pixels, so a 100-per-second loop stays readable. */
export function eventsIn(s: MonitoringSession, t0: number, t1: number, width: number): EventData[] {
  const events: EventData[] = [];
  const ix = s.store.events;
  const { from, to } = ix.span(t0, t1);
  let checkpoints = 0;
  for (let i = from; i < to; i++) if (ix.kindAt(i) === 'checkpoint') checkpoints++;
  const stride = Math.max(1, Math.ceil(checkpoints / (width / 2)));
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
    sessionName: displayName(s),
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
  return {
    type: 'append',
    end: extentOf(s).end,
    series,
    events: changed.events ? eventsIn(s, window.t0, window.t1, window.width) : undefined,
    rows: changed.rows ? checkpointRowsOf(s) : undefined,
    threshold: thresholdOf(s, warningPercent),
    live: s.live,
  };
}

/** The counts a snapshot covers, so appends carry on from there. */
export function seriesCounts(s: MonitoringSession): Map<string, number> {
  return new Map(drawnSeries(s).map((m) => [m.name, s.store.get(m.name)?.count ?? 0]));
}

/**
 * Another run drawn over this one: B's series that A also draws, shifted by `offset` so B's
 * start (or B's first hit of `alignedAt`) lines up with A's, queried for A's window; and the
 * per-checkpoint differences (B minus A).
 */
export function buildCompare(a: MonitoringSession, b: LoadedRun, path: string, alignedAt: string, view: { t0: number; t1: number; width: number }): CompareMessage {
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
    const e = se.query(view.t0 - offset, view.t1 - offset, width);
    series.push({ ...meta, name: `compare:${meta.name}`, label: `${meta.label} · ${bName}`, first: se.firstValue ?? 0, t: e.t.map((t) => t + offset), min: e.min, max: e.max });
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
  return { type: 'compare', name: bName, offset, alignedAt, labels: commonLabels(a.ingest.all(), b.ingest.all()), series, rows, recordingPath: path };
}
