// Plain records the samplers produce; the store, views and recordings consume them.

/** One process of a monitored tree at one sample. Bytes throughout. */
export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly rss: number;
  readonly vms: number;
  /** File-backed resident pages (statm `shared`). */
  readonly shared: number;
  /** From the last smaps_rollup read, if any; `pssAgeMs` says how old. */
  readonly pss?: number;
  readonly uss?: number;
  readonly swap?: number;
  readonly pssAgeMs?: number;
}

export interface TreeSample {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly rootPid: number;
  /** False once the root process has exited. */
  readonly rootAlive: boolean;
  readonly processes: readonly ProcessSample[];
  /** Sums over the tree. `pss` sums shared pages once; undefined until every process has a PSS reading. */
  readonly rss: number;
  readonly vms: number;
  readonly pss?: number;
  readonly uss?: number;
}

export interface SystemSample {
  readonly t: number;
  readonly total: number;
  readonly available: number;
  /** total - available: the SYSTEM memory type of seed 003. */
  readonly used: number;
  readonly swapTotal: number;
  readonly swapUsed: number;
  /** The memory limit that kills the monitored job, when its cgroup has one. */
  readonly cgroupLimit?: number;
  readonly cgroupUsage?: number;
  readonly cgroupPath?: string;
}

export type PssMode = 'auto' | 'on' | 'off';

/** Samples one process tree. One implementation per platform, chosen once. */
export interface TreeSampler {
  readonly rootPid: number;
  sample(now?: number): TreeSample;
  /** Name and command line, for labels; undefined if the process is gone. */
  describe(pid: number): { name: string; cmdline: string[] } | undefined;
  dispose(): void;
}

/** Samples system memory (and the monitored job's cgroup, where it has one). */
export interface SystemSampler {
  sample(now?: number): SystemSample | undefined;
  dispose(): void;
}
