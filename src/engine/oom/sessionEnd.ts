import type { Series } from '../../shared/series';
import type { MonitoringSession } from '../session/monitoringSession';
import { SeriesName } from '../store/seriesName';
import { explainEnd, type EndExplanation, type EndFacts, type KillingLimit } from './endExplanation';
import { biggestProcess } from './processRole';

/** How the root process ended, when whoever started it knows. */
export interface RunExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** How far before the root's last sample "the memory at the end" looks. */
const END_WINDOW_MS = 2000;

function recentMax(series: Series | undefined, t0: number, t1: number): number | undefined {
  if (!series) return undefined;
  const { v } = series.raw(t0, t1);
  let max: number | undefined;
  for (let i = 0; i < v.length; i++) if (max === undefined || v[i] > max) max = v[i];
  return max;
}

/**
 * What a live session knew at its end: its last sample before the end, the OOM counters read
 * once more now, its newest checkpoint and the last out-of-memory error a client reported.
 */
export function sessionEndFacts(session: MonitoringSession, exit: RunExit | undefined, now = Date.now()): EndFacts {
  const m = session.monitor;
  const kernel = m?.readKernelCounters();
  const alive = m?.lastAlive;
  const sys = alive?.system;
  const store = session.store;
  const cgLimit = sys?.cgroupLimit ?? store.get(SeriesName.cgroupLimit)?.lastValue;
  let limit: KillingLimit | undefined;
  let memory: number | undefined;
  let peak: number | undefined;
  // The memory at the end: the highest reading from the root's last seconds on. The last one
  // alone may come after the kill freed it all; readings while a killed process's memory is
  // being freed are on the way down from the kill, so they count.
  const from = (alive?.tree.t ?? now) - END_WINDOW_MS;
  if (cgLimit !== undefined) {
    const usage = store.get(SeriesName.cgroupUsage);
    limit = { kind: 'cgroup', bytes: cgLimit };
    memory = recentMax(usage, from, now) ?? sys?.cgroupUsage;
    peak = usage?.count ? usage.max : undefined;
  } else if (sys) {
    const used = store.get(SeriesName.sysUsed);
    limit = { kind: 'system', bytes: sys.total };
    memory = recentMax(used, from, now) ?? sys.used;
    peak = used?.count ? used.max : undefined;
  }
  const procs = alive?.tree.processes ?? [];
  const last = session.ingest.lastCheckpoint;
  return {
    t: now,
    exit,
    oomKills: kernel?.oomKills ?? {},
    limit,
    memory,
    peak,
    lastCheckpoint: last && { label: last.label, file: last.file, line: last.line, t: last.t },
    // One process is the program itself: naming it says nothing.
    biggest: procs.length > 1 ? biggestProcess(procs, session.ingest.ranks()) : undefined,
    oom: session.ingest.lastOom,
  };
}

/**
 * Explains a live session's end and records it: an `end` record in the recording and, for
 * anything but `none`, an `alert` event (`data.alert` = the kind) at the end of the timeline.
 */
export function recordSessionEnd(session: MonitoringSession, exit: RunExit | undefined, now = Date.now()): EndExplanation {
  const e = explainEnd(sessionEndFacts(session, exit, now));
  session.monitor?.record({ type: 'end', t: e.t, explanation: e });
  if (e.kind !== 'none') session.store.events.add({ t: e.t, kind: 'alert', label: e.text, pid: session.rootPid, data: { alert: e.kind, explanation: e } });
  return e;
}
