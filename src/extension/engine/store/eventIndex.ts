/** Something that happened at a moment, optionally at a source location. */
export interface TimelineEvent {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly kind: 'checkpoint' | 'region' | 'call' | 'epoch' | 'batch' | 'cleanup' | 'debug-pause' | 'alert' | 'process' | 'note';
  readonly label?: string;
  readonly file?: string;
  readonly line?: number;
  /** For spans (regions, calls): the end time. */
  readonly tEnd?: number;
  readonly pid?: number;
  /** Anything else the event carries (deltas, freed bytes, loss). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Events indexed by time (appended in order, binary-searched) and by source location. */
export class EventIndex {
  private readonly events: TimelineEvent[] = [];
  /** False after an event arrived earlier than the last one; reads sort first. */
  private sorted = true;
  private byLoc = new Map<string, TimelineEvent[]>();
  private byFile = new Map<string, Set<number>>();
  /** Events before this index are in byLoc/byFile: the location index is built on first use. */
  private indexed = 0;

  constructor(private readonly capacity = 200_000) {}

  static key(file: string, line: number): string {
    return `${file}\n${line}`;
  }

  get size(): number {
    return this.events.length;
  }

  add(e: TimelineEvent): void {
    // Events from several connections interleave slightly out of order: append now, sort
    // on the next read (TimSort is near-linear on nearly sorted input).
    const n = this.events.length;
    if (n && this.events[n - 1].t > e.t) this.sorted = false;
    this.events.push(e);
    // Trim in batches of a tenth, so dropping costs O(1) per event over time.
    if (this.events.length > this.capacity * 1.1) this.dropOldest(this.events.length - this.capacity);
  }

  /** Events with t in [t0, t1], in time order. */
  range(t0: number, t1: number): TimelineEvent[] {
    this.sort();
    return this.events.slice(this.lowerBound(t0), this.upperBound(t1));
  }

  /** Every event, in time order. */
  all(): readonly TimelineEvent[] {
    this.sort();
    return this.events;
  }

  private sort(): void {
    if (this.sorted) return;
    this.events.sort((a, b) => a.t - b.t);
    this.sorted = true;
    this.indexed = 0; // order changed: the location lists are rebuilt on the next lookup
    this.byLoc = new Map();
    this.byFile = new Map();
  }

  at(file: string, line: number): readonly TimelineEvent[] {
    this.indexLocations();
    return this.byLoc.get(EventIndex.key(file, line)) ?? [];
  }

  /** Lines of `file` that have events. */
  linesOf(file: string): number[] {
    this.indexLocations();
    return [...(this.byFile.get(file) ?? [])].sort((a, b) => a - b);
  }

  files(): string[] {
    this.indexLocations();
    return [...this.byFile.keys()];
  }

  /** Indexes events added since the last lookup (appending stays a plain push). */
  private indexLocations(): void {
    if (!this.sorted) {
      this.sort();
      this.byLoc = new Map();
      this.byFile = new Map();
      this.indexed = 0;
    }
    for (; this.indexed < this.events.length; this.indexed++) {
      const e = this.events[this.indexed];
      if (e.file === undefined || e.line === undefined) continue;
      const k = EventIndex.key(e.file, e.line);
      let list = this.byLoc.get(k);
      if (!list) this.byLoc.set(k, (list = []));
      list.push(e);
      let lines = this.byFile.get(e.file);
      if (!lines) this.byFile.set(e.file, (lines = new Set()));
      lines.add(e.line);
    }
  }

  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(t: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dropOldest(n: number): void {
    this.sort();
    const gone = new Set(this.events.splice(0, n));
    this.indexed = Math.max(0, this.indexed - n);
    const touched = new Set<string>();
    for (const e of gone) if (e.file !== undefined && e.line !== undefined) touched.add(EventIndex.key(e.file, e.line));
    for (const k of touched) {
      const list = (this.byLoc.get(k) ?? []).filter((e) => !gone.has(e));
      if (list.length) this.byLoc.set(k, list);
      else {
        this.byLoc.delete(k);
        const [file, line] = k.split('\n');
        this.byFile.get(file)?.delete(Number(line));
      }
    }
  }
}
