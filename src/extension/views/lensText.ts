// What CodeLens and its hover say about one location: pure text, no editor API, so it is
// unit-tested. Labels come from programs: they are defused, never markup or links.
import { rankSpread } from '../../engine/session/rankFigures';
import { growthOf, recentHits, type LocationStats } from '../../engine/session/recordIngest';
import { formatBytes, plainLabel, type Units } from '../../shared/format';

/** `after forward: +1.20 GB RSS | CUDA +800 MB reserved | peak 2.9 GB | 12 hits | +35 MB/hit`. */
export function lensTitle(s: LocationStats, units: Units): string {
  const parts: string[] = [];
  const label = plainLabel(s.label, 40);
  const what = s.kind === 'checkpoint' ? 'RSS' : s.kind === 'region' ? 'RSS in block' : 'RSS per call';
  const spread = rankSpread(s);
  if (spread) {
    // Ranks of one launch: the spread is what matters, since the rank that runs out ends the job.
    const { max, min } = spread;
    const spreadText =
      max.lastDelta === min.lastDelta
        ? `${formatBytes(max.lastDelta, units, true)} ${what} on every rank`
        : `${formatBytes(max.lastDelta, units, true)} ${what} max (rank ${max.rank}) · min ${formatBytes(min.lastDelta, units, true)} (rank ${min.rank})`;
    parts.push(`${label ? `${label}: ` : ''}${spreadText}`);
    if (spread.outlier) parts.push(`⚠ rank ${spread.outlier.rank} ${formatBytes(spread.outlier.above, units)} above the others`);
  } else parts.push(`${label ? `${label}: ` : ''}${formatBytes(s.lastDelta, units, true)} ${what}`);
  if (s.cudaReservedDelta !== undefined && s.cudaReservedDelta !== 0) parts.push(`CUDA ${formatBytes(s.cudaReservedDelta, units, true)} reserved`);
  if (s.kind === 'checkpoint') parts.push(`${formatBytes(s.sinceStart, units, true)} since start`);
  parts.push(`peak ${formatBytes(s.peak, units)}`);
  parts.push(`${s.hits} ${s.hits === 1 ? 'hit' : 'hits'}`);
  const g = growthOf(s);
  if (g !== undefined) parts.push(`growing ${formatBytes(g, units, true)}/hit`);
  return parts.join(' | ');
}

/** The last hits as a small plain-text table (labels defused; nothing is a link or markup). */
export function hoverTable(s: LocationStats, units: Units): string {
  const rows = recentHits(s)
    .reverse()
    .map((h) => {
      const time = new Date(h.t).toLocaleTimeString();
      return `${time.padEnd(12)} ${String(h.pid).padStart(7)} ${formatBytes(h.rss, units).padStart(10)} ${formatBytes(h.delta, units, true).padStart(11)}  ${plainLabel(h.label, 40)}`;
    });
  const head = `${'time'.padEnd(12)} ${'pid'.padStart(7)} ${'RSS'.padStart(10)} ${'delta'.padStart(11)}  label`;
  // A code block shows the table aligned; its text cannot open a new fence (no backticks survive).
  return [head, ...rows].join('\n').replace(/`/g, 'ˋ');
}

/** Every rank's figures at a location, as a plain-text table; undefined when its hits are not from ranks. */
export function rankTable(s: LocationStats, units: Units): string | undefined {
  const spread = rankSpread(s);
  if (!spread) return undefined;
  const head = `${'rank'.padStart(4)} ${'pid'.padStart(7)} ${'RSS'.padStart(10)} ${'delta'.padStart(11)} ${'since start'.padStart(11)} ${'peak'.padStart(10)} ${'hits'.padStart(5)}`;
  const rows = spread.ranks.map(
    (f) =>
      `${String(f.rank).padStart(4)} ${String(f.pid).padStart(7)} ${formatBytes(f.lastRss, units).padStart(10)} ${formatBytes(f.lastDelta, units, true).padStart(11)} ${formatBytes(f.sinceStart, units, true).padStart(11)} ${formatBytes(f.peak, units).padStart(10)} ${String(f.hits).padStart(5)}${spread.outlier?.rank === f.rank ? '  ⚠ far above the others' : ''}`,
  );
  return [head, ...rows].join('\n');
}
