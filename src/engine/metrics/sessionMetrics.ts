import type { MonitorTick } from '../monitor';
import type { LocationStats } from '../session/locationStats';
import type { Labels, MetricFamily, MetricSample } from './exposition';
import { renderExposition } from './exposition';
import { LabelCap } from './labelCap';

/** Who the figures belong to: labels on every series, so 64 ranks' exports tell apart in one Prometheus. */
export interface MetricsIdentity {
  readonly job: string;
  readonly host: string;
  /** The rank of a distributed launch that this monitor watches (RANK), when it watches one rank. */
  readonly rank?: number;
  readonly localRank?: number;
}

/** What one render reads: the monitor's last tick and the session's checkpoint statistics. */
export interface MetricsInput {
  readonly tick: MonitorTick | undefined;
  readonly locations: readonly LocationStats[];
  /** The rank each process reported in its hello, by pid. */
  readonly ranks: ReadonlyMap<number, number>;
}

/** One checkpoint series after the label cap: the newest location's figures win a folded label. */
interface CheckpointFigures {
  t: number;
  rss: number;
  delta: number;
  hits: number;
}

/**
 * Turns a session's newest figures into Prometheus families. Keeps the checkpoint label cap
 * across renders, so the set of label values a scraper sees only grows up to its bound.
 */
export class SessionMetrics {
  private readonly cap: LabelCap;
  private readonly base: Labels;

  constructor(
    readonly identity: MetricsIdentity,
    options: { maxCheckpointLabels?: number } = {},
  ) {
    this.cap = new LabelCap(options.maxCheckpointLabels ?? 32);
    const base: [string, string][] = [
      ['job', identity.job],
      ['host', identity.host],
    ];
    if (identity.rank !== undefined) base.push(['rank', String(identity.rank)]);
    if (identity.localRank !== undefined) base.push(['local_rank', String(identity.localRank)]);
    this.base = base;
  }

  /** The exposition text of `input`. */
  render(input: MetricsInput): string {
    return renderExposition(this.families(input));
  }

  /** Every family, in a fixed order; families with nothing to say have no samples. */
  families(input: MetricsInput): MetricFamily[] {
    const { tick } = input;
    const at = (v: number | undefined, labels: Labels): MetricSample[] => (v === undefined || !Number.isFinite(v) ? [] : [{ labels, value: v }]);
    const one = (v: number | undefined, extra: Labels = []): MetricSample[] => at(v, extra.length ? [...this.base, ...extra] : this.base);
    const gauge = (name: string, help: string, samples: MetricSample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
    const tree = tick?.tree;
    const alive = tree && (tree.rootAlive || tree.processes.length > 0) ? tree : undefined;
    const sys = tick?.system;
    const gpu = tick?.gpu;
    const kills = tick?.kernel?.oomKills;
    const procs = alive?.processes ?? [];
    const gpuIndex = new Map((gpu?.devices ?? []).map((d) => [d.uuid, d.index]));
    const checkpoints = this.checkpointSeries(input.locations);
    const cp = (pick: (f: CheckpointFigures) => number) => [...checkpoints].map(([labels, f]) => ({ labels, value: pick(f) }));
    return [
      gauge('headroom_tree_rss_bytes', 'Resident memory of the monitored process tree, summed over its processes.', one(alive?.rss)),
      gauge('headroom_tree_pss_bytes', 'Proportional set size of the monitored process tree: shared pages counted once.', one(alive?.pss)),
      gauge('headroom_tree_uss_bytes', 'Unique set size of the monitored process tree: pages no other process maps.', one(alive?.uss)),
      gauge('headroom_tree_processes', 'Processes in the monitored tree.', one(alive ? procs.length : undefined)),
      gauge('headroom_process_rss_bytes', 'Resident memory of one process of the monitored tree.', procs.flatMap((p) => at(p.rss, this.processLabels(p.pid, p.name, input.ranks)))),
      gauge('headroom_process_pss_bytes', 'Proportional set size of one process of the monitored tree.', procs.flatMap((p) => at(p.pss, this.processLabels(p.pid, p.name, input.ranks)))),
      gauge('headroom_system_memory_total_bytes', 'Memory of the machine.', one(sys?.total)),
      gauge('headroom_system_memory_available_bytes', 'Memory the machine can still give without swapping (MemAvailable).', one(sys?.available)),
      gauge('headroom_system_memory_used_bytes', 'Memory of the machine in use: total minus available.', one(sys?.used)),
      gauge('headroom_system_swap_used_bytes', 'Swap in use on the machine.', one(sys?.swapUsed)),
      gauge('headroom_cgroup_memory_usage_bytes', "Memory charged to the job's cgroup.", one(sys?.cgroupUsage)),
      gauge('headroom_cgroup_memory_limit_bytes', "The job's cgroup memory limit: what the out-of-memory killer enforces.", one(sys?.cgroupLimit)),
      gauge('headroom_gpu_memory_used_bytes', 'Memory used on one GPU, by every process on it.', (gpu?.devices ?? []).flatMap((d) => one(d.memUsed, [['gpu', String(d.index)]]))),
      gauge('headroom_gpu_memory_total_bytes', 'Memory of one GPU.', (gpu?.devices ?? []).flatMap((d) => one(d.memTotal, [['gpu', String(d.index)]]))),
      gauge('headroom_gpu_process_memory_used_bytes', 'GPU memory one process of the monitored tree holds on one GPU.', (gpu?.processes ?? []).flatMap((p) => at(p.usedMemory, [...this.processLabels(p.pid, undefined, input.ranks), ['gpu', String(gpuIndex.get(p.gpuUuid) ?? -1)]]))),
      gauge('headroom_tree_gpu_memory_bytes', 'GPU memory of the monitored tree, summed over GPUs.', one(gpu?.tree?.used)),
      {
        name: 'headroom_oom_kills_total',
        help: 'Processes the out-of-memory killer ended since monitoring began: in the job\'s cgroup (scope="cgroup") and anywhere on the machine (scope="system").',
        type: 'counter',
        samples: [...one(kills?.cgroup, [['scope', 'cgroup']]), ...one(kills?.system, [['scope', 'system']])],
      },
      gauge('headroom_checkpoint_rss_bytes', "Resident memory of the process at a checkpoint's (or block's) last hit.", cp((f) => f.rss)),
      gauge('headroom_checkpoint_delta_bytes', "Change of resident memory at a checkpoint's last hit: since the previous checkpoint, or inside the block.", cp((f) => f.delta)),
      { name: 'headroom_checkpoint_hits_total', help: 'Times a checkpoint or block was reached.', type: 'counter', samples: cp((f) => f.hits) },
      {
        name: 'headroom_checkpoint_labels_folded_total',
        help: `Distinct checkpoint labels past the first ${this.cap.max}, reported under checkpoint="${this.cap.foldedValue}".`,
        type: 'counter',
        samples: one(this.cap.folded),
      },
      gauge('headroom_last_sample_timestamp_seconds', 'When the figures above were sampled, seconds since the epoch.', one(tree ? tree.t / 1000 : undefined)),
    ];
  }

  /** The base labels, with `rank` from the process's own hello where it sent one, then pid and name. */
  private processLabels(pid: number, name: string | undefined, ranks: ReadonlyMap<number, number>): Labels {
    const rank = ranks.get(pid);
    const labels: [string, string][] = this.base.filter(([k]) => rank === undefined || k !== 'rank').map(([k, v]) => [k, v]);
    if (rank !== undefined) labels.splice(2, 0, ['rank', String(rank)]);
    labels.push(['pid', String(pid)]);
    if (name !== undefined) labels.push(['name', name]);
    return labels;
  }

  /** One series per capped label, kind and rank; where several locations share one, the newest hit's figures. */
  private checkpointSeries(locations: readonly LocationStats[]): Map<Labels, CheckpointFigures> {
    const byKey = new Map<string, { labels: Labels; f: CheckpointFigures }>();
    const put = (labels: Labels, t: number, rss: number, delta: number, hits: number) => {
      const key = labels.map(([, v]) => v).join('\u0000');
      const had = byKey.get(key);
      if (!had) byKey.set(key, { labels, f: { t, rss, delta, hits } });
      else {
        had.f.hits += hits;
        if (t >= had.f.t) Object.assign(had.f, { t, rss, delta });
      }
    };
    for (const s of locations) {
      const label = this.cap.map(s.label ?? `${s.file}:${s.line}`);
      if (s.ranks && s.ranks.size > 0) {
        for (const f of s.ranks.values()) put(this.checkpointLabels(label, s.kind, f.rank), s.lastT, f.lastRss, f.lastDelta, f.hits);
      } else put(this.checkpointLabels(label, s.kind, undefined), s.lastT, s.lastRss, s.lastDelta, s.hits);
    }
    return new Map([...byKey.values()].map((e) => [e.labels, e.f]));
  }

  private checkpointLabels(label: string, kind: string, rank: number | undefined): Labels {
    const labels: [string, string][] = this.base.filter(([k]) => rank === undefined || k !== 'rank').map(([k, v]) => [k, v]);
    if (rank !== undefined) labels.splice(2, 0, ['rank', String(rank)]);
    labels.push(['checkpoint', label], ['kind', kind]);
    return labels;
  }
}
