import { formatBytes, type Units } from '../../shared/format';
import type { MonitorTick } from '../monitor';

/** What the guard does when memory crosses its threshold: nothing, interrupt the program (KeyboardInterrupt, else SIGINT), or pause it in the debugger. */
export type GuardMode = 'off' | 'interrupt' | 'pause';

/** One figure the guard watches at one tick. Bytes. */
export interface GuardGauge {
  /** Which figure: `cgroup`, `system`, `gpu:<index>`, or `above` (an explicit threshold on the tree). */
  readonly key: string;
  /** In words: `cgroup limit`, `system memory`, `GPU 0`, `tree RSS`. */
  readonly label: string;
  readonly value: number;
  readonly threshold: number;
  /** The memory the threshold protects (`15.2 GB of 16.0 GB`); absent for an explicit size. */
  readonly limit?: number;
}

/** The guard decided to act. */
export interface GuardDecision {
  /** ms since the epoch. */
  readonly t: number;
  readonly mode: Exclude<GuardMode, 'off'>;
  /** The figure that crossed its threshold. */
  readonly gauge: GuardGauge;
}

/** What was done about a decision, as recorded (the `guard` record) and marked on the timeline. */
export interface GuardAction extends GuardDecision {
  /** `client`: a KeyboardInterrupt asked of the program's client; `signal`: SIGINT to the root; `pause`: the debugger paused it; `none`: nothing could be done. */
  readonly how: 'client' | 'signal' | 'pause' | 'none';
  /** The processes acted on (all of the monitored tree). */
  readonly pids: readonly number[];
  /** One line for logs and markers. */
  readonly text: string;
}

/** Share of the killing memory the default threshold sits at, and the share of the threshold below which the guard re-arms. */
export const GUARD_FRACTION = 0.95;
export const GUARD_REARM = 0.9;

/**
 * Decides when to act: once when any gauge reaches its threshold, then not again until every
 * gauge is back below `rearm` of its threshold (hysteresis: memory hovering at the line is one
 * crossing, not one action per sample). Pure: feed it ticks' gauges, it answers.
 */
export class Guard {
  private tripped = false;

  constructor(
    readonly mode: GuardMode,
    private readonly rearm = GUARD_REARM,
  ) {}

  /** True between a crossing and the re-arm. */
  get armed(): boolean {
    return !this.tripped;
  }

  feed(t: number, gauges: readonly GuardGauge[]): GuardDecision | undefined {
    if (this.tripped) {
      if (gauges.every((g) => g.value < g.threshold * this.rearm)) this.tripped = false;
      return undefined;
    }
    const crossed = gauges.find((g) => g.value >= g.threshold);
    if (!crossed) return undefined;
    this.tripped = true;
    return this.mode === 'off' ? undefined : { t, mode: this.mode, gauge: crossed };
  }
}

/** What the guard measures against, from the CLI's options or the editor's settings. */
export interface GuardOptions {
  /** An explicit threshold on the tree's own memory, bytes; without it the guard watches what can kill the job. */
  readonly above?: number;
  /** The tree figure `above` applies to (the CLI's `--type`). */
  readonly figure?: 'rss' | 'pss' | 'system';
  /** Share of the killing memory for the default thresholds. */
  readonly fraction?: number;
}

/**
 * The gauges of one tick. With `above`: the tree's figure against it. Otherwise the memory that
 * can kill the job at `fraction` (95%): the cgroup's usage against its limit, else the system's
 * used memory against its total; and each GPU the tree uses, against its total.
 */
export function guardGauges(tick: MonitorTick, o: GuardOptions = {}): GuardGauge[] {
  const { tree, system, gpu } = tick;
  if (o.above !== undefined) {
    const figure = o.figure ?? 'rss';
    const value = figure === 'system' ? system?.used : figure === 'pss' ? (tree.pss ?? tree.rss) : tree.rss;
    return value === undefined ? [] : [{ key: 'above', label: figure === 'system' ? 'system used' : `tree ${figure.toUpperCase()}`, value, threshold: o.above }];
  }
  const f = o.fraction ?? GUARD_FRACTION;
  const out: GuardGauge[] = [];
  if (system?.cgroupLimit !== undefined && system.cgroupUsage !== undefined) {
    out.push({ key: 'cgroup', label: 'cgroup limit', value: system.cgroupUsage, threshold: f * system.cgroupLimit, limit: system.cgroupLimit });
  } else if (system && system.total > 0) {
    out.push({ key: 'system', label: 'system memory', value: system.used, threshold: f * system.total, limit: system.total });
  }
  if (gpu) {
    // Only the GPUs this tree uses: a full GPU of another job is not this job's to stop for.
    const mine = new Set(gpu.processes.map((p) => p.gpuUuid));
    const all = mine.size === 0 && (gpu.tree?.used ?? 0) > 0;
    for (const d of gpu.devices) {
      if (!(all || mine.has(d.uuid)) || d.memUsed === undefined || !d.memTotal) continue;
      out.push({ key: `gpu:${d.index}`, label: `GPU ${d.index}`, value: d.memUsed, threshold: f * d.memTotal, limit: d.memTotal });
    }
  }
  return out;
}

/** `15.2 GB of 16.0 GB (cgroup limit)`, or `tree RSS 210 MB (threshold 200 MB)`: what "Paused by Headroom: ..." continues with. */
export function gaugeText(g: GuardGauge, units: Units = 'GB'): string {
  const b = (v: number) => formatBytes(v, units);
  return g.limit !== undefined ? `${b(g.value)} of ${b(g.limit)} (${g.label})` : `${g.label} ${b(g.value)} (threshold ${b(g.threshold)})`;
}

/** The log line of an action: `guard: 15.2 GB of 16.0 GB (cgroup limit): interrupted pid 4242 (KeyboardInterrupt)` */
export function guardActionText(a: Pick<GuardAction, 'gauge' | 'how' | 'pids' | 'mode'>, units: Units = 'GB'): string {
  const pids = a.pids.length ? `pid ${a.pids.join(', ')}` : '';
  const did =
    a.how === 'client' ? `interrupted ${pids} (KeyboardInterrupt through the Headroom client)` :
    a.how === 'signal' ? `sent SIGINT to ${pids}` :
    a.how === 'pause' ? `paused ${pids || 'the debuggee'}` :
    `could not ${a.mode} the program (nothing of the monitored tree to act on)`;
  return `guard: ${gaugeText(a.gauge, units)}: ${did}`;
}
