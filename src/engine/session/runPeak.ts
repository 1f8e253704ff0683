// The run's peak RSS, one figure wherever it is shown (status bar, the Headroom view, reports).
import { SeriesName } from '../store/seriesName';
import type { MemoryStore } from '../store/memoryStore';
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
