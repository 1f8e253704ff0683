// Pure parsers for Linux /proc and cgroup files. No I/O here: each takes the text a read
// returned, so every branch is tested with captured real contents.

/** `/proc/<pid>/statm`, in pages: size (VMS), resident (RSS), shared (file-backed resident). */
export interface Statm {
  readonly sizePages: number;
  readonly residentPages: number;
  readonly sharedPages: number;
}

export function parseStatm(text: string): Statm | undefined {
  // "size resident shared text lib data dt"
  const a = text.trim().split(/\s+/);
  if (a.length < 3) return undefined;
  const [size, resident, shared] = a.map(Number);
  if (!Number.isFinite(size) || !Number.isFinite(resident) || !Number.isFinite(shared)) return undefined;
  return { sizePages: size, residentPages: resident, sharedPages: shared };
}

/**
 * The first three statm numbers straight from the bytes a pread returned, into `out`
 * (size, resident, shared pages). No string, no split: this runs per process per sample.
 */
export function parseStatmBytes(buf: Uint8Array, len: number, out: Float64Array): boolean {
  let field = 0;
  let v = 0;
  let inNum = false;
  for (let i = 0; i < len && field < 3; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      inNum = true;
    } else if (inNum) {
      out[field++] = v;
      v = 0;
      inNum = false;
    }
  }
  if (inNum && field < 3) out[field++] = v;
  return field === 3;
}

/** The fields of `/proc/<pid>/stat` that Headroom uses. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Start time after boot, in clock ticks: with the pid, identifies a process across PID reuse. */
  readonly startTime: number;
  readonly numThreads: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  // comm is in parentheses and may itself hold spaces and ')' : split at the LAST ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4 -> rest[1], num_threads 20 -> rest[17], starttime 22 -> rest[19].
  if (rest.length < 20) return undefined;
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  const numThreads = Number(rest[17]);
  if (!Number.isInteger(pid) || !Number.isFinite(ppid) || !Number.isFinite(startTime)) return undefined;
  return { pid, comm, state: rest[0], ppid, startTime, numThreads: Number.isFinite(numThreads) ? numThreads : 1 };
}

/** `/proc/<pid>/task/<tid>/children`: space-separated child pids. */
export function parseChildren(text: string): number[] {
  const out: number[] = [];
  for (const s of text.split(' ')) {
    if (!s) continue;
    const n = Number(s);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** `/proc/<pid>/cmdline`: NUL-separated arguments. */
export function parseCmdline(buf: Buffer | string): string[] {
  const s = typeof buf === 'string' ? buf : buf.toString('utf8');
  const parts = s.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads `Key:   123 kB` lines into bytes (kB lines) or plain numbers (no unit). */
function parseKbTable(text: string, wanted: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = text.length;
    const colon = text.indexOf(':', i);
    if (colon > i && colon < nl) {
      const key = text.slice(i, colon);
      if (wanted.has(key)) {
        const v = text.slice(colon + 1, nl).trim();
        const sp = v.indexOf(' ');
        const n = Number(sp < 0 ? v : v.slice(0, sp));
        if (Number.isFinite(n)) out.set(key, sp >= 0 && v.endsWith('kB') ? n * 1024 : n);
      }
    }
    i = nl + 1;
  }
  return out;
}

export interface MemInfo {
  readonly total: number;
  readonly available: number;
  readonly free: number;
  readonly swapTotal: number;
  readonly swapFree: number;
}

const MEMINFO_KEYS = new Set(['MemTotal', 'MemAvailable', 'MemFree', 'SwapTotal', 'SwapFree', 'Buffers', 'Cached']);

/** `/proc/meminfo` in bytes. Kernels before 3.14 lack MemAvailable: estimate it as free + buffers + cached. */
export function parseMeminfo(text: string): MemInfo | undefined {
  const m = parseKbTable(text, MEMINFO_KEYS);
  const total = m.get('MemTotal');
  if (total === undefined) return undefined;
  const free = m.get('MemFree') ?? 0;
  const available = m.get('MemAvailable') ?? free + (m.get('Buffers') ?? 0) + (m.get('Cached') ?? 0);
  return { total, available, free, swapTotal: m.get('SwapTotal') ?? 0, swapFree: m.get('SwapFree') ?? 0 };
}

export interface SmapsRollup {
  readonly rss: number;
  readonly pss: number;
  /** Unique set size: pages only this process maps (private clean + private dirty). */
  readonly uss: number;
  readonly swap: number;
}

const SMAPS_KEYS = new Set(['Rss', 'Pss', 'Private_Clean', 'Private_Dirty', 'Swap']);

/** `/proc/<pid>/smaps_rollup` in bytes. */
export function parseSmapsRollup(text: string): SmapsRollup | undefined {
  const m = parseKbTable(text, SMAPS_KEYS);
  const pss = m.get('Pss');
  if (pss === undefined) return undefined;
  return {
    rss: m.get('Rss') ?? 0,
    pss,
    uss: (m.get('Private_Clean') ?? 0) + (m.get('Private_Dirty') ?? 0),
    swap: m.get('Swap') ?? 0,
  };
}

/** `VmHWM` and friends from `/proc/<pid>/status`, bytes. */
export function parseStatusField(text: string, key: string): number | undefined {
  return parseKbTable(text, new Set([key])).get(key);
}

export interface CgroupMembership {
  /** cgroup v2 path (the `0::` line), if any. */
  readonly unified?: string;
  /** cgroup v1 path of the memory controller, if any. */
  readonly memoryV1?: string;
}

/** `/proc/<pid>/cgroup`. */
export function parseProcCgroup(text: string): CgroupMembership {
  let unified: string | undefined;
  let memoryV1: string | undefined;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hid = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (hid === '0' && controllers === '') unified = path;
    else if (controllers.split(',').includes('memory')) memoryV1 = path;
  }
  return { unified, memoryV1 };
}

/** cgroup v2 `memory.max` ("max" = none) or v1 `memory.limit_in_bytes` (huge = none). */
export function parseCgroupLimit(text: string): number | undefined {
  const s = text.trim();
  if (s === '' || s === 'max') return undefined;
  const n = Number(s);
  // v1 reports "no limit" as PAGE_COUNTER_MAX * page size, around 2^63.
  if (!Number.isFinite(n) || n <= 0 || n >= 2 ** 62) return undefined;
  return n;
}
