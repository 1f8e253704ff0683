// Headroom log protocol v1: what an instrumented program tells the extension, and the few
// control messages the extension sends back. NDJSON, one record per line, UTF-8. The
// written spec is docs/protocol.md; the Python client lives in src/python/headroom/.

import type { AllocationsFields } from './allocationsRecord';

export type { AllocationSite, AllocationSource, AllocationsFields, TensorGroup } from './allocationsRecord';
// Decoding and validating a line is protocolDecode.ts.

export const PROTOCOL_VERSION = 1;
/** Longest accepted line, in bytes, newline excluded. Longer lines are dropped, the stream goes on. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * One CUDA device as torch's caching allocator and the driver see it from inside the program.
 * Bytes, counts for the `num_` fields. Every field after `reserved` is optional: older
 * clients send none of them, and readers must not rely on them.
 */
export interface CudaDeviceMemory {
  readonly kind: 'cuda';
  /** torch's device index: relative to CUDA_VISIBLE_DEVICES, so not always nvidia-smi's. */
  readonly index: number;
  readonly allocated: number;
  readonly reserved: number;
  /** Peaks since torch's last reset_peak_memory_stats (a step's own with `reset_peaks=True`). */
  readonly max_allocated?: number;
  readonly max_reserved?: number;
  /** Bytes in active blocks (allocated plus the rounding of each allocation). */
  readonly active?: number;
  /** Free bytes the allocator cannot release or reuse for large requests: fragmentation. */
  readonly inactive_split?: number;
  /** Times a cudaMalloc failed and the allocator freed its cache to retry; out-of-memory errors raised. */
  readonly num_alloc_retries?: number;
  readonly num_ooms?: number;
  /** The driver's view (mem_get_info): memory used on the device by every process, and its size. Only on some records. */
  readonly device_used?: number;
  readonly device_total?: number;
}

/** Allocator figures of one device, as the framework reports them. Bytes. */
export type DeviceMemory =
  | CudaDeviceMemory
  | { readonly kind: 'mps'; readonly index?: number; readonly current: number; readonly driver?: number }
  | { readonly kind: 'mlx'; readonly index?: number; readonly active: number; readonly cache?: number; readonly peak?: number };

/** Memory carried by every memory-bearing record. */
export interface MemorySnapshot {
  readonly rss: number;
  readonly vms?: number;
  readonly devices?: readonly DeviceMemory[];
}

/** Source location: absolute file path, 1-based line, function name. */
export interface SourceLocation {
  readonly file?: string;
  readonly line?: number;
  readonly func?: string;
}

interface Base {
  readonly v: number;
  /** Seconds since the epoch, float. */
  readonly t: number;
  readonly pid: number;
  /** Per-process sequence number, from 0: gaps mean dropped records. */
  readonly seq: number;
}

export interface HelloRecord extends Base {
  readonly type: 'hello';
  readonly token: string;
  readonly ppid?: number;
  readonly host?: string;
  readonly argv?: readonly string[];
  readonly python?: string;
  readonly client?: string;
  readonly frameworks?: Readonly<Record<string, string>>;
  readonly devices?: readonly { readonly kind: string; readonly index: number; readonly name?: string; readonly total?: number }[];
  readonly rank?: number;
  /** The rank within its node (LOCAL_RANK): a non-negative integer. */
  readonly local_rank?: number;
  readonly world_size?: number;
  /** Processes on its node (LOCAL_WORLD_SIZE): a non-negative integer. */
  readonly local_world_size?: number;
  readonly cwd?: string;
}

export interface CheckpointRecord extends Base, SourceLocation {
  readonly type: 'checkpoint';
  readonly label?: string;
  readonly mem: MemorySnapshot;
}

/**
 * Which notebook cell a region is the run of (docs/protocol.md, "Notebook cells"). An editor
 * finds the cell by `id`, else by `hash` of its text, else by `count` (its execution order).
 */
export interface NotebookCell {
  /** The front end's cell id from the execute_request's `metadata.cellId`: VS Code sends the cell document's URI. */
  readonly id?: string;
  /** First 16 hex digits of SHA-256 of the cell's source as the kernel received it (UTF-8). */
  readonly hash: string;
  /** The execution count, `In [n]`; absent for a run kept out of history. */
  readonly count?: number;
  /** The source's first non-blank line, at most 60 characters. Untrusted: show as plain text. */
  readonly preview?: string;
}

export interface RegionStartRecord extends Base, SourceLocation {
  readonly type: 'region_start';
  /** Unique within the process; pairs start and end. */
  readonly id: number;
  readonly label?: string;
  readonly mem: MemorySnapshot;
  /** Set when the region is a notebook cell's run (no `file` yet: the cell is compiled after it starts). */
  readonly cell?: NotebookCell;
}

/** Peak figures inside a region or call. */
export interface PeakFigures {
  readonly rss?: number;
  readonly devices?: readonly DeviceMemory[];
}

export interface RegionEndRecord extends Base, SourceLocation {
  readonly type: 'region_end';
  readonly id: number;
  readonly label?: string;
  readonly mem: MemorySnapshot;
  readonly duration: number;
  readonly peak?: PeakFigures;
  /** Set when the block raised. */
  readonly error?: string;
  /** Set when the region is a notebook cell's run; `file` is then the name the cell's code was compiled as. */
  readonly cell?: NotebookCell;
}

/** A decorated function's call, sent when it returns; `t0` is when it started. */
export interface CallRecord extends Base, SourceLocation {
  readonly type: 'call';
  readonly label?: string;
  readonly t0: number;
  readonly mem0: MemorySnapshot;
  readonly mem: MemorySnapshot;
  readonly peak?: PeakFigures;
  readonly error?: string;
}

export interface EpochStartRecord extends Base, SourceLocation {
  readonly type: 'epoch_start';
  readonly epoch: number;
  readonly mem: MemorySnapshot;
  /** The training's global step when the epoch began. */
  readonly step?: number;
}

export interface EpochEndRecord extends Base, SourceLocation {
  readonly type: 'epoch_end';
  readonly epoch: number;
  readonly mem: MemorySnapshot;
  readonly batches?: number;
  readonly loss?: number;
  readonly duration?: number;
  readonly peak?: PeakFigures;
  /** The training's global step when the epoch ended. */
  readonly step?: number;
}

export interface BatchEndRecord extends Base, SourceLocation {
  readonly type: 'batch_end';
  readonly epoch?: number;
  /** The batch's index within its epoch. */
  readonly batch: number;
  readonly mem: MemorySnapshot;
  readonly loss?: number;
  readonly batch_size?: number;
  /** The training's global step (optimizer steps since training began): the step axis. */
  readonly step?: number;
  /** The highest memory inside the step. */
  readonly peak?: PeakFigures;
}

/** What one cleanup did, per kind of memory: before, after, freed (bytes). */
export interface CleanupFigures {
  readonly before: number;
  readonly after: number;
  readonly freed: number;
}

export interface CleanupResultRecord extends Base {
  readonly type: 'cleanup_result';
  /** The control request's id, or null when the program cleaned up by itself. */
  readonly id: string | null;
  readonly reason?: string;
  readonly duration: number;
  readonly actions: readonly string[];
  readonly rss: CleanupFigures;
  readonly devices?: readonly (CleanupFigures & { readonly kind: string; readonly index?: number; readonly field: string })[];
  readonly errors?: readonly string[];
}

export interface PongRecord extends Base {
  readonly type: 'pong';
  readonly id: string;
}

export interface ByeRecord extends Base {
  readonly type: 'bye';
  readonly reason?: string;
  /** Records the client had to drop (queue full, disconnected). */
  readonly dropped?: number;
  /** The client's own internal errors by code (counted, never raised into the program). */
  readonly errors?: Readonly<Record<string, number>>;
}

/** Allocator state of one device when a framework ran out of memory, as far as it tells. Bytes. */
export interface OomAllocator {
  readonly kind: string;
  readonly index?: number;
  readonly allocated?: number;
  readonly reserved?: number;
  readonly active?: number;
  /** Reserved memory in split blocks no tensor uses: fragmentation the allocator cannot hand out whole. */
  readonly inactive_split?: number;
  /** The device's free and total memory, as its driver says (torch.cuda.mem_get_info). */
  readonly free?: number;
  readonly total?: number;
  /** The largest free block inside the allocator's reserved memory. */
  readonly largest_free?: number;
  readonly num_ooms?: number;
  readonly num_alloc_retries?: number;
}

/** A framework ran out of memory: PyTorch's OutOfMemoryError, MLX's allocation failure, Python's MemoryError. */
export interface OomRecord extends Base, SourceLocation {
  readonly type: 'oom';
  /** `OutOfMemoryError: CUDA out of memory. Tried to allocate ...` */
  readonly error: string;
  readonly mem: MemorySnapshot;
  readonly framework?: string;
  /** Where the client saw it: leaving a tracked block (`region`), or uncaught (`uncaught`, `thread`). */
  readonly where?: string;
  /** The tracked block it left, for `where: region`. */
  readonly region?: string;
  /** Bytes the failed allocation asked for, when the message says. */
  readonly requested?: number;
  readonly device?: { readonly kind: string; readonly index?: number };
  readonly allocator?: readonly OomAllocator[];
  /** The process's last checkpoint before it (`t` in seconds, as records' own). */
  readonly checkpoint?: { readonly label?: string; readonly file?: string; readonly line?: number; readonly t: number };
}

/** Allocation sites or live tensors, reduced in the program (src/shared/allocationsRecord.ts). */
export interface AllocationsRecord extends Base, AllocationsFields {}

export type ProtocolRecord =
  | AllocationsRecord
  | HelloRecord
  | CheckpointRecord
  | RegionStartRecord
  | RegionEndRecord
  | CallRecord
  | EpochStartRecord
  | EpochEndRecord
  | BatchEndRecord
  | CleanupResultRecord
  | PongRecord
  | ByeRecord
  | OomRecord;

export type RecordType = ProtocolRecord['type'];

/** Extension to program. */
export type ControlMessage =
  | { readonly v: number; readonly type: 'cleanup'; readonly id: string; readonly reason?: string }
  | { readonly v: number; readonly type: 'ping'; readonly id: string }
  /** The guard: raise KeyboardInterrupt in the program's main thread, so its own handler saves and exits. */
  | { readonly v: number; readonly type: 'interrupt'; readonly id: string; readonly reason?: string }
  /** "Headroom: Show Allocation Sites": answer with `allocations` records carrying this id (and live tensors with `tensors`). */
  | { readonly v: number; readonly type: 'allocations'; readonly id: string; readonly top?: number; readonly tensors?: boolean; readonly cuda?: boolean; readonly label?: string };

/** Encodes a control message as one line. */
export function encodeControl(m: ControlMessage): string {
  return JSON.stringify(m) + '\n';
}
