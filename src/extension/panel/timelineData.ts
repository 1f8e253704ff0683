import type { CheckpointRow, EventData, HostToWebview, SeriesData } from '../../shared/webviewMessages';
import { growthOf } from '../engine/session/recordIngest';
import type { EventKind } from '../engine/store/eventIndex';
import type { MonitoringSession } from '../sessions/monitoringSession';
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
  let start = Infinity;
  let end = -Infinity;
  for (const name of s.store.names()) {
    const se = s.store.get(name);
    if (!se?.count) continue;
    start = Math.min(start, se.firstTime ?? Infinity);
    end = Math.max(end, se.lastTime ?? -Infinity);
  }
  const ev = s.store.events;
  if (ev.size) {
    start = Math.min(start, ev.timeAt(0));
    const last = ev.get(ev.size - 1);
    end = Math.max(end, last.tEnd ?? last.t);
  }
  if (!Number.isFinite(start)) start = end = s.startedAt;
  return { start, end };
}

/** Everything the panel draws for [t0, t1] at `width` pixels: bounded by the width, not the run's length. */
export function buildTimelineData(s: MonitoringSession, view: { t0?: number; t1?: number; width: number }, warningPercent: number): Extract<HostToWebview, { type: 'data' }> {
  const { start, end } = extentOf(s);
  const t0 = view.t0 ?? start;
  const t1 = view.t1 ?? end;
  const width = Math.max(100, Math.min(4000, Math.round(view.width)));
  const series: SeriesData[] = [];
  const specIndex = (n: string) => SPECS.findIndex((sp) => sp.match.test(n));
  const names = s.store.names().filter((n) => specIndex(n) >= 0).sort((a, b) => specIndex(a) - specIndex(b) || a.localeCompare(b));
  for (const name of names) {
    const spec = SPECS[specIndex(name)];
    const se = s.store.get(name);
    if (!se?.count) continue;
    const e = se.query(t0, t1, width);
    series.push({ name, label: spec.label(spec.match.exec(name) as RegExpExecArray, s), colour: spec.colour, hidden: spec.hidden, t: e.t, min: e.min, max: e.max, first: se.firstValue ?? 0 });
  }
  // Markers: at most one checkpoint per two pixels, so a 100-per-second loop stays readable.
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
    events.push({ t: e.t, tEnd: e.tEnd, kind: e.kind, label: e.label ?? '', file: e.file, line: e.line });
  }
  const rows: CheckpointRow[] = s.ingest.all().map((l) => ({
    label: l.label ?? '',
    where: `${l.file.split(/[\\/]/).pop()}:${l.line}`,
    file: l.file,
    line: l.line,
    kind: l.kind,
    delta: l.lastDelta,
    sinceStart: l.sinceStart,
    peak: l.peak,
    hits: l.hits,
    growth: growthOf(l),
  }));
  const p = pressureOf(s.monitor?.last);
  return {
    type: 'data',
    t0,
    t1,
    start,
    end,
    series,
    events,
    rows,
    threshold: p ? (p.limit * warningPercent) / 100 : undefined,
    live: s.live,
    sessionName: displayName(s),
  };
}
