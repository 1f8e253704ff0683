// The `allocations` record (docs/protocol.md, "Allocation sites and live tensors"): the top
// allocation sites of a tracemalloc snapshot or of the CUDA allocator's history, or the live
// tensors grouped, as the program reduced them. Apart from protocol.ts so that file keeps one job
// per record family; protocol.ts re-exports the types and protocolDecode.ts calls the check.

/** One line that holds memory. File names and labels are untrusted: show them as plain text. */
export interface AllocationSite {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** Bytes and blocks allocated from this line and still alive. */
  readonly size: number;
  readonly count: number;
  /** Set when the line is in site-packages (or 'python' for the standard library): no frame of the program's own led there. */
  readonly package?: string;
  /** The package that allocated on this line's behalf (numpy under `np.ones(...)`). */
  readonly via?: string;
  /** Bytes more (or fewer) than at the snapshot named by the record's `since`. */
  readonly grew?: number;
  /** The callers of this line, innermost first, at most 5. */
  readonly traceback?: readonly { readonly file: string; readonly line: number }[];
  /** CUDA sites: the device index. */
  readonly device?: number;
}

/** Live tensors of one role, device, dtype and shape. */
export interface TensorGroup {
  /** parameter, buffer, gradient, optimizer, other (activations and anything else). */
  readonly role: string;
  readonly device: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly count: number;
  /** numel * element_size, summed. */
  readonly size: number;
  /** Module attribute names that hold them (`Net.fc1.weight`), at most 3. */
  readonly names?: readonly string[];
  /** `mlx` for MLX arrays; absent for PyTorch tensors. */
  readonly framework?: string;
}

export type AllocationSource = 'tracemalloc' | 'tensors' | 'cuda';

export interface AllocationsFields {
  readonly type: 'allocations';
  readonly source: AllocationSource;
  /** The control request answered, when the editor asked. */
  readonly id?: string;
  readonly label?: string;
  readonly file?: string;
  readonly line?: number;
  readonly func?: string;
  /** Largest first: the program's own lines, then each package's. */
  readonly sites?: readonly AllocationSite[];
  readonly tensors?: readonly TensorGroup[];
  /** What did not fit in the record. */
  readonly more?: { readonly sites?: number; readonly groups?: number; readonly size: number; readonly count?: number };
  readonly total?: { readonly size: number; readonly count: number };
  /** The snapshot `grew` is measured against. */
  readonly since?: { readonly t: number; readonly label?: string };
  /** tracemalloc's state: since when (s), frames kept, its slowdown of allocations (ratio), its own memory. */
  readonly tracing?: { readonly since: number; readonly nframe: number; readonly overhead?: number; readonly memory?: number; readonly started?: boolean; readonly started_by?: string };
  /** CUDA: bytes in the allocator's segments, and since when its history records stacks (s). */
  readonly reserved?: number;
  readonly recording?: { readonly since: number; readonly started?: boolean };
  /** Set when the heap walk stopped at its time budget. */
  readonly truncated?: boolean;
  /** Set when sites or tracebacks were dropped to keep the record under its size bound. */
  readonly trimmed?: boolean;
  /** Seconds the program spent taking and reducing it. */
  readonly duration?: number;
}

const SOURCES: readonly string[] = ['tracemalloc', 'tensors', 'cuda'];
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** What is wrong with an `allocations` record's own fields, or undefined when nothing is. */
export function badAllocations(x: Record<string, unknown>): string | undefined {
  if (typeof x.source !== 'string' || !SOURCES.includes(x.source)) return `"source" must be one of ${SOURCES.join(', ')}`;
  if (x.sites !== undefined && !Array.isArray(x.sites)) return '"sites" must be an array';
  if (x.tensors !== undefined && !Array.isArray(x.tensors)) return '"tensors" must be an array';
  for (const s of (x.sites as unknown[] | undefined) ?? []) {
    if (!isObj(s) || typeof s.file !== 'string') return 'a site needs a string "file"';
    if (!isCount(s.line) || s.line < 1) return 'a site\'s "line" must be a positive integer';
    if (!isCount(s.size) || !isCount(s.count)) return 'a site\'s "size" and "count" must be non-negative integers';
  }
  for (const g of (x.tensors as unknown[] | undefined) ?? []) {
    if (!isObj(g) || !isCount(g.size) || !isCount(g.count)) return 'a tensor group\'s "size" and "count" must be non-negative integers';
    if (g.framework !== undefined && typeof g.framework !== 'string') return 'a tensor group\'s "framework" must be a string';
  }
  return undefined;
}
