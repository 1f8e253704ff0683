import { ChunkedColumn } from './chunkedColumn';

/** Raw samples folded into one bucket of the next tier. */
export const FANOUT = 8;

/** A min/max envelope: for each point, the first time it covers and the range of values. */
export interface Envelope {
  readonly t: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The tier the points came from (0 = raw samples). */
  readonly level: number;
}

export interface SeriesOptions {
  /** Raw samples kept (older ones live on only as min/max buckets). */
  readonly rawCapacity?: number;
  /** Buckets kept in each higher tier. */
  readonly tierCapacity?: number;
  readonly maxLevels?: number;
}

interface Tier {
  readonly t: ChunkedColumn;
  readonly lo: ChunkedColumn;
  readonly hi: ChunkedColumn;
}

interface Partial {
  t: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * One time series: raw samples plus a min/max pyramid (each tier folds FANOUT entries of
 * the one below). Appends are amortised O(1); memory is bounded by the capacities; a query
 * of any length reads at most FANOUT * maxPoints entries.
 */
export class Series {
  private readonly tiers: Tier[] = [];
  /** partials[k]: the open bucket of tier k (entries of tier k-1 not yet folded). */
  private readonly partials: (Partial | undefined)[] = [];
  private readonly rawCapacity: number;
  private readonly tierCapacity: number;
  private readonly maxLevels: number;
  private _min = Infinity;
  private _max = -Infinity;
  private _count = 0;
  private _first: number | undefined;

  constructor(options: SeriesOptions = {}) {
    this.rawCapacity = options.rawCapacity ?? 1 << 16;
    this.tierCapacity = options.tierCapacity ?? 1 << 16;
    this.maxLevels = options.maxLevels ?? 8;
    const raw = new ChunkedColumn();
    this.tiers.push({ t: new ChunkedColumn(), lo: raw, hi: raw });
  }

  /** Samples appended over the series' life. */
  get count(): number {
    return this._count;
  }

  get min(): number {
    return this._min;
  }

  get max(): number {
    return this._max;
  }

  get firstTime(): number | undefined {
    for (let k = this.tiers.length - 1; k >= 0; k--) if (this.tiers[k].t.retained) return this.tiers[k].t.get(this.tiers[k].t.first);
    return this.tiers[0].t.retained ? this.tiers[0].t.get(this.tiers[0].t.first) : undefined;
  }

  get lastTime(): number | undefined {
    return this.tiers[0].t.retained ? this.tiers[0].t.last() : undefined;
  }

  /** The first value ever appended (kept when old samples are dropped). */
  get firstValue(): number | undefined {
    return this._first;
  }

  get lastValue(): number | undefined {
    return this.tiers[0].lo.retained ? this.tiers[0].lo.last() : undefined;
  }

  /** Appends a sample; times must not go backwards (a late sample is clamped to the last time). */
  append(t: number, v: number): void {
    const raw = this.tiers[0];
    if (raw.t.retained && t < raw.t.last()) t = raw.t.last();
    raw.t.push(t);
    raw.lo.push(v);
    if (this._count === 0) this._first = v;
    this._count++;
    if (v < this._min) this._min = v;
    if (v > this._max) this._max = v;
    raw.t.trimTo(this.rawCapacity);
    raw.lo.trimTo(this.rawCapacity);
    this.fold(1, t, v, v);
  }

  /** Adds one entry of tier k-1 to tier k's open bucket, closing it after FANOUT entries. */
  private fold(k: number, t: number, lo: number, hi: number): void {
    if (k >= this.maxLevels) return;
    let p = this.partials[k];
    if (!p) p = this.partials[k] = { t, lo, hi, n: 0 };
    else {
      if (lo < p.lo) p.lo = lo;
      if (hi > p.hi) p.hi = hi;
    }
    if (++p.n < FANOUT) return;
    this.partials[k] = undefined;
    let tier = this.tiers[k];
    if (!tier) tier = this.tiers[k] = { t: new ChunkedColumn(), lo: new ChunkedColumn(), hi: new ChunkedColumn() };
    tier.t.push(p.t);
    tier.lo.push(p.lo);
    tier.hi.push(p.hi);
    tier.t.trimTo(this.tierCapacity);
    tier.lo.trimTo(this.tierCapacity);
    tier.hi.trimTo(this.tierCapacity);
    this.fold(k + 1, p.t, p.lo, p.hi);
  }

  /**
   * At most `maxPoints` min/max points covering [t0, t1], from the finest tier that still
   * holds t0 and needs no more than FANOUT entries per point. Spikes survive: every point is
   * the min and max of everything it covers.
   */
  query(t0: number, t1: number, maxPoints: number): Envelope {
    maxPoints = Math.max(2, Math.floor(maxPoints));
    const budget = maxPoints - 1; // one point is kept for the open buckets at the tail
    let k = 0;
    for (; k < this.tiers.length - 1; k++) {
      const tier = this.tiers[k];
      const holdsStart = tier.t.first === 0 || (tier.t.retained > 0 && tier.t.get(tier.t.first) <= t0);
      const n = tier.t.upperBound(t1) - tier.t.lowerBound(t0);
      if (holdsStart && n <= budget * FANOUT) break;
    }
    const tier = this.tiers[k];
    const i0 = tier.t.lowerBound(t0);
    const i1 = tier.t.upperBound(t1);
    const n = i1 - i0;
    const group = Math.max(1, Math.ceil(n / budget));
    const points = Math.ceil(n / group);
    const tail = k > 0 ? this.tailBucket(k, t0, t1) : undefined;
    const size = points + (tail ? 1 : 0);
    const out = { t: new Float64Array(size), min: new Float64Array(size), max: new Float64Array(size), level: k };
    let o = 0;
    for (let i = i0; i < i1; i += group) {
      const end = Math.min(i1, i + group);
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = i; j < end; j++) {
        const a = tier.lo.get(j);
        const b = tier.hi.get(j);
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
      out.t[o] = tier.t.get(i);
      out.min[o] = lo;
      out.max[o] = hi;
      o++;
    }
    if (tail) {
      out.t[o] = tail.t;
      out.min[o] = tail.lo;
      out.max[o] = tail.hi;
    }
    return out;
  }

  /** What tier k has not folded yet (its open bucket and those below), as one bucket in range. */
  private tailBucket(k: number, t0: number, t1: number): Partial | undefined {
    let acc: Partial | undefined;
    for (let j = k; j >= 1; j--) {
      const p = this.partials[j];
      if (!p || p.t > t1) continue;
      if (!acc) acc = { ...p };
      else {
        acc.lo = Math.min(acc.lo, p.lo);
        acc.hi = Math.max(acc.hi, p.hi);
      }
    }
    if (acc && acc.t < t0) acc.t = t0;
    return acc;
  }

  /** Raw samples in [t0, t1] (only what the raw tier still holds). */
  raw(t0: number, t1: number): { t: Float64Array; v: Float64Array } {
    const tier = this.tiers[0];
    const i0 = tier.t.lowerBound(t0);
    const i1 = tier.t.upperBound(t1);
    const t = new Float64Array(i1 - i0);
    const v = new Float64Array(i1 - i0);
    for (let i = i0; i < i1; i++) {
      t[i - i0] = tier.t.get(i);
      v[i - i0] = tier.lo.get(i);
    }
    return { t, v };
  }

  /** The last `n` raw samples, or undefined when the raw tier no longer holds them all. */
  rawTail(n: number): { t: Float64Array; v: Float64Array } | undefined {
    const tier = this.tiers[0];
    const end = tier.t.length;
    if (n > tier.t.retained) return undefined;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = tier.t.get(end - n + i);
      v[i] = tier.lo.get(end - n + i);
    }
    return { t, v };
  }

  /** Bytes held by this series' typed arrays. */
  get bytes(): number {
    let b = this.tiers[0].t.bytes + this.tiers[0].lo.bytes;
    for (let k = 1; k < this.tiers.length; k++) b += this.tiers[k].t.bytes + this.tiers[k].lo.bytes + this.tiers[k].hi.bytes;
    return b;
  }
}
