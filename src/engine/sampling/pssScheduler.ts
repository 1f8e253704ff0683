import { readFile } from 'node:fs/promises';
import { parseSmapsRollup, type SmapsRollup } from './procfsParsers';
import type { PssMode } from './types';

/** What the scheduler keeps on each tracked process. */
export interface PssState {
  readonly pid: number;
  /** RSS at the latest sample: a move re-reads PSS, and the cost model scales with it. */
  rss: number;
  rollup?: SmapsRollup;
  /** Date.now() when `rollup` was read. */
  rollupAt?: number;
  /** RSS when the last PSS read started: PSS is re-read once RSS moves. */
  rssAtRollup: number;
  rollupInFlight: boolean;
  /** Reading was refused (another user's process): never tried again. */
  rollupBlocked: boolean;
}

/** How the scheduler reaches the sampler it works for. */
export interface PssHost<P extends PssState> {
  readonly procRoot: string;
  /** Whether `p` is still the tracked process of its pid: a late read is dropped if not. */
  isCurrent(p: P): boolean;
  /** Reports a problem once per `key`. */
  problem(message: string, key: string): void;
}

/**
 * Decides which smaps_rollup reads start, and when. `on`: every process each sample (one read
 * in flight each). `auto`: one read at a time for the whole tree, the next one gated so reads
 * take at most `budget` of wall time, going to a process whose RSS moved (or whose reading is old).
 */
export class PssScheduler<P extends PssState> {
  /** In `auto`, no smaps_rollup read starts before this time (the tree-wide budget). */
  private gateAt = 0;
  /** Where the round-robin over the tree resumes, so every process gets its turn. */
  private cursor = 0;

  constructor(
    private readonly mode: Exclude<PssMode, 'off'>,
    /** In `auto`, the share of wall time smaps_rollup reads may take. */
    private readonly budget: number,
    /** In `auto`, a process whose RSS has not moved is re-read at most this often. */
    private readonly maxAgeMs: number,
    private readonly host: PssHost<P>,
  ) {}

  /** Starts the reads due at `now` among `tracked`; results land on the processes later. */
  schedule(now: number, tracked: ReadonlyMap<number, P>): void {
    if (this.mode === 'on') {
      for (const p of tracked.values()) if (!p.rollupInFlight && !p.rollupBlocked) this.read(p);
      return;
    }
    if (now < this.gateAt) return;
    const list = [...tracked.values()];
    for (let k = 0; k < list.length; k++) {
      const p = list[(this.cursor + k) % list.length];
      if (p.rollupInFlight || p.rollupBlocked) continue;
      const moved = Math.abs(p.rss - p.rssAtRollup) > Math.max(1 << 20, 0.01 * p.rssAtRollup);
      const old = p.rollupAt === undefined || now - p.rollupAt > this.maxAgeMs;
      if (!moved && !old) continue;
      this.cursor = (this.cursor + k + 1) % Math.max(1, list.length);
      this.gateAt = Infinity; // until this read reports its cost
      this.read(p);
      return;
    }
  }

  /** Reads `p`'s smaps_rollup asynchronously, so a 50 ms read never stalls the sampling tick. */
  private read(p: P): void {
    p.rollupInFlight = true;
    p.rssAtRollup = p.rss;
    const started = performance.now();
    readFile(`${this.host.procRoot}/${p.pid}/smaps_rollup`, 'latin1').then(
      (text) => {
        p.rollupInFlight = false;
        this.gateAt = Date.now() + costMs(performance.now() - started, p.rss) / this.budget;
        if (!this.host.isCurrent(p)) return;
        const r = parseSmapsRollup(text);
        if (r) {
          p.rollup = r;
          p.rollupAt = Date.now();
        }
      },
      (e: NodeJS.ErrnoException) => {
        p.rollupInFlight = false;
        this.gateAt = Date.now();
        if (e.code === 'EACCES' || e.code === 'EPERM') {
          // Another user's process: PSS is not ours to read. Say so once, stop trying for it.
          this.host.problem(`PSS unavailable for pid ${p.pid} (${e.code}): showing RSS only`, `pss-${e.code}`);
          p.rollupBlocked = true;
        }
      },
    );
  }
}

/**
 * What a read that took `wallMs` for a process of `rss` bytes counts against the budget: a read
 * that took d ms keeps the next one d / budget away (16 ms at 1 GiB -> 0.8 s). Wall latency also
 * counts thread-pool and event-loop waits, so it is capped by the kernel's cost for a process
 * this size (about 15 ms per GiB, plus a little).
 */
export function costMs(wallMs: number, rss: number): number {
  const modelMs = 0.5 + (15 * rss) / 2 ** 30;
  return Math.min(wallMs, modelMs);
}
