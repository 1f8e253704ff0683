import { readdirSync, readFileSync } from 'node:fs';
import { PreadFile } from './preadFile';
import { parseChildren, parseProcStat, type ProcStat } from './procfsParsers';

/** What listing a process's children keeps on it between discoveries. */
export interface ChildrenSource {
  readonly pid: number;
  numThreads: number;
  /** task/<pid>/children, kept open while the process has a single thread. */
  children?: PreadFile;
  /** False when the sampler holds no descriptors for this process (a tree past its cap). */
  readonly keepOpen?: boolean;
}

/** `pid`'s /proc/<pid>/stat, parsed; undefined when it is gone or unreadable. */
export function readStat(proc: string, pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${proc}/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** The children of `t`, from the children file of each of its threads. */
export function childrenOf(proc: string, t: ChildrenSource): number[] {
  const pid = t.pid;
  if (t.numThreads === 1) {
    // One thread: its children file is the only one; keep it open and pread it.
    try {
      t.children ??= new PreadFile(`${proc}/${pid}/task/${pid}/children`, t.keepOpen !== false);
      return parseChildren(t.children.readText());
    } catch {
      t.children?.close();
      t.children = undefined;
    }
  }
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`${proc}/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const c of parseChildren(readFileSync(`${proc}/${pid}/task/${tid}/children`, 'latin1'))) out.push(c);
    } catch {
      /* thread exited while we listed it */
    }
  }
  return out;
}

/** Fallback for kernels without the children files: ppid -> children from one /proc scan. */
export function scanParents(proc: string): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const name of readdirSync(proc)) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const st = readStat(proc, Number(name));
    if (!st) continue;
    const list = m.get(st.ppid) ?? [];
    list.push(st.pid);
    m.set(st.ppid, list);
  }
  return m;
}
