/**
 * A bounded set of label values: the first `max` distinct values keep their name (cut to
 * `maxLength` characters), every later one becomes `folded`. Checkpoint labels come from
 * programs, and a program that puts a step number in its label would otherwise make a new
 * series per step in every Prometheus that scrapes it.
 */
export class LabelCap {
  private readonly kept = new Map<string, string>();
  /** Distinct values that were folded, counted once each up to a bound (for a metric that says so). */
  folded = 0;
  private readonly foldedSeen = new Set<string>();

  constructor(
    readonly max = 32,
    readonly maxLength = 64,
    readonly foldedValue = 'other',
  ) {}

  /** The value to write for `value`: itself (cut), or the folded value once the set is full. */
  map(value: string): string {
    const k = this.kept.get(value);
    if (k !== undefined) return k;
    if (this.kept.size < this.max) {
      const cut = value.length > this.maxLength ? value.slice(0, this.maxLength - 1) + '…' : value;
      this.kept.set(value, cut);
      return cut;
    }
    // Counting distinct folded values needs memory of them; past a bound the count stops growing
    // rather than the set.
    if (this.foldedSeen.size < 10_000 && !this.foldedSeen.has(value)) {
      this.foldedSeen.add(value);
      this.folded++;
    }
    return this.foldedValue;
  }

  /** Values kept so far (at most `max`). */
  get size(): number {
    return this.kept.size;
  }
}
