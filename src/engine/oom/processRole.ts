/** The few facts about a process of the tree that say what it is. */
export interface ProcessFacts {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly rss: number;
}

/** The name PyTorch gives its DataLoader worker processes (torch/utils/data/_utils/worker.py). */
const DATALOADER_WORKER = 'pt_data_worker';

/**
 * What a process is, in the words a person reading about a crash uses: `rank 3`,
 * `rank 3 / DataLoader worker 2`, `DataLoader worker 0`, or its name and pid. Workers are
 * numbered among their siblings in pid order (the order their loader started them).
 */
export function processRole(pid: number, processes: readonly ProcessFacts[], ranks: ReadonlyMap<number, number>): string {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const p = byPid.get(pid);
  const rank = ranks.get(pid);
  if (rank !== undefined) return `rank ${rank}`;
  if (!p) return `pid ${pid}`;
  if (p.name === DATALOADER_WORKER) {
    const siblings = processes.filter((q) => q.ppid === p.ppid && q.name === DATALOADER_WORKER).map((q) => q.pid).sort((a, b) => a - b);
    const worker = `DataLoader worker ${siblings.indexOf(pid)}`;
    const parentRank = ranks.get(p.ppid);
    return parentRank === undefined ? worker : `rank ${parentRank} / ${worker}`;
  }
  return `${p.name} (pid ${pid})`;
}

/** The process with the most RSS, and what it is; undefined for an empty tree. */
export function biggestProcess(processes: readonly ProcessFacts[], ranks: ReadonlyMap<number, number>): { pid: number; name: string; rss: number; role: string } | undefined {
  let best: ProcessFacts | undefined;
  for (const p of processes) if (!best || p.rss > best.rss) best = p;
  return best && { pid: best.pid, name: best.name, rss: best.rss, role: processRole(best.pid, processes, ranks) };
}
