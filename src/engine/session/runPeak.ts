// The run's peak RSS, one figure wherever it is shown (status bar, the Headroom view, reports).
import { SeriesName } from '../store/seriesName';
import type { MemoryStore } from '../store/memoryStore';
import type { MonitoringSession } from './monitoringSession';
import type { RecordIngest } from './recordIngest';

/**
 * The highest RSS the run is known to have reached: the sampled tree's maximum, or what the
 * program itself reported at a checkpoint, inside a block or a notebook cell when that was
 * higher. A process's own RSS is part of the tree's, so the larger is still a figure the tree
 * really reached: the sampler may start after a short spike (a kernel that connects in the
 * cell that allocates) or miss one between two samples; the program's peak sampler does not.
 */
export function runPeakRss(store: MemoryStore, ingest: RecordIngest): number | undefined {
  let peak = store.get(SeriesName.treeRss)?.max;
  const higher = (x: number | undefined) => {
    if (x !== undefined && Number.isFinite(x) && (peak === undefined || !Number.isFinite(peak) || x > peak)) peak = x;
  };
  for (const s of ingest.all()) higher(s.peak);
  for (const r of ingest.cells.all()) higher(r.peak);
  return peak;
}

/** The one size a view shows for a session: its tree's RSS now while it runs, its peak once it has ended. */
export function shownRss(s: Pick<MonitoringSession, 'live' | 'monitor' | 'store' | 'ingest'>): number | undefined {
  return s.live ? (s.monitor?.last?.tree.rss ?? s.store.get(SeriesName.treeRss)?.lastValue) : runPeakRss(s.store, s.ingest);
}
