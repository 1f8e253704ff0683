/** One GPU at one moment. Bytes; percentages 0..100; undefined where the driver says N/A. */
export interface GpuDevice {
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  readonly vendor: 'nvidia' | 'amd';
  readonly memUsed?: number;
  readonly memTotal?: number;
  readonly utilGpu?: number;
  readonly utilMem?: number;
  readonly temperature?: number;
  readonly powerW?: number;
}

/** GPU memory a process holds on a device. */
export interface GpuProcess {
  readonly pid: number;
  readonly gpuUuid: string;
  readonly usedMemory?: number;
}

export interface GpuSample {
  readonly t: number;
  readonly devices: readonly GpuDevice[];
  /** Latest per-process figures (sampled at a lower rate than devices). */
  readonly processes: readonly GpuProcess[];
  /** The monitored tree's share, once attributed (`attributeTreeGpu`); absent when nothing says. */
  readonly tree?: TreeGpu;
}

/**
 * Where the tree's GPU memory came from. `nvidia-smi`: its per-process rows for the tree's
 * pids. `client`: the program's own CUDA figures (torch's reserved bytes), used when
 * nvidia-smi lists none of the tree's processes (a container's PID namespace makes it report
 * host pids, or none) or gives them no memory figure (MIG); a lower bound, without the CUDA context.
 */
export type TreeGpuSource = 'nvidia-smi' | 'client';

/** GPU memory of the monitored tree, summed over devices. Bytes. */
export interface TreeGpu {
  readonly used: number;
  readonly source: TreeGpuSource;
  /**
   * What the tree's processes hold outside torch's caching allocator (CUDA context, NCCL
   * buffers, cuDNN and cuBLAS workspaces, other libraries): nvidia-smi's per-process used
   * minus the reserved bytes the same process reported; only where both are known.
   */
  readonly outside?: number;
  /** Why the figures come from the program, in words, for tooltips. */
  readonly why?: string;
}

/** The newest CUDA figures one process of the session reported for one device (its client's records). */
export interface ClientCuda {
  readonly pid: number;
  /** torch's device index (relative to CUDA_VISIBLE_DEVICES). */
  readonly index: number;
  /** When it was reported, ms. */
  readonly t: number;
  readonly allocated: number;
  readonly reserved: number;
}

/** Why there is no GPU data: a machine without a GPU is a normal state, not an error. */
export type GpuAvailability =
  | { readonly state: 'unknown' }
  | { readonly state: 'ok'; readonly tool: string }
  | { readonly state: 'absent'; readonly reason: string }
  | { readonly state: 'failing'; readonly reason: string; readonly retryInMs: number };
