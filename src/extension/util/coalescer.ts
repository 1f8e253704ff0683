import type { IDisposable } from './dispose';

/** The clock a coalescer runs on: the real one, or a test's. */
export interface CoalescerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: CoalescerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Turns a stream of events into calls of `run`, at most one per `intervalMs`: the first
 * event after a quiet spell runs on the next turn, the ones that follow are folded into one
 * call at the end of the interval. The one refresh throttle of the status bar, CodeLens and
 * timeline: views refresh on events, never on a polling timer.
 */
export class Coalescer implements IDisposable {
  private handle: unknown;
  private pending = false;
  private lastRun = -Infinity;
  private disposed = false;

  constructor(
    private readonly run: () => void,
    private readonly intervalMs: number,
    private readonly clock: CoalescerClock = realClock,
  ) {}

  /** Something changed: `run` will be called, soon and once. */
  trigger(): void {
    if (this.disposed || this.pending) return;
    this.pending = true;
    const wait = Math.max(0, this.lastRun + this.intervalMs - this.clock.now());
    this.handle = this.clock.setTimeout(() => this.fire(), wait);
  }

  /** Runs now if a call is pending (a view about to be hidden or disposed). */
  flush(): void {
    if (!this.pending) return;
    this.clock.clearTimeout(this.handle);
    this.fire();
  }

  dispose(): void {
    this.disposed = true;
    if (this.pending) this.clock.clearTimeout(this.handle);
    this.pending = false;
  }

  private fire(): void {
    this.pending = false;
    this.lastRun = this.clock.now();
    this.run();
  }
}
