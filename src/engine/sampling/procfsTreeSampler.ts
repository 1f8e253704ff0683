import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pageSize } from './pageSize';
import { PreadFile } from './preadFile';
import { parseChildren, parseCmdline, parseProcStat, parseSmapsRollup, parseStatmBytes, type ProcStat, type SmapsRollup } from './procfsParsers';
import type { ProcessSample, PssMode, TreeSample, TreeSampler } from './types';

export interface ProcfsTreeSamplerOptions {
  /** How often the child tree is re-read; a new DataLoader worker shows within this. */
  readonly discoveryIntervalMs?: number;
  readonly pss?: PssMode;
  /** In `auto`, the share of wall time smaps_rollup reads may take, for the whole tree (their cost grows with memory). */
  readonly pssBudget?: number;
  /** In `auto`, a process whose RSS has not moved is re-read at most this often. */
  readonly pssMaxAgeMs?: number;
  readonly procRoot?: string;
  /** Called once per distinct problem (permission denied, ...); never throws into sampling. */
  readonly onProblem?: (message: string) => void;
}

interface Tracked {
  readonly pid: number;
  readonly startTime: number;
  ppid: number;
  readonly name: string;
  readonly statm: PreadFile;
  readonly stat: PreadFile;
  /** task/<pid>/children, kept open while the process has a single thread. */
  children?: PreadFile;
  numThreads: number;
  rss: number;
  rollup?: SmapsRollup;
  rollupAt?: number;
  /** RSS when the last PSS read started: PSS is re-read once RSS moves. */
  rssAtRollup: number;
  rollupInFlight: boolean;
  rollupBlocked: boolean;
}

const statmOut = new Float64Array(3);

/**
 * Linux: samples a process tree through /proc. Per sample, one pread of each process's
 * kept-open statm; the tree itself is re-read every `discoveryIntervalMs` through
 * /proc/<pid>/task/<tid>/children, and PSS/USS come from smaps_rollup on a time budget,
 * read asynchronously so a 50 ms read never stalls the sampling tick.
 */
export class ProcfsTreeSampler implements TreeSampler {
  private readonly tracked = new Map<number, Tracked>();
  private readonly page = pageSize();
  private readonly discoveryIntervalMs: number;
  private readonly pssMode: PssMode;
  private readonly pssBudget: number;
  private readonly pssMaxAgeMs: number;
  /** In `auto`, no smaps_rollup read starts before this time (the tree-wide budget). */
  private pssGateAt = 0;
  private pssCursor = 0;
  private readonly proc: string;
  private readonly useChildrenFiles: boolean;
  private readonly reported = new Set<string>();
  private lastDiscovery = -Infinity;
  private rootAlive = true;
  private disposed = false;

  constructor(
    readonly rootPid: number,
    private readonly options: ProcfsTreeSamplerOptions = {},
  ) {
    this.discoveryIntervalMs = options.discoveryIntervalMs ?? 500;
    this.pssMode = options.pss ?? 'auto';
    this.pssBudget = options.pssBudget ?? 0.02;
    this.pssMaxAgeMs = options.pssMaxAgeMs ?? 10_000;
    this.proc = options.procRoot ?? '/proc';
    // CONFIG_PROC_CHILDREN is on in every mainstream kernel; without it, scan /proc for ppids.
    this.useChildrenFiles = existsSync(`${this.proc}/self/task/${process.pid}/children`);
  }

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
    if (this.pssMode !== 'off') this.schedulePss(now);
    if (!this.tracked.has(this.rootPid)) this.rootAlive = false;
    const complete = pssComplete && processes.length > 0 && this.pssMode !== 'off';
    return { t: now, rootPid: this.rootPid, rootAlive: this.rootAlive, processes, rss, vms, pss: complete ? pss : undefined, uss: complete ? uss : undefined };
  }

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

  dispose(): void {
    this.disposed = true;
    for (const pid of [...this.tracked.keys()]) this.untrack(pid);
  }

  /** Re-reads the tree from the root down; new processes are opened, gone ones closed. */
  private discover(): void {
    if (!this.rootAlive) return;
    const seen = new Set<number>();
    const parents = this.useChildrenFiles ? undefined : this.scanParents();
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
        const st = this.readStat(pid);
        if (!st || st.state === 'Z' || !this.track(st)) continue;
        t = this.tracked.get(pid) as Tracked;
      }
      t.ppid = ppid || t.ppid;
      seen.add(pid);
      const kids = parents ? (parents.get(pid) ?? []) : this.childrenOf(t);
      for (const k of kids) queue.push([k, pid]);
    }
    for (const pid of [...this.tracked.keys()]) if (!seen.has(pid)) this.untrack(pid);
    if (!seen.has(this.rootPid)) this.rootAlive = false;
  }

  private childrenOf(t: Tracked): number[] {
    const pid = t.pid;
    if (t.numThreads === 1) {
      // One thread: its children file is the only one; keep it open and pread it.
      try {
        t.children ??= new PreadFile(`${this.proc}/${pid}/task/${pid}/children`);
        return parseChildren(t.children.readText());
      } catch {
        t.children?.close();
        t.children = undefined;
      }
    }
    const out: number[] = [];
    let tids: string[];
    try {
      tids = readdirSync(`${this.proc}/${pid}/task`);
    } catch {
      return out;
    }
    for (const tid of tids) {
      try {
        for (const c of parseChildren(readFileSync(`${this.proc}/${pid}/task/${tid}/children`, 'latin1'))) out.push(c);
      } catch {
        /* thread exited while we listed it */
      }
    }
    return out;
  }

  /** Fallback for kernels without the children files: ppid -> children from one /proc scan. */
  private scanParents(): Map<number, number[]> {
    const m = new Map<number, number[]>();
    for (const name of readdirSync(this.proc)) {
      if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
      const st = this.readStat(Number(name));
      if (!st) continue;
      const list = m.get(st.ppid) ?? [];
      list.push(st.pid);
      m.set(st.ppid, list);
    }
    return m;
  }

  private readStat(pid: number) {
    try {
      return parseProcStat(readFileSync(`${this.proc}/${pid}/stat`, 'latin1'));
    } catch {
      return undefined;
    }
  }

  private track(stat: ProcStat): boolean {
    let statm: PreadFile;
    let statFile: PreadFile;
    try {
      statm = new PreadFile(`${this.proc}/${stat.pid}/statm`);
      try {
        statFile = new PreadFile(`${this.proc}/${stat.pid}/stat`);
      } catch (e) {
        statm.close();
        throw e;
      }
    } catch (e) {
      this.problem(`cannot open ${this.proc}/${stat.pid}/statm: ${(e as Error).message}`, 'statm-open');
      return false;
    }
    this.tracked.set(stat.pid, {
      pid: stat.pid,
      startTime: stat.startTime,
      ppid: stat.ppid,
      name: stat.comm,
      statm,
      stat: statFile,
      numThreads: stat.numThreads,
      rss: 0,
      rssAtRollup: -1,
      rollupInFlight: false,
      rollupBlocked: false,
    });
    return true;
  }

  private untrack(pid: number): void {
    const t = this.tracked.get(pid);
    if (!t) return;
    t.statm.close();
    t.stat.close();
    t.children?.close();
    this.tracked.delete(pid);
  }

  /**
   * Starts smaps_rollup reads. `on`: every process each sample (one read in flight each).
   * `auto`: one read at a time for the whole tree, the next one gated so reads take at most
   * `pssBudget` of wall time, going to a process whose RSS moved (or whose reading is old).
   */
  private schedulePss(now: number): void {
    if (this.pssMode === 'on') {
      for (const p of this.tracked.values()) if (!p.rollupInFlight && !p.rollupBlocked) this.readRollup(p);
      return;
    }
    if (now < this.pssGateAt) return;
    const list = [...this.tracked.values()];
    for (let k = 0; k < list.length; k++) {
      const p = list[(this.pssCursor + k) % list.length];
      if (p.rollupInFlight || p.rollupBlocked) continue;
      const moved = Math.abs(p.rss - p.rssAtRollup) > Math.max(1 << 20, 0.01 * p.rssAtRollup);
      const old = p.rollupAt === undefined || now - p.rollupAt > this.pssMaxAgeMs;
      if (!moved && !old) continue;
      this.pssCursor = (this.pssCursor + k + 1) % Math.max(1, list.length);
      this.pssGateAt = Infinity; // until this read reports its cost
      this.readRollup(p);
      return;
    }
  }

  private readRollup(p: Tracked): void {
    p.rollupInFlight = true;
    p.rssAtRollup = p.rss;
    const started = performance.now();
    readFile(`${this.proc}/${p.pid}/smaps_rollup`, 'latin1').then(
      (text) => {
        p.rollupInFlight = false;
        const ms = performance.now() - started;
        // A read that took d ms keeps the next one d / budget away (16 ms at 1 GiB -> 0.8 s).
        // Wall latency also counts thread-pool and event-loop waits, so it is capped by the
        // kernel's cost for a process this size (about 15 ms per GiB, plus a little).
        const modelMs = 0.5 + (15 * p.rss) / 2 ** 30;
        this.pssGateAt = Date.now() + Math.min(ms, modelMs) / this.pssBudget;
        if (this.disposed || this.tracked.get(p.pid) !== p) return;
        const r = parseSmapsRollup(text);
        if (r) {
          p.rollup = r;
          p.rollupAt = Date.now();
        }
      },
      (e: NodeJS.ErrnoException) => {
        p.rollupInFlight = false;
        this.pssGateAt = Date.now();
        if (e.code === 'EACCES' || e.code === 'EPERM') {
          // Another user's process: PSS is not ours to read. Say so once, stop trying for it.
          this.problem(`PSS unavailable for pid ${p.pid} (${e.code}): showing RSS only`, `pss-${e.code}`);
          p.rollupBlocked = true;
        }
      },
    );
  }

  private problem(message: string, key: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.options.onProblem?.(message);
  }
}
