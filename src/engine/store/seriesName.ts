/**
 * Every series name the engine writes, and the one parser that reads them back. Names are
 * built here and nowhere else, so consumers switch on a family instead of matching strings.
 */

/** Families whose series name is the family itself: one series each. */
const FIXED_FAMILIES = [
  'tree.rss',
  'tree.pss',
  'tree.uss',
  'tree.vms',
  'tree.gpu',
  'sys.used',
  'sys.available',
  'cgroup.usage',
  'cgroup.limit',
  'psi.some',
  'psi.full',
  'cgroup.psi.some',
  'cgroup.psi.full',
  'torch.mps.current',
  'torch.mps.driver',
  'mlx.active',
  'mlx.cache',
  'loss.epoch',
  'loss.batch',
  'train.step',
  'train.step.peak',
] as const;

/**
 * Families with one series per process or device: the name is `prefix` + index + `suffix`.
 * The builders in `SeriesName` below spell the same strings; the round-trip test holds them together.
 */
const INDEXED_FAMILIES = {
  /** RSS of one process of the monitored tree (pid), from the sampler. */
  'proc.rss': ['proc.', '.rss'],
  /** RSS one process reported at each batch end (pid), from the log protocol. */
  'proto.rss': ['proto.', '.rss'],
  /** Memory used on one GPU (device index), from nvidia-smi. */
  'gpu.used': ['gpu.', '.used'],
  /** Total memory of one GPU (device index). */
  'gpu.total': ['gpu.', '.total'],
  /** Utilisation of one GPU (device index), percent. */
  'gpu.util': ['gpu.', '.util'],
  /** Bytes torch has allocated on one CUDA device (device index). */
  'torch.cuda.allocated': ['torch.cuda:', '.allocated'],
  /** Bytes torch's caching allocator has reserved on one CUDA device (device index). */
  'torch.cuda.reserved': ['torch.cuda:', '.reserved'],
} as const satisfies Record<string, readonly [prefix: string, suffix: string]>;

/** A family with one series per process or device. */
export type IndexedSeriesFamily = keyof typeof INDEXED_FAMILIES;

/** What a series measures, without its process or device index. */
export type SeriesFamily = (typeof FIXED_FAMILIES)[number] | IndexedSeriesFamily;

/** Every family, fixed ones first: for exhaustive tables and tests. */
export const SERIES_FAMILIES: readonly SeriesFamily[] = [...FIXED_FAMILIES, ...(Object.keys(INDEXED_FAMILIES) as IndexedSeriesFamily[])];

/** A parsed series name: its family and, for an indexed family, the pid or device index. */
export interface ParsedSeriesName {
  readonly family: SeriesFamily;
  readonly index?: number;
}

/** Well-known series names; per-process and per-device series take their index. */
export const SeriesName = {
  treeRss: 'tree.rss',
  treePss: 'tree.pss',
  treeUss: 'tree.uss',
  treeVms: 'tree.vms',
  /** GPU memory used by the monitored tree's processes, summed over devices. */
  treeGpu: 'tree.gpu',
  sysUsed: 'sys.used',
  sysAvailable: 'sys.available',
  cgroupUsage: 'cgroup.usage',
  cgroupLimit: 'cgroup.limit',
  /** Memory pressure (Linux PSI): percent of the time at least one task stalled on memory, per sample interval. */
  psiSome: 'psi.some',
  /** Percent of the time every non-idle task stalled on memory at once. */
  psiFull: 'psi.full',
  /** The same for the job's own cgroup (v2 `memory.pressure`), where it has one. */
  cgroupPsiSome: 'cgroup.psi.some',
  cgroupPsiFull: 'cgroup.psi.full',
  mpsCurrent: 'torch.mps.current',
  mpsDriver: 'torch.mps.driver',
  mlxActive: 'mlx.active',
  mlxCache: 'mlx.cache',
  lossEpoch: 'loss.epoch',
  lossBatch: 'loss.batch',
  /** The training's global step over time (batch and epoch records): what the timeline's step axis maps time through. */
  trainStep: 'train.step',
  /** The highest RSS inside each training step, at the step's end (batch records with a peak). */
  stepPeak: 'train.step.peak',
  procRss: (pid: number) => `proc.${pid}.rss`,
  protoRss: (pid: number) => `proto.${pid}.rss`,
  gpuUsed: (index: number) => `gpu.${index}.used`,
  gpuTotal: (index: number) => `gpu.${index}.total`,
  gpuUtil: (index: number) => `gpu.${index}.util`,
  cudaAllocated: (index: number) => `torch.cuda:${index}.allocated`,
  cudaReserved: (index: number) => `torch.cuda:${index}.reserved`,
} as const;

const FIXED = new Set<string>(FIXED_FAMILIES);
const INDEXED = Object.entries(INDEXED_FAMILIES) as [IndexedSeriesFamily, readonly [string, string]][];

/** The family (and index) of a series name; undefined for a name the engine does not write. */
export function parseSeriesName(name: string): ParsedSeriesName | undefined {
  if (FIXED.has(name)) return { family: name as SeriesFamily };
  for (const [family, [prefix, suffix]] of INDEXED) {
    if (name.length <= prefix.length + suffix.length || !name.startsWith(prefix) || !name.endsWith(suffix)) continue;
    const digits = name.slice(prefix.length, name.length - suffix.length);
    if (isDigits(digits)) return { family, index: Number(digits) };
  }
  return undefined;
}

/** True when `s` is one or more ASCII digits: the index part of a name, as `\d+` matched it. */
function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}
