import type { MonitoringSession } from '../session/monitoringSession';
import { SeriesName } from '../store/seriesName';
import { explainEnd, type EndExplanation, type EndFacts, type KillingLimit } from './endExplanation';
import { biggestProcess } from './processRole';

/** How the root process ended, when whoever started it knows. */
export interface RunExit {
  readonly code: number | null;
  readonly signal: string | null;
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
  if (cgLimit !== undefined) {
    const usage = store.get(SeriesName.cgroupUsage);
    limit = { kind: 'cgroup', bytes: cgLimit };
    memory = usage?.lastValue ?? sys?.cgroupUsage;
    peak = usage?.count ? usage.max : undefined;
  } else if (sys) {
    const used = store.get(SeriesName.sysUsed);
    limit = { kind: 'system', bytes: sys.total };
    memory = sys.used;
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
