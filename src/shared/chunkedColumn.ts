const SHIFT = 12;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

/**
 * A column of float64 values in fixed 4096-entry chunks. Logical indices grow forever;
 * the oldest whole chunks can be dropped. Append is O(1) with no copying.
 */
export class ChunkedColumn {
  private chunks: Float64Array[] = [];
  /** Logical index of chunks[0][0]. */
  private base = 0;
  private end = 0;

  /** Logical index one past the last value. */
  get length(): number {
    return this.end;
  }

  /** Logical index of the first value still held. */
  get first(): number {
    return this.base;
  }

  get retained(): number {
    return this.end - this.base;
  }

  push(v: number): void {
    const off = this.end - this.base;
    if ((off & MASK) === 0 && off >> SHIFT === this.chunks.length) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[off >> SHIFT][off & MASK] = v;
    this.end++;
  }

  get(i: number): number {
    const off = i - this.base;
    return this.chunks[off >> SHIFT][off & MASK];
  }

  last(): number {
    return this.get(this.end - 1);
  }

  /** Drops whole chunks while more than `keep` values would remain. */
  trimTo(keep: number): void {
    while (this.end - this.base - CHUNK >= keep && this.chunks.length > 1) {
      this.chunks.shift();
      this.base += CHUNK;
    }
  }

  /** First logical index whose value is >= x, for a column sorted ascending. */
  lowerBound(x: number): number {
    let lo = this.base;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.get(mid) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First logical index whose value is > x, for a column sorted ascending. */
  upperBound(x: number): number {
    let lo = this.base;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.get(mid) <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    return this.chunks.length * CHUNK * 8;
  }
}
