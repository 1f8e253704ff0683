import { readdirSync, readFileSync } from 'node:fs';
import { pageSize } from './pageSize';
import { parseCmdline, parseProcStat, parseStatm } from './procfsParsers';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly cmdline: string;
  readonly rss: number;
}

/** Every process this user can see, largest RSS first (Linux /proc; systeminformation elsewhere). */
export async function listProcesses(platform = process.platform): Promise<ProcessInfo[]> {
  if (platform !== 'linux') {
    const si = await import('systeminformation');
    const { list } = await si.processes();
    return list
      .map((p) => ({ pid: p.pid, ppid: p.parentPid, name: p.name, cmdline: `${p.command} ${p.params}`.trim(), rss: p.memRss * 1024 }))
      .sort((a, b) => b.rss - a.rss);
  }
  const page = pageSize();
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const st = parseProcStat(readFileSync(`/proc/${name}/stat`, 'latin1'));
      const sm = parseStatm(readFileSync(`/proc/${name}/statm`, 'latin1'));
      if (!st || !sm || sm.residentPages === 0) continue;
      const cmd = parseCmdline(readFileSync(`/proc/${name}/cmdline`)).join(' ');
      out.push({ pid: st.pid, ppid: st.ppid, name: st.comm, cmdline: cmd || `[${st.comm}]`, rss: sm.residentPages * page });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out.sort((a, b) => b.rss - a.rss);
}
