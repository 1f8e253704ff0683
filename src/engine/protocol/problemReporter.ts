/**
 * Reports problems without a storm: the first of each kind at once, then a count of the
 * rest at most every `intervalMs`.
 */
export class ProblemReporter {
  private readonly seen = new Map<string, { count: number; unreported: number; last: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly report: (message: string) => void,
    private readonly intervalMs = 10_000,
  ) {}

  /** Counts `count` problems of `kind`; `message` describes the first of them. */
  add(kind: string, message: string, count = 1): void {
    const s = this.seen.get(kind);
    if (!s) {
      this.seen.set(kind, { count, unreported: count - 1, last: message });
      this.report(message);
      if (count > 1) this.schedule();
      return;
    }
    s.count += count;
    s.unreported += count;
    s.last = message;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref?.();
  }

  /** Total count per kind. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.seen].map(([k, v]) => [k, v.count]));
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [kind, s] of this.seen) {
      if (s.unreported === 0) continue;
      this.report(`${s.unreported} more ${kind} (${s.count} in all); latest: ${s.last}`);
      s.unreported = 0;
    }
  }

  dispose(): void {
    this.flush();
  }
}
