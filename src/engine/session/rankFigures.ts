import type { LocationStats } from './locationStats';

/** One rank's figures at one location (ranks of a torchrun / accelerate / deepspeed launch). Bytes. */
export interface RankFigures {
  readonly rank: number;
  pid: number;
  hits: number;
  /** RSS delta of this rank's last hit. */
  lastDelta: number;
  /** This rank's RSS at its last hit minus its first reading. */
  sinceStart: number;
  /** This rank's RSS at its last hit. */
  lastRss: number;
  /** The highest RSS this rank reached here. */
  peak: number;
}

/** One hit of `rank` at `s`: kept per rank beside the location's own figures. */
export function rankHit(s: LocationStats, rank: number, pid: number, delta: number, sinceStart: number, rss: number, peak: number): void {
  const ranks = (s.ranks ??= new Map());
  let f = ranks.get(rank);
  if (!f) ranks.set(rank, (f = { rank, pid, hits: 0, lastDelta: 0, sinceStart: 0, lastRss: 0, peak: 0 }));
  f.pid = pid;
  f.hits++;
  f.lastDelta = delta;
  f.sinceStart = sinceStart;
  f.lastRss = rss;
  if (peak > f.peak) f.peak = peak;
}

/** A rank this much above the median of the others (and at least 15% above) is flagged. */
const OUTLIER_MIN_BYTES = 64 * 2 ** 20;
const OUTLIER_MIN_FRACTION = 0.15;

/** How the ranks compare at one location: the largest and smallest last delta, and a rank far above the rest. */
export interface RankSpread {
  /** Every rank, by rank number. */
  readonly ranks: readonly RankFigures[];
  readonly max: RankFigures;
  readonly min: RankFigures;
  /** The rank whose RSS here stands far above the others' median (the one likely to run out first). */
  readonly outlier?: { readonly rank: number; readonly above: number };
}

/** The spread across ranks at `s`; undefined with fewer than two ranks. */
export function rankSpread(s: LocationStats): RankSpread | undefined {
  if (!s.ranks || s.ranks.size < 2) return undefined;
  const ranks = [...s.ranks.values()].sort((a, b) => a.rank - b.rank);
  let max = ranks[0];
  let min = ranks[0];
  for (const f of ranks) {
    if (f.lastDelta > max.lastDelta) max = f;
    if (f.lastDelta < min.lastDelta) min = f;
  }
  const byRss = [...ranks].sort((a, b) => b.lastRss - a.lastRss);
  const top = byRss[0];
  const others = byRss.slice(1).map((f) => f.lastRss);
  const mid = others.length >> 1;
  const median = others.length % 2 ? others[mid] : (others[mid - 1] + others[mid]) / 2;
  const above = top.lastRss - median;
  const outlier = above > OUTLIER_MIN_BYTES && above > OUTLIER_MIN_FRACTION * median ? { rank: top.rank, above } : undefined;
  return { ranks, max, min, outlier };
}
