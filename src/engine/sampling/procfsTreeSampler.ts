import { existsSync, readFileSync } from 'node:fs';
import { childrenOf, readStat, scanParents, type ChildrenSource } from './childPids';
import { pageSize } from './pageSize';
import { PreadFile } from './preadFile';
import { parseCmdline, parseProcStat, parseStatmBytes, type ProcStat } from './procfsParsers';
import { PssScheduler, type PssState } from './pssScheduler';
import type { ProcessSample, PssMode, TreeSample, TreeSampler } from './types';

export interface ProcfsTreeSamplerOptions {
  /** How often the child tree is re-read; a new DataLoader worker shows within this. */
  readonly discoveryIntervalMs?: number;
  readonly pss?: PssMode;
  /** In `auto`, the share of wall time smaps_rollup reads may take, for the whole tree (their cost grows with memory). */
  readonly pssBudget?: number;
  /** In `auto`, a process whose RSS has not moved is re-read at most this often. */
  readonly pssMaxAgeMs?: number;
  /** Where procfs is mounted: /proc unless told otherwise. */
  readonly procRoot?: string;
  /** Called once per distinct problem (permission denied, ...); never throws into sampling. */
  readonly onProblem?: (message: string) => void;
  /**
   * Processes whose files stay open between samples (up to 3 descriptors each); the rest are
   * opened at each read. A tree of thousands of workers never runs the editor out of descriptors.
   */
  readonly keepOpenMax?: number;
}

/** 128 processes: at most 384 descriptors held, well under the usual 1024 soft limit. */
export const KEEP_OPEN_MAX = 128;

/**
 * Whether opening a process's file failed because the process is gone: ESRCH, or ENOENT once its
 * /proc directory has gone too. Anything else (EACCES, EMFILE, a statm missing from a live
 * process) is a problem worth saying, once.
 */
export function vanished(error: unknown, pidDirExists: boolean): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ESRCH' || (code === 'ENOENT' && !pidDirExists);
}

/** A process of the tree, with its kept-open files and its PSS state. */
interface Tracked extends PssState, ChildrenSource {
  readonly pid: number;
  readonly startTime: number;
  ppid: number;
  readonly name: string;
  readonly statm: PreadFile;
  readonly stat: PreadFile;
  readonly keepOpen: boolean;
}

const statmOut = new Float64Array(3);

/**
 * Linux: samples a process tree through /proc. Per sample, one pread of each process's
 * kept-open statm; the tree itself is re-read every `discoveryIntervalMs` through
 * /proc/<pid>/task/<tid>/children (`childPids`), and PSS/USS come from smaps_rollup on a
 * time budget (`PssScheduler`), read asynchronously so a 50 ms read never stalls the tick.
 */
export class ProcfsTreeSampler implements TreeSampler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly page = pageSize();
  private readonly discoveryIntervalMs: number;
  private readonly pssMode: PssMode;
  /** Starts smaps_rollup reads; undefined when PSS is off. */
  private readonly pss: PssScheduler<Tracked> | undefined;
  private readonly proc: string;
  private readonly useChildrenFiles: boolean;
  private readonly reported = new Set<string>();
  private lastDiscovery = -Infinity;
  private rootAlive = true;
  /** Tracked processes holding descriptors (keepOpen). */
  private keptOpen = 0;
  private disposed = false;

  constructor(
    readonly rootPid: number,
    private readonly options: ProcfsTreeSamplerOptions = {},
  ) {
    this.discoveryIntervalMs = options.discoveryIntervalMs ?? 500;
    this.pssMode = options.pss ?? 'auto';
    this.proc = options.procRoot ?? '/proc';
    if (this.pssMode !== 'off') {
      this.pss = new PssScheduler<Tracked>(this.pssMode, options.pssBudget ?? 0.02, options.pssMaxAgeMs ?? 10_000, {
        procRoot: this.proc,
        // A read that lands after its process was dropped (or the sampler disposed) is thrown away.
        isCurrent: (p) => !this.disposed && this.tracked.get(p.pid) === p,
        problem: (message, key) => this.problem(message, key),
      });
    }
    // CONFIG_PROC_CHILDREN is on in every mainstream kernel; without it, scan /proc for ppids.
    this.useChildrenFiles = existsSync(`${this.proc}/self/task/${process.pid}/children`);
  }

  /** The tree's memory now: one statm read per process, a discovery when one is due. */
  sample(now = Date.now()): TreeSample {
    if (now - this.lastDiscovery >= this.discoveryIntervalMs) {
      this.discover();
      this.lastDiscovery = now;
    }
    const processes: ProcessSample[] = [];
    let rss = 0;
    let vms = 0;
    let pss = 0;
    let uss = 0;
    let pssComplete = true;
    for (const p of this.tracked.values()) {
      let len: number;
      try {
        len = p.statm.readRaw();
      } catch {
        // Exited between discovery and now (ESRCH): drop it, no error.
        this.untrack(p.pid);
        continue;
      }
      if (!parseStatmBytes(PreadFile.buffer, len, statmOut)) continue;
      if (statmOut[0] === 0) {
        // A zombie (exited, not yet reaped) reads all zeros: it holds no memory any more.
        this.untrack(p.pid);
        continue;
      }
      const r = statmOut[1] * this.page;
      const v = statmOut[0] * this.page;
      p.rss = r;
      rss += r;
      vms += v;
      const roll = p.rollup;
      if (roll) {
        pss += roll.pss;
        uss += roll.uss;
      } else pssComplete = false;
      processes.push({
        pid: p.pid,
        ppid: p.ppid,
        name: p.name,
        rss: r,
        vms: v,
        shared: statmOut[2] * this.page,
        pss: roll?.pss,
        uss: roll?.uss,
        swap: roll?.swap,
        pssAgeMs: p.rollupAt === undefined ? undefined : now - p.rollupAt,
      });
    }
    this.pss?.schedule(now, this.tracked);
    if (!this.tracked.has(this.rootPid)) this.rootAlive = false;
    const complete = pssComplete && processes.length > 0 && this.pssMode !== 'off';
    return { t: now, rootPid: this.rootPid, rootAlive: this.rootAlive, processes, rss, vms, pss: complete ? pss : undefined, uss: complete ? uss : undefined };
  }

  /** `pid`'s name and command line, read afresh; undefined when it is gone. */
  describe(pid: number): { name: string; cmdline: string[] } | undefined {
    try {
      const stat = parseProcStat(readFileSync(`${this.proc}/${pid}/stat`, 'latin1'));
      const cmdline = parseCmdline(readFileSync(`${this.proc}/${pid}/cmdline`));
      return stat ? { name: stat.comm, cmdline } : undefined;
    } catch {
      return undefined;
    }
  }

  /** PIDs currently tracked (root first). */
  pids(): number[] {
    return [...this.tracked.keys()];
  }

  /** Closes every kept-open file; PSS reads still in flight are dropped when they land. */
  dispose(): void {
    this.disposed = true;
    for (const pid of [...this.tracked.keys()]) this.untrack(pid);
  }

  /** Re-reads the tree from the root down; new processes are opened, gone ones closed. */
  private discover(): void {
    if (!this.rootAlive) return;
    const seen = new Set<number>();
    const parents = this.useChildrenFiles ? undefined : scanParents(this.proc);
    const queue: [pid: number, ppid: number][] = [[this.rootPid, 0]];
    for (let qi = 0; qi < queue.length; qi++) {
      const [pid, ppid] = queue[qi];
      if (seen.has(pid)) continue;
      let t = this.tracked.get(pid);
      if (t) {
        // Known process: its kept-open stat says whether it still lives, and its thread count.
        let st: ProcStat | undefined;
        try {
          st = parseProcStat(t.stat.readText());
        } catch {
          st = undefined;
        }
        if (!st || st.startTime !== t.startTime || st.state === 'Z') {
          this.untrack(pid);
          t = undefined;
          if (!st) continue;
        } else if (st.numThreads !== t.numThreads) {
          t.numThreads = st.numThreads;
          if (st.numThreads !== 1) {
            t.children?.close();
            t.children = undefined;
          }
        }
      }
      if (!t) {
        const st = readStat(this.proc, pid);
        if (!st || st.state === 'Z' || !this.track(st)) continue;
        t = this.tracked.get(pid) as Tracked;
      }
      t.ppid = ppid || t.ppid;
      seen.add(pid);
      const kids = parents ? (parents.get(pid) ?? []) : childrenOf(this.proc, t);
      for (const k of kids) queue.push([k, pid]);
    }
    for (const pid of [...this.tracked.keys()]) if (!seen.has(pid)) this.untrack(pid);
    if (!seen.has(this.rootPid)) this.rootAlive = false;
  }

  private track(stat: ProcStat): boolean {
    let statm: PreadFile;
    let statFile: PreadFile;
    const keepOpen = this.keptOpen < (this.options.keepOpenMax ?? KEEP_OPEN_MAX);
    try {
      statm = new PreadFile(`${this.proc}/${stat.pid}/statm`, keepOpen);
      try {
        statFile = new PreadFile(`${this.proc}/${stat.pid}/stat`, keepOpen);
      } catch (e) {
        statm.close();
        throw e;
      }
    } catch (e) {
      // The process read a moment ago may have exited since: that is how processes end, not a
      // problem (a fork-heavy program hits it at every discovery, and at its own exit).
      if (!vanished(e, existsSync(`${this.proc}/${stat.pid}`))) this.problem(`cannot open the files of pid ${stat.pid}: ${(e as Error).message}`, 'statm-open');
      return false;
    }
    this.tracked.set(stat.pid, {
      pid: stat.pid,
      startTime: stat.startTime,
      ppid: stat.ppid,
      name: stat.comm,
      statm,
      stat: statFile,
      keepOpen,
      numThreads: stat.numThreads,
      rss: 0,
      rssAtRollup: -1,
      rollupInFlight: false,
      rollupBlocked: false,
    });
    if (keepOpen) this.keptOpen++;
    return true;
  }

  private untrack(pid: number): void {
    const t = this.tracked.get(pid);
    if (!t) return;
    if (t.keepOpen) this.keptOpen--;
    t.statm.close();
    t.stat.close();
    t.children?.close();
    this.tracked.delete(pid);
  }

  private problem(message: string, key: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.options.onProblem?.(message);
  }
}
