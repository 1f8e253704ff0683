// The webview's one state object and the changes host messages make to it. No DOM here.
import type { Units } from '../shared/format';
import { Series } from '../shared/series';
import type { AppendMessage, CheckpointRow, CompareMessage, SeriesMeta, SnapshotMessage } from '../shared/webviewMessages';
import { LOCAL_RAW_CAPACITY, secondsSince, seriesOf } from './points';
import { appendSteps, buildStepMap, type StepMap, type StepTrack } from './stepAxis';

/** The last snapshot, its extent and markers brought up to date by appends. */
export type ViewData = { -readonly [K in keyof SnapshotMessage]: SnapshotMessage[K] };

/** The webview's own copy of one series. */
export interface LocalSeries {
  readonly meta: SeriesMeta;
  readonly series: Series;
}

export interface TimelineState {
  units: Units;
  data: ViewData | undefined;
  /**
   * The webview's own copy of each series: a snapshot's envelope, then the live samples
   * appended to it. Drawing queries it at the plot's width, so a frame costs the same
   * however long the run.
   */
  readonly local: Map<string, LocalSeries>;
  /** The recording drawn over this one, if any. */
  compare: CompareMessage | undefined;
  /** Keep the newest data in view (off once the user pans or zooms). */
  follow: boolean;
  /** Draw each series relative to its first value. */
  fromZero: boolean;
  /** The x axis asked for: time, or the training's steps (drawn in steps only where inSteps() says so). */
  xAxis: 'time' | 'steps';
  /** The session's step records, and the map from time to step built from them (undefined: no steps). */
  steps: StepTrack | undefined;
  stepMap: StepMap | undefined;
  /** The compared recording's map, from its own steps. */
  compareStepMap: StepMap | undefined;
  /** Series the user toggled in the legend (`show:<name>` shows a series hidden by default). */
  readonly hiddenSeries: Set<string>;
  sortKey: keyof CheckpointRow;
  sortDesc: boolean;
}

export function createState(): TimelineState {
  return {
    units: 'GB',
    data: undefined,
    local: new Map(),
    compare: undefined,
    follow: true,
    fromZero: false,
    xAxis: 'time',
    steps: undefined,
    stepMap: undefined,
    compareStepMap: undefined,
    hiddenSeries: new Set(),
    sortKey: 'sinceStart',
    sortDesc: true,
  };
}

/** A snapshot replaces the data and every local series. */
export function applySnapshot(s: TimelineState, m: SnapshotMessage): void {
  s.data = { ...m };
  s.local.clear();
  for (const d of m.series) s.local.set(d.name, { meta: d, series: seriesOf(d) });
  s.steps = m.steps && { t: Array.from(m.steps.t), step: Array.from(m.steps.step) };
  mapSteps(s);
  applyCompare(s, s.compare); // the origin may have moved
}

/** The compared recording (or none): its step map. */
export function applyCompare(s: TimelineState, m: CompareMessage | undefined): void {
  s.compare = m;
  s.compareStepMap = m?.steps && s.data ? buildStepMap(m.steps.t, m.steps.step, s.data.start) : undefined;
}

/** Rebuilds the session's step map from its track. */
function mapSteps(s: TimelineState): void {
  s.stepMap = s.steps && s.data ? buildStepMap(s.steps.t, s.steps.step, s.data.start) : undefined;
}

/**
 * Live samples onto the local series (a series new to the view needs its meta), the extent,
 * markers and rows. False when there is no snapshot to add to (nothing changed).
 */
export function applyAppend(s: TimelineState, m: AppendMessage): boolean {
  const data = s.data;
  if (!data) return false;
  for (const a of m.series) {
    let entry = s.local.get(a.name);
    if (!entry) {
      if (!a.meta) continue;
      entry = { meta: a.meta, series: new Series({ rawCapacity: LOCAL_RAW_CAPACITY }) };
      s.local.set(a.name, entry);
    }
    for (let i = 0; i < a.t.length; i++) entry.series.append(a.t[i], a.v[i]);
  }
  data.end = Math.max(data.end, m.end);
  data.live = m.live;
  data.reporter = m.reporter;
  data.threshold = m.threshold;
  if (m.events) data.events = m.events;
  if (m.rows) data.rows = m.rows;
  if (m.steps?.t.length) {
    appendSteps((s.steps ??= { t: [], step: [] }), m.steps.t, m.steps.step);
    mapSteps(s);
  }
  if (s.follow) data.t1 = data.end;
  return true;
}

/** Nothing to show: no data and no local series. */
export function clearData(s: TimelineState): void {
  s.data = undefined;
  s.local.clear();
  s.steps = s.stepMap = undefined;
}

/** Seconds from the session start to `t` (0 with no data). */
export function relTime(s: TimelineState, t: number): number {
  return s.data ? secondsSince(s.data.start, t) : 0;
}
