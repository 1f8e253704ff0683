import type { MonitorTick } from '../../engine/monitor';

/** How full the memory that can kill the job is: the cgroup limit when there is one, else the system. */
export interface Pressure {
  readonly used: number;
  readonly limit: number;
  readonly percent: number;
  readonly source: 'cgroup' | 'system';
}

export function pressureOf(tick: MonitorTick | undefined): Pressure | undefined {
  const s = tick?.system;
  if (!s) return undefined;
  if (s.cgroupLimit !== undefined && s.cgroupUsage !== undefined) {
    return { used: s.cgroupUsage, limit: s.cgroupLimit, percent: (100 * s.cgroupUsage) / s.cgroupLimit, source: 'cgroup' };
  }
  return { used: s.used, limit: s.total, percent: (100 * s.used) / s.total, source: 'system' };
}

export type Level = 'ok' | 'warning' | 'error';

export function levelOf(p: Pressure | undefined, warningPercent: number, errorPercent: number): Level {
  if (!p) return 'ok';
  return p.percent >= errorPercent ? 'error' : p.percent >= warningPercent ? 'warning' : 'ok';
}
