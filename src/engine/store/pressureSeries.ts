import type { PressureReading } from '../sampling/cgroupWatch';
import type { MemoryStore } from './memoryStore';
import { SeriesName } from './seriesName';

/** One sample's memory pressure (PSI stall percent), system-wide and of the job's cgroup. */
export interface PressureSample {
  readonly t: number;
  readonly psi?: PressureReading;
  readonly cgroupPsi?: PressureReading;
}

/** PSI stall percentages into their series; nothing where the kernel has no PSI (a normal state). */
export function addPressure(store: MemoryStore, k: PressureSample): void {
  if (k.psi?.some !== undefined) store.append(SeriesName.psiSome, k.t, k.psi.some);
  if (k.psi?.full !== undefined) store.append(SeriesName.psiFull, k.t, k.psi.full);
  if (k.cgroupPsi?.some !== undefined) store.append(SeriesName.cgroupPsiSome, k.t, k.cgroupPsi.some);
  if (k.cgroupPsi?.full !== undefined) store.append(SeriesName.cgroupPsiFull, k.t, k.cgroupPsi.full);
}
