// Headroom log protocol v1: what an instrumented program tells the extension, and the few
// control messages the extension sends back. NDJSON, one record per line, UTF-8. The
// written spec is docs/protocol.md; the Python client lives in src/python/headroom/.

import { badAllocations, type AllocationsFields } from './allocationsRecord';

export type { AllocationSite, AllocationSource, AllocationsFields, TensorGroup } from './allocationsRecord';

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

export type DecodeErrorCode = 'too-long' | 'json' | 'not-object' | 'version' | 'unknown-type' | 'missing-field' | 'bad-field';

export type DecodeResult = { readonly ok: true; readonly record: ProtocolRecord } | DecodeFailure;

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Absent, or a non-negative integer (the hello's local_rank, local_world_size). */
const isCount = (x: unknown): boolean => x === undefined || (Number.isInteger(x) && (x as number) >= 0);
/** An object of non-negative integer counts (bye.errors). */
const isCounts = (x: unknown): boolean => isObj(x) && Object.values(x).every((n) => Number.isInteger(n) && (n as number) >= 0);
const isOptString = (x: unknown): boolean => x === undefined || typeof x === 'string';

/** What is wrong with a region's `cell`, or undefined when it is a NotebookCell. */
function badCell(c: unknown): string | undefined {
  if (!isObj(c)) return '"cell" must be an object';
  if (typeof c.hash !== 'string') return '"cell.hash" must be a string';
  if (!isOptString(c.id) || !isOptString(c.preview)) return '"cell.id" and "cell.preview" must be strings';
  if (!isCount(c.count)) return '"cell.count" must be a non-negative integer';
  return undefined;
}

type Fields = Record<string, unknown>;
const fail = (code: DecodeErrorCode, message: string, type?: string) => new DecodeFailure(code, message, type);

function checkMem(x: unknown, field: string, type: string): DecodeFailure | undefined {
  if (x === undefined) return undefined;
  if (!isObj(x)) return fail('bad-field', `${field} must be an object`, type);
  const rss = x.rss;
  if (!isNum(rss) || rss < 0) return fail('bad-field', `${field}.rss must be a non-negative number`, type);
  if (x.devices !== undefined && !Array.isArray(x.devices)) return fail('bad-field', `${field}.devices must be an array`, type);
  return undefined;
}

const UNKNOWN = 0;

/**
 * The first field `type` must carry beyond the base (v, type, t, pid, seq) that `x` lacks,
 * '' when it has them all, UNKNOWN when `type` is not a record type.
 */
function missingRequired(x: Fields, type: string): string | typeof UNKNOWN {
  // Named property reads, not a loop over key names: this runs for every record received.
  switch (type) {
    case 'hello':
      return x.token === undefined ? 'token' : '';
    case 'checkpoint':
      return x.mem === undefined ? 'mem' : '';
    case 'region_start':
      return x.id === undefined ? 'id' : x.mem === undefined ? 'mem' : '';
    case 'region_end':
      return x.id === undefined ? 'id' : x.mem === undefined ? 'mem' : x.duration === undefined ? 'duration' : '';
    case 'call':
      return x.t0 === undefined ? 't0' : x.mem0 === undefined ? 'mem0' : x.mem === undefined ? 'mem' : '';
    case 'epoch_start':
    case 'epoch_end':
      return x.epoch === undefined ? 'epoch' : x.mem === undefined ? 'mem' : '';
    case 'batch_end':
      return x.batch === undefined ? 'batch' : x.mem === undefined ? 'mem' : '';
    case 'cleanup_result':
      return x.id === undefined ? 'id' : x.duration === undefined ? 'duration' : x.actions === undefined ? 'actions' : x.rss === undefined ? 'rss' : '';
    case 'pong':
      return x.id === undefined ? 'id' : '';
    case 'bye':
      return '';
    case 'oom':
      return x.error === undefined ? 'error' : x.mem === undefined ? 'mem' : '';
    case 'allocations':
      return x.source === undefined ? 'source' : '';
    default:
      return UNKNOWN;
  }
}

/** Why a line is not a record. */
export class DecodeFailure {
  readonly ok = false;
  constructor(
    readonly code: DecodeErrorCode,
    readonly message: string,
    readonly type?: string,
  ) {}
}

const asResult = (r: ProtocolRecord | DecodeFailure): DecodeResult => (r instanceof DecodeFailure ? r : { ok: true, record: r });

/**
 * Decodes one line (without its newline). Unknown fields are ignored; unknown types,
 * other major versions, oversize and malformed lines come back as errors with a code.
 */
export function decodeLine(line: string, byteLength = Buffer.byteLength(line)): DecodeResult {
  return asResult(decodeRecord(line, byteLength));
}

/** `decodeLine` without the wrapper object around a record: the listener's path, once per line received. */
export function decodeRecord(line: string, byteLength: number): ProtocolRecord | DecodeFailure {
  if (byteLength > MAX_LINE_BYTES) return new DecodeFailure('too-long', `line of ${byteLength} bytes exceeds ${MAX_LINE_BYTES}`);
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch (e) {
    return new DecodeFailure('json', `not JSON: ${(e as Error).message}`);
  }
  return check(x);
}

/** Validates a parsed value as a protocol record. */
export function validateRecord(x: unknown): DecodeResult {
  return asResult(check(x));
}

function check(x: unknown): ProtocolRecord | DecodeFailure {
  if (!isObj(x)) return fail('not-object', 'a record must be a JSON object');
  const type = typeof x.type === 'string' ? x.type : undefined;
  const v = x.v;
  if (!isNum(v)) return fail('missing-field', 'missing protocol version "v"', type);
  if (Math.floor(v) !== PROTOCOL_VERSION) {
    return fail('version', `protocol version ${v} is not supported (this Headroom speaks ${PROTOCOL_VERSION}.x): update the extension or the client`, type);
  }
  if (type === undefined) return fail('missing-field', 'missing "type"');
  // A switch, not a Set of names: this runs for every record received.
  const missing = missingRequired(x, type);
  if (missing === UNKNOWN) return fail('unknown-type', `unknown record type ${JSON.stringify(type.slice(0, 40))}`, type);
  const badBase = !isNum(x.t) ? 't' : !isNum(x.pid) ? 'pid' : !isNum(x.seq) ? 'seq' : undefined;
  if (badBase) return fail(x[badBase] === undefined ? 'missing-field' : 'bad-field', `"${badBase}" must be a number`, type);
  if (missing) return fail('missing-field', `${type} needs "${missing}"`, type);
  const memError = checkMem(x.mem, 'mem', type) ?? checkMem(x.mem0, 'mem0', type);
  if (memError) return memError;
  const line = x.line;
  if (line !== undefined && (!Number.isInteger(line) || (line as number) < 1)) return fail('bad-field', '"line" must be a positive integer', type);
  const badString = x.file !== undefined && typeof x.file !== 'string' ? 'file' : x.func !== undefined && typeof x.func !== 'string' ? 'func' : x.label !== undefined && typeof x.label !== 'string' ? 'label' : undefined;
  if (badString) return fail('bad-field', `"${badString}" must be a string`, type);
  if (type === 'hello') {
    if (typeof x.token !== 'string') return fail('bad-field', '"token" must be a string', type);
    const badCount = !isCount(x.local_rank) ? 'local_rank' : !isCount(x.local_world_size) ? 'local_world_size' : undefined;
    if (badCount) return fail('bad-field', `"${badCount}" must be a non-negative integer`, type);
  }
  if (x.step !== undefined && (type === 'batch_end' || type === 'epoch_start' || type === 'epoch_end') && !isCount(x.step)) return fail('bad-field', '"step" must be a non-negative integer', type);
  if (x.cell !== undefined) {
    const bad = badCell(x.cell);
    if (bad) return fail('bad-field', bad, type);
  }
  if (type === 'bye' && x.errors !== undefined && !isCounts(x.errors)) return fail('bad-field', '"errors" must be an object of non-negative integer counts', type);
  if (type === 'oom') {
    if (typeof x.error !== 'string') return fail('bad-field', '"error" must be a string', type);
    if (x.requested !== undefined && !(isNum(x.requested) && x.requested >= 0)) return fail('bad-field', '"requested" must be a non-negative number', type);
    if (x.allocator !== undefined && !Array.isArray(x.allocator)) return fail('bad-field', '"allocator" must be an array', type);
  }
  if (type === 'allocations') {
    const bad = badAllocations(x);
    if (bad) return fail('bad-field', bad, type);
  }
  return x as unknown as ProtocolRecord;
}

/** Encodes a control message as one line. */
export function encodeControl(m: ControlMessage): string {
  return JSON.stringify(m) + '\n';
}
