import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pageSize } from './pageSize';
import { PreadFile } from './preadFile';
import { parseChildren, parseCmdline, parseProcStat, parseSmapsRollup, parseStatm, type SmapsRollup } from './procfsParsers';
import type { ProcessSample, PssMode, TreeSample, TreeSampler } from './types';

export interface ProcfsTreeSamplerOptions {
  /** How often the child tree is re-read; a new DataLoader worker shows within this. */
  readonly discoveryIntervalMs?: number;
  readonly pss?: PssMode;
  /** In `auto`, the share of wall time smaps_rollup reads may take (its cost grows with memory). */
  readonly pssBudget?: number;
  /** Never read one process's smaps_rollup more often than this, in `auto`. */
  readonly pssMinIntervalMs?: number;
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
  rollup?: SmapsRollup;
  rollupAt?: number;
  nextRollupAt: number;
  rollupInFlight: boolean;
}

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
  private readonly pssMinIntervalMs: number;
  private readonly proc: string;
  private readonly useChildrenFiles: boolean;
  private readonly reported = new Set<string>();
  private lastDiscovery = -Infinity;
  private rootAlive = true;
  private disposed = false;
  /** Reads of smaps_rollup that finished, and their total milliseconds: for the status and the bench. */
  readonly pssStats = { reads: 0, totalMs: 0, lastMs: 0 };

  constructor(
    readonly rootPid: number,
    private readonly options: ProcfsTreeSamplerOptions = {},
  ) {
    this.discoveryIntervalMs = options.discoveryIntervalMs ?? 500;
    this.pssMode = options.pss ?? 'auto';
    this.pssBudget = options.pssBudget ?? 0.02;
    this.pssMinIntervalMs = options.pssMinIntervalMs ?? 1000;
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
      let text: string;
      try {
        text = p.statm.readText();
      } catch {
        // Exited between discovery and now (ESRCH): drop it, no error.
        this.untrack(p.pid);
        continue;
      }
      const s = parseStatm(text);
      if (!s) continue;
      const r = s.residentPages * this.page;
      const v = s.sizePages * this.page;
      rss += r;
      vms += v;
      if (p.rollup) {
        pss += p.rollup.pss;
        uss += p.rollup.uss;
      } else pssComplete = false;
      processes.push({
        pid: p.pid,
        ppid: p.ppid,
        name: p.name,
        rss: r,
        vms: v,
        shared: s.sharedPages * this.page,
        pss: p.rollup?.pss,
        uss: p.rollup?.uss,
        swap: p.rollup?.swap,
        pssAgeMs: p.rollupAt === undefined ? undefined : now - p.rollupAt,
      });
      this.maybeReadRollup(p, now);
    }
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
    while (queue.length) {
      const [pid, ppid] = queue.shift() as [number, number];
      if (seen.has(pid)) continue;
      const existing = this.tracked.get(pid);
      const stat = this.readStat(pid);
      if (!stat) {
        if (existing) this.untrack(pid);
        continue;
      }
      if (existing && existing.startTime !== stat.startTime) this.untrack(pid); // PID reused
      if (!this.tracked.has(pid) && !this.track(stat)) continue;
      const t = this.tracked.get(pid) as Tracked;
      t.ppid = ppid || stat.ppid;
      seen.add(pid);
      const kids = parents ? (parents.get(pid) ?? []) : this.childrenOf(pid);
      for (const k of kids) queue.push([k, pid]);
    }
    for (const pid of [...this.tracked.keys()]) if (!seen.has(pid)) this.untrack(pid);
    if (!seen.has(this.rootPid)) this.rootAlive = false;
  }

  private childrenOf(pid: number): number[] {
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

  private track(stat: NonNullable<ReturnType<typeof parseProcStat>>): boolean {
    let statm: PreadFile;
    try {
      statm = new PreadFile(`${this.proc}/${stat.pid}/statm`);
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
      nextRollupAt: 0,
      rollupInFlight: false,
    });
    return true;
  }

  private untrack(pid: number): void {
    const t = this.tracked.get(pid);
    if (!t) return;
    t.statm.close();
    this.tracked.delete(pid);
  }

  private maybeReadRollup(p: Tracked, now: number): void {
    if (this.pssMode === 'off' || p.rollupInFlight || now < p.nextRollupAt) return;
    p.rollupInFlight = true;
    const started = performance.now();
    readFile(`${this.proc}/${p.pid}/smaps_rollup`, 'latin1').then(
      (text) => {
        p.rollupInFlight = false;
        const ms = performance.now() - started;
        this.pssStats.reads++;
        this.pssStats.totalMs += ms;
        this.pssStats.lastMs = ms;
        if (this.disposed || this.tracked.get(p.pid) !== p) return;
        const r = parseSmapsRollup(text);
        if (r) {
          p.rollup = r;
          p.rollupAt = Date.now();
        }
        // auto: a read that took d ms waits d / budget before the next (16 ms at 1 GiB -> 0.8 s).
        const wait = this.pssMode === 'on' ? 0 : Math.max(this.pssMinIntervalMs, ms / this.pssBudget);
        p.nextRollupAt = Date.now() + wait;
      },
      (e: NodeJS.ErrnoException) => {
        p.rollupInFlight = false;
        if (e.code === 'EACCES' || e.code === 'EPERM') {
          // Another user's process: PSS is not ours to read. Say so once, stop trying for it.
          this.problem(`PSS unavailable for pid ${p.pid} (${e.code}): showing RSS only`, `pss-${e.code}`);
          p.nextRollupAt = Infinity;
        } else p.nextRollupAt = Date.now() + 5000;
      },
    );
  }

  private problem(message: string, key: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.options.onProblem?.(message);
  }
}
