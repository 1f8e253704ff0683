import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PreadFile, tryOpen } from './preadFile';
import { parseCgroupLimit, parseMeminfo, parseProcCgroup } from './procfsParsers';
import type { SystemSample, SystemSampler } from './types';

interface CgroupWatch {
  readonly dir: string;
  readonly limit: number;
  readonly usage: PreadFile;
}

/** The first seconds of a run, when the job's cgroup is looked for often, and how often. */
const EARLY_MS = 5000;
const EARLY_REFRESH_MS = 250;

export interface LinuxSystemSamplerOptions {
  /** The monitored process: its cgroup's memory limit is what the OOM killer enforces. */
  readonly pid?: number;
  readonly procRoot?: string;
  readonly cgroupRoot?: string;
  /** Limits can change (systemd, kubelet): re-resolve this often. */
  readonly cgroupRefreshMs?: number;
}

/**
 * Linux system memory from /proc/meminfo (pread), "used" as total - available; plus the
 * memory limit of the monitored process's cgroup (v2 memory.max, or v1
 * memory.limit_in_bytes), the tightest one on the path to the root, with its usage.
 */
export class LinuxSystemSampler implements SystemSampler {
  private readonly meminfo: PreadFile;
  private readonly proc: string;
  private readonly cgroupRoot: string;
  private cgroup: CgroupWatch | undefined;
  private cgroupResolvedAt = -Infinity;
  private firstSampleAt: number | undefined;

  constructor(private readonly options: LinuxSystemSamplerOptions = {}) {
    this.proc = options.procRoot ?? '/proc';
    this.cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
    this.meminfo = new PreadFile(`${this.proc}/meminfo`);
  }

  sample(now = Date.now()): SystemSample | undefined {
    const m = parseMeminfo(this.meminfo.readText());
    if (!m) return undefined;
    this.firstSampleAt ??= now;
    // A wrapper may move the job into its cgroup just after starting it (cgexec, systemd-run,
    // `echo $$ > cgroup.procs; exec ...`): look often at first, then at the usual pace.
    const refresh = now - this.firstSampleAt < EARLY_MS ? Math.min(EARLY_REFRESH_MS, this.options.cgroupRefreshMs ?? 5000) : (this.options.cgroupRefreshMs ?? 5000);
    if (now - this.cgroupResolvedAt >= refresh) {
      this.resolveCgroup();
      this.cgroupResolvedAt = now;
    }
    let cgroupUsage: number | undefined;
    if (this.cgroup) {
      try {
        cgroupUsage = Number(this.cgroup.usage.readText().trim());
      } catch {
        this.dropCgroup();
      }
    }
    return {
      t: now,
      total: m.total,
      available: m.available,
      used: m.total - m.available,
      swapTotal: m.swapTotal,
      swapUsed: m.swapTotal - m.swapFree,
      cgroupLimit: this.cgroup?.limit,
      cgroupUsage,
      cgroupPath: this.cgroup?.dir,
    };
  }

  dispose(): void {
    this.meminfo.close();
    this.dropCgroup();
  }

  private dropCgroup(): void {
    this.cgroup?.usage.close();
    this.cgroup = undefined;
  }

  private resolveCgroup(): void {
    const found = findCgroupLimit(this.proc, this.cgroupRoot, this.options.pid ?? process.pid);
    if (found?.dir === this.cgroup?.dir && found?.limit === this.cgroup?.limit) return;
    this.dropCgroup();
    if (!found) return;
    const usage = tryOpen(join(found.dir, found.usageFile));
    if (usage) this.cgroup = { dir: found.dir, limit: found.limit, usage };
  }
}

/** The tightest memory limit on the path from the process's cgroup up to the root, if any. */
export function findCgroupLimit(
  procRoot: string,
  cgroupRoot: string,
  pid: number,
): { dir: string; limit: number; usageFile: string } | undefined {
  let membership;
  try {
    membership = parseProcCgroup(readFileSync(`${procRoot}/${pid}/cgroup`, 'latin1'));
  } catch {
    return undefined;
  }
  const candidates: { base: string; rel: string; limitFile: string; usageFile: string }[] = [];
  if (membership.unified !== undefined) {
    // Pure v2 mounts the hierarchy at the root; hybrid systems at /unified (without memory there).
    const base = existsSync(join(cgroupRoot, 'cgroup.controllers')) ? cgroupRoot : join(cgroupRoot, 'unified');
    candidates.push({ base, rel: membership.unified, limitFile: 'memory.max', usageFile: 'memory.current' });
  }
  if (membership.memoryV1 !== undefined) {
    candidates.push({ base: join(cgroupRoot, 'memory'), rel: membership.memoryV1, limitFile: 'memory.limit_in_bytes', usageFile: 'memory.usage_in_bytes' });
  }
  let best: { dir: string; limit: number; usageFile: string } | undefined;
  for (const c of candidates) {
    // Inside a cgroup namespace the path is "/" and the mount is the container's own cgroup.
    let rel = c.rel;
    for (;;) {
      const dir = join(c.base, rel);
      try {
        const limit = parseCgroupLimit(readFileSync(join(dir, c.limitFile), 'latin1'));
        if (limit !== undefined && (!best || limit < best.limit)) best = { dir, limit, usageFile: c.usageFile };
      } catch {
        /* this level has no memory controller files: keep walking up */
      }
      if (rel === '/' || rel === '') break;
      rel = rel.slice(0, rel.lastIndexOf('/')) || '/';
    }
  }
  return best;
}
