import type * as si from 'systeminformation';
import type { ProcessSample, SystemSample, SystemSampler, TreeSample, TreeSampler } from './types';

/** The fields of a `systeminformation.processes()` entry we use (memRss/memVsz in KiB). */
export interface SiProcess {
  readonly pid: number;
  readonly parentPid: number;
  readonly name: string;
  readonly command?: string;
  readonly params?: string;
  readonly memRss: number;
  readonly memVsz: number;
}

/** Builds a tree sample for `rootPid` from a full process list (pure; tested with captured output). */
export function treeFromProcessList(list: readonly SiProcess[], rootPid: number, t: number): TreeSample {
  const children = new Map<number, SiProcess[]>();
  const byPid = new Map<number, SiProcess>();
  for (const p of list) {
    byPid.set(p.pid, p);
    const c = children.get(p.parentPid);
    if (c) c.push(p);
    else children.set(p.parentPid, [p]);
  }
  const processes: ProcessSample[] = [];
  const root = byPid.get(rootPid);
  let rss = 0;
  let vms = 0;
  const queue = root ? [root] : [];
  const seen = new Set<number>();
  while (queue.length) {
    const p = queue.shift() as SiProcess;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    const r = p.memRss * 1024;
    const v = p.memVsz * 1024;
    rss += r;
    vms += v;
    processes.push({ pid: p.pid, ppid: p.parentPid, name: p.name, rss: r, vms: v, shared: 0 });
    for (const c of children.get(p.pid) ?? []) queue.push(c);
  }
  return { t, rootPid, rootAlive: !!root, processes, rss, vms };
}


/**
 * macOS and Windows: the process list through systeminformation, refreshed in the
 * background at a lower rate (it spawns `ps` or PowerShell); `sample()` returns the latest.
 */
export class SiTreeSampler implements TreeSampler {
  private last: TreeSample;
  private inFlight = false;
  private lastRefresh = 0;
  private disposed = false;
  private si: typeof si | undefined;

  constructor(
    readonly rootPid: number,
    private readonly refreshMs = 1000,
  ) {
    this.last = { t: Date.now(), rootPid, rootAlive: true, processes: [], rss: 0, vms: 0 };
  }

  sample(now = Date.now()): TreeSample {
    if (!this.inFlight && now - this.lastRefresh >= this.refreshMs) void this.refresh(now);
    return { ...this.last, t: now };
  }

  describe(pid: number) {
    const p = this.last.processes.find((x) => x.pid === pid);
    return p ? { name: p.name, cmdline: [p.name] } : undefined;
  }

  dispose(): void {
    this.disposed = true;
  }

  private async refresh(now: number): Promise<void> {
    this.inFlight = true;
    this.lastRefresh = now;
    try {
      this.si ??= await import('systeminformation');
      const data = await this.si.processes();
      if (!this.disposed) this.last = treeFromProcessList(data.list as SiProcess[], this.rootPid, Date.now());
    } catch {
      /* keep the last good sample */
    } finally {
      this.inFlight = false;
    }
  }
}

export class SiSystemSampler implements SystemSampler {
  private last: SystemSample | undefined;
  private inFlight = false;

  sample(now = Date.now()): SystemSample | undefined {
    if (!this.inFlight) {
      this.inFlight = true;
      import('systeminformation')
        .then((si) => si.mem())
        .then((m) => {
          this.last = { t: Date.now(), total: m.total, available: m.available, used: m.total - m.available, swapTotal: m.swaptotal, swapUsed: m.swapused };
        })
        .catch(() => undefined)
        .finally(() => (this.inFlight = false));
    }
    return this.last && { ...this.last, t: now };
  }

  dispose(): void {}
}
