import { HitRing, type Hit } from './hitRing';
import { InternedIds } from './internedIds';
import { rankHit, type RankFigures } from './rankFigures';

/** Hits `growth` looks back over (the hit ring holds 10). */
const GROWTH_WINDOW = 8;
/** Less than this over the window is noise, not growth. */
const GROWTH_MIN_BYTES = 1 << 20;
/** How well a straight line must explain the hits (R²) to call them growth, not jitter. */
const GROWTH_MIN_FIT = 0.8;

/** What CodeLens shows for one source line. Bytes. */
export interface LocationStats {
  readonly file: string;
  readonly line: number;
  readonly kind: 'checkpoint' | 'region' | 'call';
  label?: string;
  hits: number;
  /** RSS delta of the last hit: since the previous checkpoint (checkpoints), inside the block (regions, calls). */
  lastDelta: number;
  /** RSS at the last hit minus the process's first reading. */
  sinceStart: number;
  lastRss: number;
  /** Highest RSS seen at (or inside) this location. */
  peak: number;
  /** The last hit's peak inside the block above the RSS it started with (regions, calls); its delta for checkpoints. */
  lastPeakAbove: number;
  /** Delta of CUDA reserved memory at the last hit, summed over devices; undefined without CUDA. */
  cudaReservedDelta?: number;
  /** The last few hits: read with `recentHits`. */
  readonly ring: HitRing;
  lastT: number;
  /** Per-rank figures, when the hits came from ranks of a distributed launch (see rankSpread). */
  ranks?: Map<number, RankFigures>;
}

/** A location's statistics with the string ids its events reuse. */
export type TrackedLocation = LocationStats & { readonly ids: InternedIds };

/** The last hits of a location, oldest first. */
export function recentHits(s: LocationStats): Hit[] {
  return s.ring.hits();
}

/**
 * Bytes per hit while the last hits of one process keep growing; undefined when not growing.
 * Only the newest hit's process counts: ranks and workers each have their own baseline.
 * Computed when read.
 */
export function growthOf(s: LocationStats): number | undefined {
  const hits = recentHits(s);
  const pid = hits.length ? hits[hits.length - 1].pid : 0;
  return growth(hits.filter((h) => h.pid === pid).map((h) => h.rss));
}

/**
 * Bytes per hit when the last hits rise along a line: the least-squares slope over them, so
 * hits that each add the same amount give exactly that amount, and one noisy hit moves it
 * little. Undefined when they do not rise, rise by less than a MiB in all, or scatter too
 * much around the line to call it growth.
 */
export function growth(rss: readonly number[]): number | undefined {
  const w = rss.slice(-GROWTH_WINDOW);
  const n = w.length;
  if (n < 3) return undefined;
  const meanX = (n - 1) / 2;
  let meanY = 0;
  for (const y of w) meanY += y / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = i - meanX;
    const dy = w[i] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const slope = sxy / sxx;
  if (!(slope > 0) || slope * (n - 1) < GROWTH_MIN_BYTES) return undefined;
  if ((sxy * sxy) / (sxx * syy) < GROWTH_MIN_FIT) return undefined;
  return slope;
}

/** Every location's statistics, file -> line -> stats: no string key is built per hit. */
export class LocationTable {
  private readonly files = new Map<string, Map<number, TrackedLocation>>();
  private lastFile: string | undefined;
  private lastLines: Map<number, TrackedLocation> | undefined;

  /** Statistics of every location in `file`. */
  forFile(file: string): LocationStats[] {
    return [...(this.files.get(file)?.values() ?? [])];
  }

  /** Statistics of `file`:`line`, if it was hit. */
  at(file: string, line: number): LocationStats | undefined {
    return this.files.get(file)?.get(line);
  }

  /** Statistics of every location hit so far. */
  all(): LocationStats[] {
    const out: LocationStats[] = [];
    for (const lines of this.files.values()) for (const s of lines.values()) out.push(s);
    return out;
  }

  /** The statistics of `file`:`line`, made on its first hit (of `kind`, at `t`). */
  locate(kind: LocationStats['kind'], file: string, line: number, t: number): TrackedLocation {
    // Comparing a freshly parsed path with the previous one costs less than hashing it.
    let lines = this.lastLines;
    if (file !== this.lastFile || lines === undefined) {
      lines = this.files.get(file);
      if (!lines) this.files.set(file, (lines = new Map()));
      this.lastFile = file;
      this.lastLines = lines;
    }
    let s = lines.get(line);
    if (!s) {
      s = { file, line, kind, hits: 0, lastDelta: 0, sinceStart: 0, lastRss: 0, peak: 0, lastPeakAbove: 0, ring: new HitRing(), lastT: t, ids: new InternedIds() };
      lines.set(line, s);
    }
    return s;
  }

  /**
   * One hit of `s`: `t` is when it ended, `peak` the highest RSS seen in it, `firstRss` the
   * process's first reading, `rank` its rank in a distributed launch (-1: none). Positional,
   * as it runs once per checkpoint.
   */
  touch(s: LocationStats, label: string | undefined, pid: number, t: number, rss: number, delta: number, peak: number, firstRss: number, cudaDelta: number | undefined, rank: number): void {
    s.hits++;
    if (label !== undefined) s.label = label;
    s.lastDelta = delta;
    s.lastRss = rss;
    s.sinceStart = rss - firstRss;
    if (peak > s.peak) s.peak = peak;
    // The block started at rss - delta: how far it climbed above that before it ended.
    s.lastPeakAbove = peak - (rss - delta);
    s.cudaReservedDelta = cudaDelta;
    s.lastT = t;
    s.ring.push(t, pid, rss, delta, label);
    if (rank >= 0) rankHit(s, rank, pid, delta, rss - firstRss, rss, peak);
  }
}
