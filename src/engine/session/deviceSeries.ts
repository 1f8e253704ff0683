import type { DeviceMemory } from '../../shared/protocol';
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

/**
 * Routes the device memory a record carries into the store's per-device series. Each CUDA
 * device's names are built once: a name made afresh per record would be hashed afresh too.
 */
export class DeviceSeries {
  private readonly allocated: string[] = [];
  private readonly reserved: string[] = [];

  constructor(private readonly store: MemoryStore) {}

  /** Appends each device's readings at `tMs`; nothing when the record carried none. */
  append(tMs: number, devices: readonly DeviceMemory[] | undefined): void {
    if (devices === undefined) return;
    const store = this.store;
    for (const d of devices) {
      const i = d.index ?? 0;
      if (d.kind === 'cuda') {
        store.append((this.allocated[i] ??= SeriesName.cudaAllocated(i)), tMs, d.allocated);
        store.append((this.reserved[i] ??= SeriesName.cudaReserved(i)), tMs, d.reserved);
      } else if (d.kind === 'mps') {
        store.append(SeriesName.mpsCurrent, tMs, d.current);
        if (d.driver !== undefined) store.append(SeriesName.mpsDriver, tMs, d.driver);
      } else if (d.kind === 'mlx') {
        store.append(SeriesName.mlxActive, tMs, d.active);
        if (d.cache != null) store.append(SeriesName.mlxCache, tMs, d.cache);
      }
    }
  }
}
