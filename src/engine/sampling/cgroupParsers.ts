// Pure parsers for the files that say whether the out-of-memory killer acted and how much
// the kernel stalled on memory: cgroup v2 `memory.events`, v1 `memory.oom_control`,
// `/proc/vmstat` and PSI (`/proc/pressure/memory`, a v2 cgroup's `memory.pressure`).
// No I/O: each takes the text a read returned; tested on captured files (test/fixtures/cgroup).

/** Lines of `key value` into numbers; a line that is not that shape is skipped. */
function keyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const n = Number(line.slice(sp + 1).trim());
    if (Number.isFinite(n)) out.set(line.slice(0, sp), n);
  }
  return out;
}

/** cgroup v2 `memory.events`: how often the cgroup hit its limits, and the OOM kills in it (and below it). */
export interface MemoryEvents {
  readonly max?: number;
  readonly oom?: number;
  /** Processes the OOM killer killed in this cgroup's subtree. */
  readonly oomKill?: number;
  readonly oomGroupKill?: number;
}

export function parseMemoryEvents(text: string): MemoryEvents | undefined {
  const m = keyValues(text);
  if (!m.has('oom_kill') && !m.has('oom')) return undefined;
  return { max: m.get('max'), oom: m.get('oom'), oomKill: m.get('oom_kill'), oomGroupKill: m.get('oom_group_kill') };
}

/** cgroup v1 `memory.oom_control`. `oomKill` appears from Linux 4.13; older kernels lack it. */
export interface OomControl {
  readonly oomKillDisable: boolean;
  readonly underOom: boolean;
  readonly oomKill?: number;
}

export function parseOomControl(text: string): OomControl | undefined {
  const m = keyValues(text);
  if (!m.has('under_oom')) return undefined;
  return { oomKillDisable: m.get('oom_kill_disable') === 1, underOom: m.get('under_oom') === 1, oomKill: m.get('oom_kill') };
}

/** The OOM kill count of a job's cgroup file: v2 `memory.events` or v1 `memory.oom_control`. */
export function parseOomKillCount(text: string, file: 'memory.events' | 'memory.oom_control'): number | undefined {
  return file === 'memory.events' ? parseMemoryEvents(text)?.oomKill : parseOomControl(text)?.oomKill;
}

/** `oom_kill` of `/proc/vmstat`: every process the OOM killer killed since boot, any cgroup's included. */
export function parseVmstatOomKill(text: string): number | undefined {
  // One line among ~200: look for it rather than building the whole table.
  const first = text.startsWith('oom_kill ');
  const at = first ? 0 : text.indexOf('\noom_kill ') + 1;
  if (at === 0 && !first) return undefined;
  const end = text.indexOf('\n', at);
  const n = Number(text.slice(at + 'oom_kill '.length, end < 0 ? text.length : end).trim());
  return Number.isFinite(n) ? n : undefined;
}

/** One PSI line: the kernel's running averages (percent) and the total stall time (microseconds). */
export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Microseconds of stall since boot (or since the cgroup was made). */
  readonly total: number;
}

/** PSI of memory: `some` (at least one task stalled), `full` (all non-idle tasks stalled at once). */
export interface Pressure {
  readonly some: PressureLine;
  readonly full?: PressureLine;
}

function pressureLine(rest: string): PressureLine | undefined {
  const f = new Map<string, number>();
  for (const kv of rest.trim().split(/\s+/)) {
    const eq = kv.indexOf('=');
    if (eq > 0) f.set(kv.slice(0, eq), Number(kv.slice(eq + 1)));
  }
  const [avg10, avg60, avg300, total] = ['avg10', 'avg60', 'avg300', 'total'].map((k) => f.get(k));
  if (![avg10, avg60, avg300, total].every((n) => n !== undefined && Number.isFinite(n))) return undefined;
  return { avg10: avg10 as number, avg60: avg60 as number, avg300: avg300 as number, total: total as number };
}

export function parsePressure(text: string): Pressure | undefined {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('some ')) some = pressureLine(line.slice(5));
    else if (line.startsWith('full ')) full = pressureLine(line.slice(5));
  }
  return some && { some, full };
}

/**
 * Percent of the wall time between two readings that tasks stalled on memory: the change of
 * PSI's `total` (microseconds) over the elapsed milliseconds. Exact for the interval, where
 * avg10 lags ten seconds behind. Undefined when no time passed or the counter went back
 * (a cgroup made again under the same name).
 */
export function stallPercent(totalBefore: number, totalAfter: number, elapsedMs: number): number | undefined {
  if (!(elapsedMs > 0) || totalAfter < totalBefore) return undefined;
  return Math.min(100, ((totalAfter - totalBefore) / 1000 / elapsedMs) * 100);
}
