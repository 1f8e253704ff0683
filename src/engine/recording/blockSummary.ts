// Block summaries of a recording's series: for each block of samples, each series' first,
// lowest, highest and last point (M4 aggregation). Those four points are real samples, so a
// chart drawn from them at block resolution or coarser is the chart of every sample, and the
// run's peaks, firsts and lasts are exact. Written beside a recording (recordingIndex.ts) so a
// day-long run opens without reading its samples. docs/recording.md, "The index".

import { MemoryStore } from '../store/memoryStore';
import type { AnyRecord } from './format';
import { loadIntoStore } from './storeFromRecords';

/** Samples folded into one block (6.4 s at the default 10 Hz; 13,500 blocks in a day). */
export const BLOCK_SAMPLES = 64;

/**
 * One series in one block: times as offsets (ms) from the block's `t0`.
 * [dtFirst, first, dtMin, min, dtMax, max, dtLast, last]
 */
export type SeriesSummary = [number, number, number, number, number, number, number, number];

/** A block line of the index. */
export interface BlockRecord {
  readonly type: 'block';
  /** The recording part the samples are in. */
  readonly part: number;
  /** Byte offset in that part just after the block's last line: where unsummarised lines start. */
  readonly off: number;
  readonly t0: number;
  readonly t1: number;
  /** Sample records folded. */
  readonly n: number;
  readonly s: Record<string, SeriesSummary>;
}

interface Acc {
  tf: number;
  f: number;
  tmin: number;
  min: number;
  tmax: number;
  max: number;
  tl: number;
  l: number;
}

/**
 * A store that folds what would be appended into per-series block summaries. Sample and GPU
 * records go through the same `loadIntoStore` as a full load, so the index can never disagree
 * with the recording on which series a record feeds.
 */
class BlockAccumulator extends MemoryStore {
  acc = new Map<string, Acc>();
  t0 = Infinity;
  t1 = -Infinity;

  override append(name: string, t: number, v: number): void {
    if (!Number.isFinite(v) || !Number.isFinite(t)) return;
    if (t < this.t0) this.t0 = t;
    if (t > this.t1) this.t1 = t;
    const a = this.acc.get(name);
    if (!a) {
      this.acc.set(name, { tf: t, f: v, tmin: t, min: v, tmax: t, max: v, tl: t, l: v });
      return;
    }
    if (v < a.min) {
      a.min = v;
      a.tmin = t;
    }
    if (v > a.max) {
      a.max = v;
      a.tmax = t;
    }
    a.tl = t;
    a.l = v;
  }
}

/** Folds sample and GPU records into blocks of BLOCK_SAMPLES samples. */
export class BlockSummarizer {
  private store = new BlockAccumulator();
  private samples = 0;

  constructor(private readonly blockSamples = BLOCK_SAMPLES) {}

  /** Adds a sample or GPU record; true when the block is now full (take it with `take`). */
  add(record: AnyRecord): boolean {
    loadIntoStore([record], this.store);
    if (record.type === 'sample') this.samples++;
    return this.samples >= this.blockSamples;
  }

  get empty(): boolean {
    return this.store.acc.size === 0;
  }

  /** The open block as a record ending at byte `off` of `part`; starts a new block. Undefined when empty. */
  take(part: number, off: number): BlockRecord | undefined {
    const { acc, t0, t1 } = this.store;
    const n = this.samples;
    this.store = new BlockAccumulator();
    this.samples = 0;
    if (acc.size === 0) return undefined;
    const s: Record<string, SeriesSummary> = {};
    for (const [name, a] of acc) s[name] = [a.tf - t0, a.f, a.tmin - t0, a.min, a.tmax - t0, a.max, a.tl - t0, a.l];
    return { type: 'block', part, off, t0, t1, n, s };
  }
}

/** True when `r` is a block line as the index writes it (anything else is ignored by readers). */
export function isBlockRecord(r: AnyRecord): r is AnyRecord & BlockRecord {
  const b = r as unknown as Partial<BlockRecord>;
  return r.type === 'block' && typeof b.t0 === 'number' && typeof b.off === 'number' && typeof b.part === 'number' && !!b.s && typeof b.s === 'object';
}

/**
 * Appends a block's points to `store`, each series' up-to-four real samples in time order:
 * every envelope at block resolution or coarser equals the full recording's.
 */
export function addBlockToStore(b: BlockRecord, store: MemoryStore): void {
  for (const name of Object.keys(b.s)) {
    const v = b.s[name];
    if (!Array.isArray(v) || v.length !== 8) continue;
    const pts: [number, number][] = [
      [v[0], v[1]],
      [v[2], v[3]],
      [v[4], v[5]],
      [v[6], v[7]],
    ];
    pts.sort((a, b2) => a[0] - b2[0]);
    let lastT = NaN;
    for (const [dt, val] of pts) {
      if (dt === lastT) continue;
      lastT = dt;
      store.append(name, b.t0 + dt, val);
    }
  }
}
