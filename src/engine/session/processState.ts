import type { DeviceMemory, MemorySnapshot } from '../../shared/protocol';

/** A region that started and has not ended yet: what its end is measured against. */
export interface OpenRegion {
  readonly t: number;
  readonly mem: MemorySnapshot;
  readonly file?: string;
  readonly line?: number;
  readonly label?: string;
}

/** What the ingest remembers of one process between its records. */
export interface ProcState {
  /** The process's first RSS reading: `sinceStart` is measured from it. 0 until one came. */
  firstRss: number;
  /** RSS at its last checkpoint, region end or call: a checkpoint's delta is from it. */
  lastRss: number;
  /** Devices at its last checkpoint: a checkpoint's CUDA delta is from them. */
  lastDevices?: readonly DeviceMemory[];
  /** Regions started and not yet ended, by region id. */
  readonly openRegions: Map<number, OpenRegion>;
  /** Its rank in a distributed launch, from its hello; -1 when it is not a rank. */
  rank: number;
  /** Its LOCAL_RANK and host, from its hello, when it sent them (Prometheus labels). */
  localRank?: number;
  host?: string;
}

/** Every process's state, by pid, with the last one looked up kept at hand. */
export class ProcessTable {
  private readonly procs = new Map<number, ProcState>();
  private lastPid = -1;
  private lastProc: ProcState | undefined;

  /** Ranks of the processes that said they are one, by pid. */
  ranks(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [pid, p] of this.procs) if (p.rank >= 0) out.set(pid, p.rank);
    return out;
  }

  /** The LOCAL_RANK and host of each rank that sent them, by pid. */
  rankPlaces(): Map<number, { readonly localRank?: number; readonly host?: string }> {
    const out = new Map<number, { localRank?: number; host?: string }>();
    for (const [pid, p] of this.procs) if (p.rank >= 0) out.set(pid, { localRank: p.localRank, host: p.host });
    return out;
  }

  /** Process `pid`'s state; `rss` (when the record carries memory) is its first reading if none came before. */
  get(pid: number, rss: number | undefined): ProcState {
    // Records come in runs from one process: skip the map while its first reading is known.
    if (pid === this.lastPid && this.lastProc !== undefined && this.lastProc.firstRss !== 0) return this.lastProc;
    let p = this.procs.get(pid);
    if (!p) {
      p = { firstRss: rss ?? 0, lastRss: rss ?? 0, openRegions: new Map(), rank: -1 };
      this.procs.set(pid, p);
    } else if (p.firstRss === 0 && rss !== undefined) {
      p.firstRss = p.lastRss = rss;
    }
    this.lastPid = pid;
    this.lastProc = p;
    return p;
  }
}
