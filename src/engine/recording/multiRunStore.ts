// A multi-node run as the timeline draws it: one line per rank (or per host without ranks),
// on the wall clock, in the run's combined store.
import { SeriesName } from '../store/seriesName';
import { globalPid, type MultiRun } from './multiRun';

/**
 * Copies each part's lines into the run's store: every rank's process RSS under its global pid
 * (the ingest knows its rank, so the timeline labels it `rank N RSS`), and, for a part without
 * ranks, its tree RSS as the line of its root. Returns how many lines were copied.
 */
export function drawPartsIntoStore(run: MultiRun): number {
  let lines = 0;
  for (const part of run.parts) {
    const pids = part.rankPids.size ? [...part.rankPids.values()] : [part.header.rootPid];
    for (const pid of pids) {
      const src = part.rankPids.size ? part.store.get(SeriesName.procRss(pid)) : part.store.get(SeriesName.treeRss);
      if (!src || src.count === 0) continue;
      const { t, v } = src.raw(-Infinity, Infinity);
      const name = SeriesName.procRss(globalPid(part.index, pid));
      for (let i = 0; i < t.length; i++) run.store.append(name, t[i], v[i]);
      lines++;
    }
  }
  return lines;
}
