import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOomKillCount, parsePressure, parseVmstatOomKill, stallPercent } from './cgroupParsers';
import { tryOpen, type PreadFile } from './preadFile';
import { parseProcCgroup } from './procfsParsers';

/** Memory stall over the last interval, percent of wall time; a field is absent where the kernel has no such line. */
export interface PressureReading {
  readonly some?: number;
  readonly full?: number;
}

/** Processes the out-of-memory killer killed since monitoring began. */
export interface OomKillCounts {
  /** In the job's cgroup; undefined where no counter could be read (not Linux, kernel before 4.13). */
  readonly cgroup?: number;
  /** Anywhere on the machine (`/proc/vmstat`), other cgroups' kills included. */
  readonly system?: number;
}

export interface CgroupWatchSample {
  readonly t: number;
  readonly oomKills: OomKillCounts;
  /** System-wide memory pressure (`/proc/pressure/memory`); absent without PSI. */
  readonly psi?: PressureReading;
  /** The job's own cgroup's memory pressure (v2 `memory.pressure`), where it has one of its own. */
  readonly cgroupPsi?: PressureReading;
}

export interface CgroupWatchOptions {
  /** The monitored root process: its cgroup is the job's. */
  readonly pid: number;
  readonly procRoot?: string;
  readonly cgroupRoot?: string;
  /** A wrapper may move the job into its cgroup just after it starts (`cgexec`, systemd-run): look again this often. */
  readonly refreshMs?: number;
  /** `/proc/vmstat` is 5 kB: read it this often, and once more at the end. */
  readonly vmstatEveryMs?: number;
}

/** Where the job's OOM counter and pressure are read, from its `/proc/<pid>/cgroup`. */
export interface JobCgroupFiles {
  /** v2 `memory.events` or v1 `memory.oom_control` of the job's own cgroup. */
  readonly oomFile?: string;
  /** v2 `memory.pressure` of the job's cgroup; none when it is a hybrid system's root (that is the system's). */
  readonly pressureFile?: string;
}

/** The job's cgroup files; what is not there is left out (absent is a normal state). */
export function jobCgroupFiles(procRoot: string, cgroupRoot: string, pid: number): JobCgroupFiles | undefined {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/cgroup`, 'latin1');
  } catch {
    return undefined;
  }
  const m = parseProcCgroup(text);
  let oomFile: string | undefined;
  let pressureFile: string | undefined;
  if (m.unified !== undefined) {
    // Pure v2 mounts the hierarchy at the root; hybrid systems at /unified, without memory there.
    const pure = existsSync(join(cgroupRoot, 'cgroup.controllers'));
    const dir = join(pure ? cgroupRoot : join(cgroupRoot, 'unified'), m.unified);
    if (existsSync(join(dir, 'memory.events'))) oomFile = join(dir, 'memory.events');
    // Inside a cgroup namespace "/" is the container's own cgroup; on a hybrid host it is everything.
    if ((pure || (m.unified !== '/' && m.unified !== '')) && existsSync(join(dir, 'memory.pressure'))) pressureFile = join(dir, 'memory.pressure');
  }
  if (!oomFile && m.memoryV1 !== undefined) {
    const f = join(cgroupRoot, 'memory', m.memoryV1, 'memory.oom_control');
    if (existsSync(f)) oomFile = f;
  }
  return { oomFile, pressureFile };
}

/** A PSI file read again each sample, turned into stall percent over the interval. */
class PressureFile {
  private last: { t: number; some: number; full?: number } | undefined;
  constructor(private readonly file: PreadFile) {}

  read(now: number): PressureReading | undefined {
    let p;
    try {
      p = parsePressure(this.file.readText());
    } catch {
      return undefined; // PSI switched off at boot (EOPNOTSUPP), or the cgroup is gone
    }
    if (!p) return undefined;
    const prev = this.last;
    this.last = { t: now, some: p.some.total, full: p.full?.total };
    if (!prev) return undefined;
    const some = stallPercent(prev.some, p.some.total, now - prev.t);
    const full = prev.full !== undefined && p.full ? stallPercent(prev.full, p.full.total, now - prev.t) : undefined;
    return some === undefined && full === undefined ? undefined : { some, full };
  }

  close(): void {
    this.file.close();
  }
}

/**
 * The job's OOM kill counters (its cgroup's, the system's) counted from the start of
 * monitoring, and memory pressure (system and cgroup PSI) per sample. Files that are not
 * there are left out: a machine without PSI or without cgroup counters is a normal state.
 */
export class CgroupWatch {
  private readonly proc: string;
  private readonly cgroupRoot: string;
  private resolvedAt = -Infinity;
  private oomPath: string | undefined;
  private oomFile: PreadFile | undefined;
  /** Kills counted in cgroups the job has left (a wrapper moved it), and the current one's baseline and last count. */
  private oomCarried = 0;
  private oomBase: number | undefined;
  private oomLast: number | undefined;
  private oomSeen = false;
  private readonly vmstat: PreadFile | undefined;
  private vmstatAt = -Infinity;
  private vmstatBase: number | undefined;
  private vmstatLast: number | undefined;
  private readonly systemPsi: PressureFile | undefined;
  private cgroupPsiPath: string | undefined;
  private cgroupPsi: PressureFile | undefined;

  constructor(private readonly options: CgroupWatchOptions) {
    this.proc = options.procRoot ?? '/proc';
    this.cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
    this.vmstat = tryOpen(`${this.proc}/vmstat`);
    const psi = tryOpen(`${this.proc}/pressure/memory`);
    this.systemPsi = psi && new PressureFile(psi);
  }

  /** Reads the counters and pressure now. `final`: the job has ended; read everything, resolve nothing. */
  sample(now = Date.now(), final = false): CgroupWatchSample {
    if (!final && now - this.resolvedAt >= (this.options.refreshMs ?? 500)) {
      this.resolvedAt = now;
      this.resolve();
    }
    this.readOom();
    if (final || now - this.vmstatAt >= (this.options.vmstatEveryMs ?? 1000)) {
      this.vmstatAt = now;
      this.readVmstat();
    }
    return {
      t: now,
      oomKills: this.counts(),
      psi: this.systemPsi?.read(now),
      cgroupPsi: this.cgroupPsi?.read(now),
    };
  }

  /** Kills since monitoring began, as last read. */
  counts(): OomKillCounts {
    const current = this.oomBase === undefined ? 0 : (this.oomLast ?? this.oomBase) - this.oomBase;
    const cgroup = this.oomSeen ? this.oomCarried + current : undefined;
    const system = this.vmstatBase === undefined ? undefined : (this.vmstatLast ?? this.vmstatBase) - this.vmstatBase;
    return { cgroup, system };
  }

  /** The file the job's cgroup counter is read from, if any. */
  get oomCounterFile(): string | undefined {
    return this.oomPath;
  }

  dispose(): void {
    this.oomFile?.close();
    this.vmstat?.close();
    this.systemPsi?.close();
    this.cgroupPsi?.close();
    this.oomFile = this.cgroupPsi = undefined;
  }

  private resolve(): void {
    const found = jobCgroupFiles(this.proc, this.cgroupRoot, this.options.pid);
    if (!found) return; // the process is gone: keep what was found while it lived
    if (found.oomFile !== this.oomPath) {
      this.readOom(); // the last word of the cgroup being left
      if (this.oomBase !== undefined) this.oomCarried += (this.oomLast ?? this.oomBase) - this.oomBase;
      this.oomFile?.close();
      this.oomPath = found.oomFile;
      this.oomFile = found.oomFile ? tryOpen(found.oomFile) : undefined;
      this.oomBase = this.oomLast = undefined;
    }
    if (found.pressureFile !== this.cgroupPsiPath) {
      this.cgroupPsi?.close();
      this.cgroupPsiPath = found.pressureFile;
      const f = found.pressureFile ? tryOpen(found.pressureFile) : undefined;
      this.cgroupPsi = f && new PressureFile(f);
    }
  }

  private readOom(): void {
    if (!this.oomFile || !this.oomPath) return;
    let n: number | undefined;
    try {
      n = parseOomKillCount(this.oomFile.readText(), this.oomPath.endsWith('memory.events') ? 'memory.events' : 'memory.oom_control');
    } catch {
      return; // the cgroup was removed: its last reading stands
    }
    if (n === undefined) return;
    this.oomBase ??= n;
    this.oomLast = n;
    this.oomSeen = true;
  }

  private readVmstat(): void {
    if (!this.vmstat) return;
    let n: number | undefined;
    try {
      n = parseVmstatOomKill(this.vmstat.readText());
    } catch {
      return;
    }
    if (n === undefined) return;
    this.vmstatBase ??= n;
    this.vmstatLast = n;
  }
}
