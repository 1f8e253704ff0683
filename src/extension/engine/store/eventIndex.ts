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
  private readonly byLoc = new Map<string, TimelineEvent[]>();
  private readonly byFile = new Map<string, Set<number>>();

  constructor(private readonly capacity = 200_000) {}

  static key(file: string, line: number): string {
    return `${file}\n${line}`;
  }

  get size(): number {
    return this.events.length;
  }

  add(e: TimelineEvent): void {
    // Events from several connections interleave slightly out of order: insert in place.
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].t > e.t) i--;
    this.events.splice(i, 0, e);
    if (e.file !== undefined && e.line !== undefined) {
      const k = EventIndex.key(e.file, e.line);
      let list = this.byLoc.get(k);
      if (!list) this.byLoc.set(k, (list = []));
      list.push(e);
      let lines = this.byFile.get(e.file);
      if (!lines) this.byFile.set(e.file, (lines = new Set()));
      lines.add(e.line);
    }
    if (this.events.length > this.capacity) this.dropOldest(this.events.length - this.capacity);
  }

  /** Events with t in [t0, t1], in time order. */
  range(t0: number, t1: number): TimelineEvent[] {
    return this.events.slice(this.lowerBound(t0), this.upperBound(t1));
  }

  all(): readonly TimelineEvent[] {
    return this.events;
  }

  at(file: string, line: number): readonly TimelineEvent[] {
    return this.byLoc.get(EventIndex.key(file, line)) ?? [];
  }

  /** Lines of `file` that have events. */
  linesOf(file: string): number[] {
    return [...(this.byFile.get(file) ?? [])].sort((a, b) => a - b);
  }

  files(): string[] {
    return [...this.byFile.keys()];
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
    const gone = this.events.splice(0, n);
    for (const e of gone) {
      if (e.file === undefined || e.line === undefined) continue;
      const k = EventIndex.key(e.file, e.line);
      const list = this.byLoc.get(k);
      if (!list) continue;
      const i = list.indexOf(e);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) {
        this.byLoc.delete(k);
        this.byFile.get(e.file)?.delete(e.line);
      }
    }
  }
}
