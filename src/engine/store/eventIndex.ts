export const EVENT_KINDS = ['checkpoint', 'region', 'call', 'epoch', 'batch', 'cleanup', 'debug-pause', 'alert', 'process', 'note', 'gap'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
/** Each kind's code in the index (its position in EVENT_KINDS), for `addRaw`. */
export const KIND_CODE = Object.freeze(Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i])) as Record<EventKind, number>);

/** Something that happened at a moment, optionally at a source location. */
export interface TimelineEvent {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly kind: EventKind;
  readonly label?: string;
  readonly file?: string;
  readonly line?: number;
  /** For spans (regions, calls): the end time. */
  readonly tEnd?: number;
  readonly pid?: number;
  /** RSS when it happened (bytes). */
  readonly rss?: number;
  /** RSS change: since the process's previous checkpoint, or inside the span. */
  readonly delta?: number;
  /** Highest RSS inside the span. */
  readonly peak?: number;
  /** Anything else the rarer events carry (freed bytes, loss, argv, errors). */
  readonly data?: Readonly<Record<string, unknown>>;
}

const NONE = -1;
/** Furthest an out-of-order event is moved into place on arrival. */
const MAX_SHIFT = 4096;

/**
 * Events in time order, kept in columns: a ring of typed arrays with interned file and
 * label strings, so a run that reports a hundred checkpoints a second keeps no object per
 * event alive (nothing for the garbage collector to trace or promote). Events arrive
 * nearly in order (several connections interleave; a region is reported when it ends, at
 * its start time) and are inserted in place, moving only the later ones. Past `capacity`
 * the oldest are overwritten.
 */
export class EventIndex {
  private cap = 0;
  private head = 0;
  private count = 0;
  private t = new Float64Array(0);
  private tEnd = new Float64Array(0);
  private rss = new Float64Array(0);
  private delta = new Float64Array(0);
  private peak = new Float64Array(0);
  private kind = new Uint8Array(0);
  private pid = new Int32Array(0);
  private file = new Int32Array(0);
  private line = new Int32Array(0);
  private label = new Int32Array(0);
  /** The rare events' extra fields, by physical slot. */
  private data = new Map<number, Readonly<Record<string, unknown>>>();
  private strings: string[] = [];
  private stringIds = new Map<string, number>();
  /** False after an event was appended out of order: reads sort first. */
  private sorted = true;
  private epoch = 0;
  private added = 0;

  constructor(private readonly capacity = 200_000) {}

  get size(): number {
    return this.count;
  }

  /** Events added over the index's life: changes whenever anything was added. */
  get version(): number {
    return this.added;
  }

  /** Bumped when the string table is compacted: ids from `intern` taken before are stale. */
  get stringEpoch(): number {
    return this.epoch;
  }

  add(e: TimelineEvent): void {
    let epoch: number;
    let file: number;
    let label: number;
    do {
      // Interning may compact the table and renumber: take both ids again until it did not.
      epoch = this.epoch;
      file = this.intern(e.file);
      label = this.intern(e.label);
    } while (epoch !== this.epoch);
    this.addRaw(KIND_CODE[e.kind] ?? KIND_CODE.note, e.t, e.tEnd ?? NaN, e.pid ?? NONE, file, e.line ?? 0, label, e.rss ?? NaN, e.delta ?? NaN, e.peak ?? NaN, e.data);
  }

  /**
   * The ingest's path: an event from its kind's code (`KIND_CODE`), interned string ids
   * (`intern`, -1 for none) and numbers (NaN for none), without building an object.
   */
  addRaw(kind: number, t: number, tEnd: number, pid: number, file: number, line: number, label: number, rss: number, delta: number, peak: number, data?: Readonly<Record<string, unknown>>): void {
    if (this.count === this.cap) {
      if (this.cap < this.capacity) this.grow();
      else {
        this.head = (this.head + 1) % this.cap; // full: the oldest goes
        this.count--;
      }
    }
    // Insertion from the end: usually no move at all. An event from far back (a long
    // region, a rank whose clock is behind) is appended instead and sorted in on the next read.
    let i = this.count;
    if (i > 0 && this.t[this.phys(i - 1)] > t) {
      if (!this.sorted || this.t[this.phys(Math.max(0, i - MAX_SHIFT))] > t) this.sorted = false;
      else {
        while (i > 0 && this.t[this.phys(i - 1)] > t) {
          this.move(this.phys(i - 1), this.phys(i));
          i--;
        }
      }
    }
    const p = this.phys(i);
    this.count++;
    this.added++;
    this.t[p] = t;
    this.tEnd[p] = tEnd;
    this.rss[p] = rss;
    this.delta[p] = delta;
    this.peak[p] = peak;
    this.kind[p] = kind;
    this.pid[p] = pid;
    this.file[p] = file;
    this.line[p] = line;
    this.label[p] = label;
    if (data !== undefined) this.data.set(p, data);
    else if (this.data.size !== 0) this.data.delete(p);
  }

  /** The `i`th event in time order (0 is the oldest kept). */
  get(i: number): TimelineEvent {
    if (!this.sorted) this.sort();
    const p = this.phys(i);
    const e: { -readonly [K in keyof TimelineEvent]: TimelineEvent[K] } = { t: this.t[p], kind: EVENT_KINDS[this.kind[p]] };
    if (this.label[p] !== NONE) e.label = this.strings[this.label[p]];
    if (this.file[p] !== NONE) e.file = this.strings[this.file[p]];
    if (this.line[p] !== 0) e.line = this.line[p];
    if (!Number.isNaN(this.tEnd[p])) e.tEnd = this.tEnd[p];
    if (this.pid[p] !== NONE) e.pid = this.pid[p];
    if (!Number.isNaN(this.rss[p])) e.rss = this.rss[p];
    if (!Number.isNaN(this.delta[p])) e.delta = this.delta[p];
    if (!Number.isNaN(this.peak[p])) e.peak = this.peak[p];
    const data = this.data.size === 0 ? undefined : this.data.get(p);
    if (data !== undefined) e.data = data;
    return e;
  }

  /** Time and kind of the `i`th event, without building it. */
  timeAt(i: number): number {
    if (!this.sorted) this.sort();
    return this.t[this.phys(i)];
  }

  kindAt(i: number): EventKind {
    if (!this.sorted) this.sort();
    return EVENT_KINDS[this.kind[this.phys(i)]];
  }

  /** Indexes [from, to) of the events with t in [t0, t1]. */
  span(t0: number, t1: number): { from: number; to: number } {
    if (!this.sorted) this.sort();
    return { from: this.bound(t0, false), to: this.bound(t1, true) };
  }

  /** Events with t in [t0, t1], in time order. */
  range(t0: number, t1: number): TimelineEvent[] {
    const { from, to } = this.span(t0, t1);
    const out: TimelineEvent[] = [];
    for (let i = from; i < to; i++) out.push(this.get(i));
    return out;
  }

  /** Every event, in time order. */
  all(): TimelineEvent[] {
    return this.range(-Infinity, Infinity);
  }

  private phys(i: number): number {
    const p = this.head + i;
    return p >= this.cap ? p - this.cap : p;
  }

  private move(from: number, to: number): void {
    this.t[to] = this.t[from];
    this.tEnd[to] = this.tEnd[from];
    this.rss[to] = this.rss[from];
    this.delta[to] = this.delta[from];
    this.peak[to] = this.peak[from];
    this.kind[to] = this.kind[from];
    this.pid[to] = this.pid[from];
    this.file[to] = this.file[from];
    this.line[to] = this.line[from];
    this.label[to] = this.label[from];
    if (this.data.size !== 0) {
      const d = this.data.get(from);
      if (d !== undefined) this.data.set(to, d);
      else this.data.delete(to);
    }
  }

  /** A stable sort of every column by time (arrival order kept for equal times). */
  private sort(): void {
    this.sorted = true;
    const order = Array.from({ length: this.count }, (_, i) => this.phys(i));
    const t = this.t;
    order.sort((a, b) => t[a] - t[b]);
    const gather = <A extends Float64Array | Int32Array | Uint8Array>(a: A): A => {
      const b = a.slice() as A;
      for (let i = 0; i < order.length; i++) b[i] = a[order[i]];
      return b;
    };
    this.t = gather(this.t);
    this.tEnd = gather(this.tEnd);
    this.rss = gather(this.rss);
    this.delta = gather(this.delta);
    this.peak = gather(this.peak);
    this.kind = gather(this.kind);
    this.pid = gather(this.pid);
    this.file = gather(this.file);
    this.line = gather(this.line);
    this.label = gather(this.label);
    if (this.data.size) {
      const at = new Map(order.map((p, i) => [p, i]));
      this.data = new Map([...this.data].map(([p, d]) => [at.get(p) as number, d]));
    }
    this.head = 0;
  }

  private grow(): void {
    const cap = Math.min(this.capacity, Math.max(1024, this.cap * 2));
    // The oldest first: the part from head to the end, then the wrapped part.
    const tail = Math.min(this.count, this.cap - this.head);
    const resize = <A extends Float64Array | Int32Array | Uint8Array>(a: A, b: A): A => {
      b.set(a.subarray(this.head, this.head + tail));
      b.set(a.subarray(0, this.count - tail), tail);
      return b;
    };
    this.t = resize(this.t, new Float64Array(cap));
    this.tEnd = resize(this.tEnd, new Float64Array(cap));
    this.rss = resize(this.rss, new Float64Array(cap));
    this.delta = resize(this.delta, new Float64Array(cap));
    this.peak = resize(this.peak, new Float64Array(cap));
    this.kind = resize(this.kind, new Uint8Array(cap));
    this.pid = resize(this.pid, new Int32Array(cap));
    this.file = resize(this.file, new Int32Array(cap));
    this.line = resize(this.line, new Int32Array(cap));
    this.label = resize(this.label, new Int32Array(cap));
    if (this.head !== 0) this.data = new Map([...this.data].map(([p, d]) => [(p - this.head + this.cap) % this.cap, d]));
    this.head = 0;
    this.cap = cap;
  }

  /** The id of `s` in the string table (-1 for undefined), valid while `stringEpoch` stays. */
  intern(s: string | undefined): number {
    if (s === undefined) return NONE;
    let id = this.stringIds.get(s);
    if (id === undefined) {
      // Unique labels (an f-string per step) would grow the table for ever: keep only
      // the strings that live events use, once it is twice the size they could need.
      if (this.strings.length >= 2 * this.capacity + 1024) this.compactStrings();
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private compactStrings(): void {
    const strings: string[] = [];
    const ids = new Map<string, number>();
    const remap = (col: Int32Array) => {
      for (let i = 0; i < this.count; i++) {
        const p = this.phys(i);
        if (col[p] === NONE) continue;
        const s = this.strings[col[p]];
        let id = ids.get(s);
        if (id === undefined) ids.set(s, (id = strings.push(s) - 1));
        col[p] = id;
      }
    };
    remap(this.file);
    remap(this.label);
    this.epoch++;
    this.strings = strings;
    this.stringIds = ids;
  }

  /** First index whose time is >= t (or > t when `after`). */
  private bound(t: number, after: boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.t[this.phys(mid)];
      if (v < t || (after && v === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
