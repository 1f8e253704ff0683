import type { SystemSample, TreeSample } from '../sampling/types';
import { EventIndex } from './eventIndex';
import { Series, type Envelope, type SeriesOptions } from '../../shared/series';
import { SeriesName } from './seriesName';

// Re-exported: the series names used to live here, and callers still import them from the store.
export { SeriesName } from './seriesName';

/** Every series of one monitoring session, plus its events. */
export class MemoryStore {
  private readonly series = new Map<string, Series>();
  readonly events: EventIndex;

  constructor(private readonly options: SeriesOptions & { eventCapacity?: number } = {}) {
    this.events = new EventIndex(options.eventCapacity);
  }

  /** Appends a point to series `name` (made on first use); a non-finite value is dropped. */
  append(name: string, t: number, v: number): void {
    if (!Number.isFinite(v)) return;
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = new Series(this.options)));
    s.append(t, v);
  }

  /** The series called `name`, if anything was appended to it. */
  get(name: string): Series | undefined {
    return this.series.get(name);
  }

  /** Names of every series, in the order they were made. */
  names(): string[] {
    return [...this.series.keys()];
  }

  /** Series `name` between `t0` and `t1`, reduced to at most `maxPoints`. */
  query(name: string, t0: number, t1: number, maxPoints: number): Envelope | undefined {
    return this.series.get(name)?.query(t0, t1, maxPoints);
  }

  /** Appends a tree sample's sums and per-process RSS. */
  addTreeSample(s: TreeSample): void {
    this.append(SeriesName.treeRss, s.t, s.rss);
    this.append(SeriesName.treeVms, s.t, s.vms);
    if (s.pss !== undefined) this.append(SeriesName.treePss, s.t, s.pss);
    if (s.uss !== undefined) this.append(SeriesName.treeUss, s.t, s.uss);
    for (const p of s.processes) this.append(SeriesName.procRss(p.pid), s.t, p.rss);
  }

  /** Appends a system sample's memory and cgroup readings. */
  addSystemSample(s: SystemSample): void {
    this.append(SeriesName.sysUsed, s.t, s.used);
    this.append(SeriesName.sysAvailable, s.t, s.available);
    if (s.cgroupUsage !== undefined) this.append(SeriesName.cgroupUsage, s.t, s.cgroupUsage);
    if (s.cgroupLimit !== undefined) this.append(SeriesName.cgroupLimit, s.t, s.cgroupLimit);
  }

  /** Bytes held by all series. */
  get bytes(): number {
    let b = 0;
    for (const s of this.series.values()) b += s.bytes;
    return b;
  }
}
