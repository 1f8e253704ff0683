// What CodeLens and its hover say about one location: pure text, no editor API, so it is
// unit-tested. Labels come from programs: they are defused, never markup or links.
import { rankSpread } from '../../engine/session/rankFigures';
import { growthOf, recentHits, type LocationStats } from '../../engine/session/recordIngest';
import { formatBytes, plainLabel, type Units } from '../../shared/format';

/** What a location's delta measures, in the lens's words. */
const MEASURES: Record<LocationStats['kind'], string> = { checkpoint: 'since previous', region: 'kept by block', call: 'kept per call' };

/**
 * One lens, worded so that no number can be misread:
 * `after forward: +1.20 GB since previous | RSS 2.20 GB | +1.20 GB since start | 12 hits | rising +35.0 MB/hit`,
 * `load: +12.0 MB kept by block, peak +315 MB inside | RSS 1.20 GB | 3 hits`,
 * `start: RSS 512 MB | 1 hit` (a first reading has no delta to show).
 */
export function lensTitle(s: LocationStats, units: Units): string {
  const bytes = (x: number) => formatBytes(x, units);
  const signed = (x: number) => formatBytes(x, units, true);
  const label = plainLabel(s.label, 40);
  const head = label ? `${label}: ` : '';
  const what = MEASURES[s.kind];
  const first = s.kind === 'checkpoint' && s.lastDelta === 0 && s.sinceStart === 0;
  const parts: string[] = [];
  const spread = rankSpread(s);
  if (spread) {
    // Ranks of one launch: the spread is what matters, since the rank that runs out ends the job.
    const { max, min } = spread;
    parts.push(
      max.lastDelta === min.lastDelta
        ? `${head}${signed(max.lastDelta)} ${what} on every rank`
        : `${head}max ${signed(max.lastDelta)} (rank ${max.rank}) · min ${signed(min.lastDelta)} (rank ${min.rank}) ${what}`,
    );
    if (spread.outlier) parts.push(`⚠ rank ${spread.outlier.rank} ${bytes(spread.outlier.above)} above the others`);
  } else if (first) {
    parts.push(`${head}RSS ${bytes(s.lastRss)}`);
  } else {
    // A block that climbed and came back down: its peak inside is what it cost while it ran.
    const inside = s.kind !== 'checkpoint' && s.lastPeakAbove > Math.max(0, s.lastDelta) ? `, peak ${signed(s.lastPeakAbove)} inside` : '';
    parts.push(`${head}${signed(s.lastDelta)} ${what}${inside}`);
  }
  if (s.cudaReservedDelta !== undefined && s.cudaReservedDelta !== 0) parts.push(`CUDA ${signed(s.cudaReservedDelta)} reserved`);
  if (!first) parts.push(`RSS ${bytes(s.lastRss)}`);
  if (s.kind === 'checkpoint' && !first) parts.push(`${signed(s.sinceStart)} since start`);
  parts.push(`${s.hits} ${s.hits === 1 ? 'hit' : 'hits'}`);
  const g = growthOf(s);
  if (g !== undefined) {
    // RSS that rises from hit to hit while the block itself keeps little grows elsewhere: say so.
    const elsewhere = s.kind !== 'checkpoint' && s.lastDelta < g / 2 ? ` outside the ${s.kind === 'call' ? 'call' : 'block'}` : '';
    parts.push(`rising ${signed(g)}/hit${elsewhere}`);
  }
  return parts.join(' | ');
}

/** The lens's tooltip: what its numbers mean, whose they are, and what a click does. */
export function lensTooltip(s: LocationStats, sessionName: string): string {
  const meaning =
    s.kind === 'checkpoint'
      ? 'RSS change since the previous checkpoint of the same process'
      : s.kind === 'region'
        ? 'RSS the block kept when it ended, and its peak inside above where it started'
        : 'RSS each call kept when it returned, and its peak inside above where it started';
  return `${meaning}. From ${plainLabel(sessionName, 80)}. Click to open its timeline at this ${s.kind}.`;
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
