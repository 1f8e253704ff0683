import type { OomRecord } from '../../shared/protocol';
import { formatBytes, formatDuration, formatPercent, plainLabel, type Units } from '../../shared/format';
import type { OomKillCounts } from '../sampling/cgroupWatch';

/**
 * How a run ended, as far as memory goes. `oom-kill-cgroup`: the job's cgroup counted an OOM
 * kill (certain); `oom-kill-system`: the machine's counter rose while its memory was full;
 * `likely-oom`: SIGKILL near the limit with no counter to confirm it (a likelihood);
 * `torch-oom`: the framework raised its out-of-memory error; `none`: nothing of the kind.
 */
export type EndKind = 'oom-kill-cgroup' | 'oom-kill-system' | 'likely-oom' | 'torch-oom' | 'none';

/** Memory that can kill the job: the cgroup's limit, else the machine's memory. */
export interface KillingLimit {
  readonly kind: 'cgroup' | 'system';
  readonly bytes: number;
}

/** What was known when the run ended: the inputs of `explainEnd`, plain data. */
export interface EndFacts {
  /** When the end was seen, ms since the epoch. */
  readonly t: number;
  /** How the root process ended; undefined when nobody could tell (an attached process). */
  readonly exit?: { readonly code: number | null; readonly signal: string | null };
  readonly oomKills: OomKillCounts;
  readonly limit?: KillingLimit;
  /** The last reading of the figure the limit applies to (cgroup usage, or system used), bytes. */
  readonly memory?: number;
  /** Its highest reading over the run. */
  readonly peak?: number;
  /** The newest checkpoint of the run (`t` in ms). */
  readonly lastCheckpoint?: { readonly label?: string; readonly file?: string; readonly line?: number; readonly t: number };
  /** The process with the most RSS at the last sample, named by what it is; only for trees of several processes. */
  readonly biggest?: { readonly pid: number; readonly name: string; readonly rss: number; readonly role: string };
  /** The last out-of-memory error a client reported (PyTorch, MLX, Python). */
  readonly oom?: OomRecord;
}

/** The engine's account of a run's end: one sentence and the figures behind it. */
export interface EndExplanation {
  readonly kind: EndKind;
  /** The sentence, in decimal units (`endText` writes it in others). */
  readonly text: string;
  /** When the end was seen, ms. */
  readonly t: number;
  readonly code?: number | null;
  readonly signal?: string | null;
  /** The figure at the end and the limit it is measured against, bytes. */
  readonly memory?: number;
  readonly peak?: number;
  readonly limit?: number;
  readonly limitKind?: 'cgroup' | 'system';
  readonly oomKills?: OomKillCounts;
  /** The newest checkpoint, and how long before the end (or the framework's error) it was reached. */
  readonly lastCheckpoint?: { readonly label?: string; readonly file?: string; readonly line?: number; readonly secondsBefore: number };
  readonly biggest?: { readonly pid: number; readonly name: string; readonly rss: number; readonly role: string };
  /** The framework's error and its allocator's state (first device), for `torch-oom`. */
  readonly framework?: FrameworkOom;
}

/** A framework's out-of-memory error, flattened for summaries. Bytes. */
export interface FrameworkOom {
  readonly framework: string;
  readonly error: string;
  readonly file?: string;
  readonly line?: number;
  readonly requested?: number;
  readonly device?: string;
  readonly allocated?: number;
  readonly reserved?: number;
  readonly free?: number;
  readonly total?: number;
  readonly largestFree?: number;
  readonly inactiveSplit?: number;
  /** Seconds from the error to the end of the run. */
  readonly secondsBefore: number;
}

/** A memory reading at or above this share of the limit makes an unexplained SIGKILL a likely OOM kill. */
const NEAR_LIMIT = 0.9;

const base = (p: string | undefined) => (p ?? '').split(/[\\/]/).pop() ?? '';

function kindOf(f: EndFacts): EndKind {
  const killed = f.exit === undefined || f.exit.signal === 'SIGKILL';
  const near = f.limit !== undefined && f.memory !== undefined && f.memory >= NEAR_LIMIT * f.limit.bytes;
  if ((f.oomKills.cgroup ?? 0) > 0) return 'oom-kill-cgroup';
  // /proc/vmstat counts every kill on the machine, other cgroups' too: it speaks for this
  // job only when the machine itself was out of memory.
  if ((f.oomKills.system ?? 0) > 0 && killed && near && f.limit?.kind === 'system') return 'oom-kill-system';
  const unconfirmable = f.oomKills.cgroup === undefined || (f.oomKills.system ?? 0) > 0;
  if (f.exit?.signal === 'SIGKILL' && near && unconfirmable) return 'likely-oom';
  if (f.oom) return 'torch-oom';
  return 'none';
}

function frameworkOom(r: OomRecord, endT: number): FrameworkOom {
  const a = r.allocator?.find((d) => d.index === r.device?.index) ?? r.allocator?.[0];
  const device = r.device ? `${r.device.kind}${r.device.index !== undefined ? `:${r.device.index}` : ''}` : a ? `${a.kind}${a.index !== undefined ? `:${a.index}` : ''}` : undefined;
  return {
    framework: r.framework ?? 'python',
    error: r.error,
    file: r.file,
    line: r.line,
    requested: r.requested,
    device,
    allocated: a?.allocated,
    reserved: a?.reserved,
    free: a?.free,
    total: a?.total,
    largestFree: a?.largest_free,
    inactiveSplit: a?.inactive_split,
    secondsBefore: Math.max(0, (endT - r.t * 1000) / 1000),
  };
}

/** The account of a run's end from what was known then. Pure. */
export function explainEnd(f: EndFacts, units: Units = 'GB'): EndExplanation {
  const kind = kindOf(f);
  // A framework's error is timed from itself; a kill from the end of the run.
  const from = kind === 'torch-oom' && f.oom ? f.oom.t * 1000 : f.t;
  const cp = f.lastCheckpoint;
  const e: EndExplanation = {
    kind,
    text: '',
    t: f.t,
    code: f.exit?.code,
    signal: f.exit?.signal,
    memory: f.memory,
    peak: f.peak,
    limit: f.limit?.bytes,
    limitKind: f.limit?.kind,
    oomKills: f.oomKills,
    lastCheckpoint: cp && cp.t <= from ? { label: cp.label, file: cp.file, line: cp.line, secondsBefore: Math.max(0, (from - cp.t) / 1000) } : undefined,
    biggest: f.biggest,
    framework: f.oom ? frameworkOom(f.oom, f.t) : undefined,
  };
  return { ...e, text: endText(e, units) };
}

const quote = (label: string | undefined) => `'${plainLabel(label ?? '', 60)}'`;

/** `2.1 s after 'after forward' (train.py:88)` */
function afterCheckpoint(e: EndExplanation): string | undefined {
  const c = e.lastCheckpoint;
  if (!c) return undefined;
  const where = c.file !== undefined && c.line !== undefined ? `${base(c.file)}:${c.line}` : undefined;
  const what = c.label ? `${quote(c.label)}${where ? ` (${where})` : ''}` : where ? `the checkpoint at ${where}` : 'the last checkpoint';
  return `${formatDuration(c.secondsBefore)} after ${what}`;
}

/** `at 15.9 GB (cgroup limit 16.0 GB)` */
function atLimit(e: EndExplanation, units: Units): string {
  const b = (v: number) => formatBytes(v, units);
  if (e.memory === undefined) return e.limit !== undefined ? `(${e.limitKind} limit ${b(e.limit)})` : '';
  if (e.limit === undefined) return `at ${b(e.memory)}`;
  return e.limitKind === 'system' ? `at ${b(e.memory)} of ${b(e.limit)} system memory used` : `at ${b(e.memory)} (cgroup limit ${b(e.limit)})`;
}

function howItEnded(e: EndExplanation): string | undefined {
  if (e.code === undefined && e.signal === undefined) return undefined;
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}

function frameworkText(o: FrameworkOom, units: Units): string {
  const b = (v: number) => formatBytes(v, units);
  const name = o.framework === 'torch' ? 'PyTorch' : o.framework === 'mlx' ? 'MLX' : 'Python';
  const memory = o.device?.startsWith('cuda') ? 'CUDA memory' : o.device?.startsWith('mps') ? 'MPS memory' : 'memory';
  const head = `${name} ran out of ${memory}${o.device ? ` on ${o.device}` : ''}${o.file !== undefined && o.line !== undefined ? ` at ${base(o.file)}:${o.line}` : ''}${o.requested !== undefined ? ` trying to allocate ${b(o.requested)}` : ''}`;
  const state: string[] = [];
  if (o.allocated !== undefined) state.push(`${b(o.allocated)} allocated`);
  if (o.reserved !== undefined) state.push(`${b(o.reserved)} reserved`);
  if (o.free !== undefined) state.push(o.total !== undefined ? `${b(o.free)} free of ${b(o.total)}` : `${b(o.free)} free`);
  if (o.largestFree !== undefined) state.push(`largest free block ${b(o.largestFree)}`);
  if (o.inactiveSplit !== undefined && o.inactiveSplit > 0) state.push(`${b(o.inactiveSplit)} fragmented`);
  return state.length ? `${head}: ${state.join(', ')}` : head;
}

/** A SIGKILL that the counters or the figures say was not the out-of-memory killer's. */
function sigkillNotOom(e: EndExplanation, units: Units): string {
  const counted = e.oomKills?.cgroup !== undefined || e.oomKills?.system !== undefined;
  if (counted) return 'Killed by SIGKILL, not by the out-of-memory killer (no kill of this job was counted)';
  if (e.memory !== undefined && e.limit !== undefined) return `Killed by SIGKILL at ${formatBytes(e.memory, units)}, far below the ${e.limitKind === 'system' ? "machine's memory" : 'cgroup limit'} ${formatBytes(e.limit, units)}: not the out-of-memory killer, by the look of it`;
  return 'Killed by SIGKILL';
}

/** The sentence for an explanation, in `units`: what the CLI, the report and the editor say. */
export function endText(e: EndExplanation, units: Units = 'GB'): string {
  const tail: string[] = [];
  const after = afterCheckpoint(e);
  const biggest = e.biggest ? `the biggest process was ${e.biggest.role}` : undefined;
  const how = howItEnded(e);
  let head: string;
  switch (e.kind) {
    case 'oom-kill-cgroup': {
      const killedRoot = e.signal === 'SIGKILL' || how === undefined;
      head = killedRoot ? `Killed by the out-of-memory killer ${atLimit(e, units)}` : `The out-of-memory killer killed ${(e.oomKills?.cgroup ?? 1) > 1 ? `${e.oomKills?.cgroup} processes` : 'a process'} of the job ${atLimit(e, units)}`;
      if (after) head += `, ${after}`;
      if (biggest) tail.push(biggest);
      if (!killedRoot && how) tail.push(`the program then ended (${how})`);
      break;
    }
    case 'oom-kill-system':
      head = `Killed by the out-of-memory killer when the machine ran out of memory, ${atLimit(e, units)}`;
      if (after) head += `, ${after}`;
      if (biggest) tail.push(biggest);
      break;
    case 'likely-oom': {
      const share = e.memory !== undefined && e.limit ? ` (${formatPercent((100 * e.memory) / e.limit)} of the ${e.limitKind === 'system' ? "machine's memory" : 'cgroup limit'} ${formatBytes(e.limit, units)})` : '';
      head = `Killed by SIGKILL at ${e.memory !== undefined ? formatBytes(e.memory, units) : '?'}${share}: most likely the out-of-memory killer (no counter could confirm it)`;
      if (after) head += `, ${after}`;
      if (biggest) tail.push(biggest);
      break;
    }
    case 'torch-oom': {
      const o = e.framework as FrameworkOom;
      head = frameworkText(o, units);
      if (after) head += `, ${after}`;
      if (e.code === 0 && !e.signal) tail.push('the program caught it and went on');
      break;
    }
    default:
      head = how === undefined ? 'Ended' : how === 'killed by SIGKILL' ? sigkillNotOom(e, units) : `Ended: ${how}`;
      if (after && e.signal) head += `, ${after}`;
      break;
  }
  return [head, ...tail].join('; ');
}
