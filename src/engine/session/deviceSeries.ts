import type { DeviceMemory } from '../../shared/protocol';
import type { ClientCuda } from '../gpu/types';
import type { MemoryStore } from '../store/memoryStore';
import { SeriesName } from '../store/seriesName';

/** CUDA reserved bytes summed over devices; undefined when no CUDA device is listed. */
export function cudaReserved(devices: readonly DeviceMemory[] | undefined): number | undefined {
  let sum = 0;
  let any = false;
  for (const d of devices ?? []) {
    if (d.kind === 'cuda') {
      sum += d.reserved;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/** A finite, non-negative number: the decoder checks `mem.devices` is an array, not its fields. */
function isBytes(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/**
 * Routes the device memory a record carries into the store's per-device series. Each CUDA
 * device's names are built once: a name made afresh per record would be hashed afresh too.
 * Keeps each process's newest CUDA figures too: the session's GPU memory when nvidia-smi
 * cannot see the program's pids (`attributeTreeGpu`).
 */
export class DeviceSeries {
  private readonly allocated: string[] = [];
  private readonly reserved: string[] = [];
  /** pid -> device index -> newest figures; updated in place, one object per process and device. */
  private readonly latest = new Map<number, Map<number, { -readonly [K in keyof ClientCuda]: ClientCuda[K] }>>();

  constructor(private readonly store: MemoryStore) {}

  /** Appends each device's readings at `tMs`; nothing when the record carried none. */
  append(tMs: number, devices: readonly DeviceMemory[] | undefined, pid?: number): void {
    if (devices === undefined) return;
    const store = this.store;
    for (const d of devices) {
      const i = d.index ?? 0;
      if (d.kind === 'cuda') {
        store.append((this.allocated[i] ??= SeriesName.cudaAllocated(i)), tMs, d.allocated);
        store.append((this.reserved[i] ??= SeriesName.cudaReserved(i)), tMs, d.reserved);
        if (pid !== undefined && isBytes(d.reserved) && isBytes(d.allocated) && Number.isInteger(i)) this.keep(pid, i, tMs, d.allocated, d.reserved);
      } else if (d.kind === 'mps') {
        store.append(SeriesName.mpsCurrent, tMs, d.current);
        if (d.driver !== undefined) store.append(SeriesName.mpsDriver, tMs, d.driver);
      } else if (d.kind === 'mlx') {
        store.append(SeriesName.mlxActive, tMs, d.active);
        if (d.cache != null) store.append(SeriesName.mlxCache, tMs, d.cache);
      }
    }
  }

  /** The newest CUDA figures of every process still reporting, one per process and device. */
  clientCuda(): ClientCuda[] {
    const out: ClientCuda[] = [];
    for (const byIndex of this.latest.values()) for (const c of byIndex.values()) out.push({ ...c });
    return out;
  }

  /** The process said goodbye: its last figures no longer hold any memory. */
  forget(pid: number): void {
    this.latest.delete(pid);
  }

  private keep(pid: number, index: number, t: number, allocated: number, reserved: number): void {
    let byIndex = this.latest.get(pid);
    if (byIndex === undefined) this.latest.set(pid, (byIndex = new Map()));
    const c = byIndex.get(index);
    // Records of one process arrive in order; a late one (a recording's merge) never wins.
    if (c === undefined) byIndex.set(index, { pid, index, t, allocated, reserved });
    else if (t >= c.t) {
      c.t = t;
      c.allocated = allocated;
      c.reserved = reserved;
    }
  }
}
