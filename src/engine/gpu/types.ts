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
}

/** Why there is no GPU data: a machine without a GPU is a normal state, not an error. */
export type GpuAvailability =
  | { readonly state: 'unknown' }
  | { readonly state: 'ok'; readonly tool: string }
  | { readonly state: 'absent'; readonly reason: string }
  | { readonly state: 'failing'; readonly reason: string; readonly retryInMs: number };
