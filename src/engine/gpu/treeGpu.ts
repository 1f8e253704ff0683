import type { ClientCuda, GpuProcess, GpuSample, TreeGpu } from './types';

/** What one nvidia-smi sample says about the monitored tree. */
export interface TreeAttribution {
  /** nvidia-smi's rows for the tree's pids (none in a container whose pids it cannot see). */
  readonly processes: readonly GpuProcess[];
  /** The tree's GPU memory and its source; undefined when neither nvidia-smi nor the program says. */
  readonly tree: TreeGpu | undefined;
}

/**
 * Attributes a GPU sample to the monitored tree. nvidia-smi's per-process rows are the truth
 * where they match the tree's pids; where none does (a PID namespace: nvidia-smi reports the
 * host's pids, or none) or none has a memory figure (MIG), the program's own CUDA reserved
 * bytes stand in, marked `client`, rather than a 0 that reads as "no GPU memory". Pure.
 */
export function attributeTreeGpu(sample: GpuSample, treePids: ReadonlySet<number>, client: readonly ClientCuda[]): TreeAttribution {
  const processes = sample.processes.filter((p) => treePids.has(p.pid));
  const smiByPid = new Map<number, number>();
  for (const p of processes) {
    if (isBytes(p.usedMemory)) smiByPid.set(p.pid, (smiByPid.get(p.pid) ?? 0) + p.usedMemory);
  }
  const reservedByPid = new Map<number, number>();
  for (const c of client) {
    if (isBytes(c.reserved)) reservedByPid.set(c.pid, (reservedByPid.get(c.pid) ?? 0) + c.reserved);
  }
  if (smiByPid.size > 0) {
    let used = 0;
    let outside: number | undefined;
    for (const [pid, bytes] of smiByPid) {
      used += bytes;
      const reserved = reservedByPid.get(pid);
      // The two are read at different moments: a negative difference is timing, not memory.
      if (reserved !== undefined) outside = (outside ?? 0) + Math.max(0, bytes - reserved);
    }
    return { processes, tree: outside === undefined ? { used, source: 'nvidia-smi' } : { used, source: 'nvidia-smi', outside } };
  }
  if (reservedByPid.size === 0) return { processes, tree: undefined };
  let used = 0;
  for (const bytes of reservedByPid.values()) used += bytes;
  const why =
    processes.length > 0
      ? "nvidia-smi gives no memory figure for the program's processes: the program's own CUDA reserved bytes (without the CUDA context)"
      : "nvidia-smi lists none of the program's processes (a container's PID namespace?): the program's own CUDA reserved bytes (without the CUDA context)";
  return { processes, tree: { used, source: 'client', why } };
}

/** A byte count a reader can add up: the protocol decoder does not check device fields. */
function isBytes(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}
