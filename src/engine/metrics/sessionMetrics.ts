import type { MonitorTick } from '../monitor';
import type { LocationStats } from '../session/locationStats';
import type { Labels, MetricFamily, MetricSample } from './exposition';
import { labelSetText, renderExposition } from './exposition';
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
  /** The LOCAL_RANK and host each rank reported, by pid (RecordIngest.rankPlaces). */
  readonly places?: ReadonlyMap<number, RankPlace>;
}

/** Where a rank runs, as its hello said. */
export interface RankPlace {
  readonly localRank?: number;
  readonly host?: string;
}

/** One process's own labels, over the monitor's: rank, and where it said it runs. */
interface ProcessIdentity extends RankPlace {
  readonly rank: number;
}

/** A series' labels, and the same written out once: most series are rendered again every tick. */
interface SeriesLabels {
  readonly labels: Labels;
  readonly text: string;
}

/** Label texts kept; past this many (pids churning for days) the cache starts over. */
const MAX_CACHED_LABEL_SETS = 50_000;

/** One checkpoint series after the label cap: the newest location's figures win a folded label. */
interface CheckpointFigures {
  readonly series: SeriesLabels;
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
  private readonly labelTexts = new Map<string, SeriesLabels>();
  /** Each location's series by rank, for as long as its label stays the same: no key is built per render. */
  private readonly byLocation = new WeakMap<LocationStats, { label: string | undefined; ranks: Map<number, SeriesLabels> }>();

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
    const at = (v: number | undefined, l: SeriesLabels): MetricSample[] => (v === undefined || !Number.isFinite(v) ? [] : [{ labels: l.labels, labelText: l.text, value: v }]);
    const one = (v: number | undefined, extra: Labels = []): MetricSample[] => (v === undefined || !Number.isFinite(v) ? [] : [{ labels: extra.length ? [...this.base, ...extra] : this.base, value: v }]);
    const gauge = (name: string, help: string, samples: MetricSample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
    const tree = tick?.tree;
    const alive = tree && (tree.rootAlive || tree.processes.length > 0) ? tree : undefined;
    const sys = tick?.system;
    const gpu = tick?.gpu;
    const kills = tick?.kernel?.oomKills;
    const procs = alive?.processes ?? [];
    const gpuIndex = new Map((gpu?.devices ?? []).map((d) => [d.uuid, d.index]));
    const checkpoints = this.checkpointSeries(input.locations, input.places);
    const cp = (pick: (f: CheckpointFigures) => number) => checkpoints.map((f) => ({ labels: f.series.labels, labelText: f.series.text, value: pick(f) }));
    return [
      gauge('headroom_tree_rss_bytes', 'Resident memory of the monitored process tree, summed over its processes.', one(alive?.rss)),
      gauge('headroom_tree_pss_bytes', 'Proportional set size of the monitored process tree: shared pages counted once.', one(alive?.pss)),
      gauge('headroom_tree_uss_bytes', 'Unique set size of the monitored process tree: pages no other process maps.', one(alive?.uss)),
      gauge('headroom_tree_processes', 'Processes in the monitored tree.', one(alive ? procs.length : undefined)),
      gauge('headroom_process_rss_bytes', 'Resident memory of one process of the monitored tree.', procs.flatMap((p) => at(p.rss, this.processLabels(p.pid, p.name, input)))),
      gauge('headroom_process_pss_bytes', 'Proportional set size of one process of the monitored tree.', procs.flatMap((p) => at(p.pss, this.processLabels(p.pid, p.name, input)))),
      gauge('headroom_system_memory_total_bytes', 'Memory of the machine.', one(sys?.total)),
      gauge('headroom_system_memory_available_bytes', 'Memory the machine can still give without swapping (MemAvailable).', one(sys?.available)),
      gauge('headroom_system_memory_used_bytes', 'Memory of the machine in use: total minus available.', one(sys?.used)),
      gauge('headroom_system_swap_used_bytes', 'Swap in use on the machine.', one(sys?.swapUsed)),
      gauge('headroom_cgroup_memory_usage_bytes', "Memory charged to the job's cgroup.", one(sys?.cgroupUsage)),
      gauge('headroom_cgroup_memory_limit_bytes', "The job's cgroup memory limit: what the out-of-memory killer enforces.", one(sys?.cgroupLimit)),
      gauge('headroom_gpu_memory_used_bytes', 'Memory used on one GPU, by every process on it.', (gpu?.devices ?? []).flatMap((d) => one(d.memUsed, [['gpu', String(d.index)]]))),
      gauge('headroom_gpu_memory_total_bytes', 'Memory of one GPU.', (gpu?.devices ?? []).flatMap((d) => one(d.memTotal, [['gpu', String(d.index)]]))),
      gauge('headroom_gpu_process_memory_used_bytes', 'GPU memory one process of the monitored tree holds on one GPU.', (gpu?.processes ?? []).flatMap((p) => at(p.usedMemory, this.processLabels(p.pid, undefined, input, String(gpuIndex.get(p.gpuUuid) ?? -1))))),
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

  /** The base labels, with `rank`, `local_rank` and `host` from the process's own hello where it sent them, then pid, name, and GPU. */
  private processLabels(pid: number, name: string | undefined, input: MetricsInput, gpu?: string): SeriesLabels {
    const rank = input.ranks.get(pid);
    const place = rank === undefined ? undefined : input.places?.get(pid);
    const who = rank === undefined ? undefined : { rank, localRank: place?.localRank, host: place?.host };
    return this.cached(`p\0${pid}\0${name}\0${rank}\0${place?.localRank}\0${place?.host}\0${gpu}`, who, (l) => {
      l.push(['pid', String(pid)]);
      if (name !== undefined) l.push(['name', name]);
      if (gpu !== undefined) l.push(['gpu', gpu]);
    });
  }

  /** One series per capped label, kind and rank; where several locations share one, the newest hit's figures. */
  private checkpointSeries(locations: readonly LocationStats[], places: ReadonlyMap<number, RankPlace> | undefined): CheckpointFigures[] {
    const byKey = new Map<SeriesLabels, CheckpointFigures>();
    const put = (series: SeriesLabels, t: number, rss: number, delta: number, hits: number) => {
      const had = byKey.get(series);
      if (!had) byKey.set(series, { series, t, rss, delta, hits });
      else {
        had.hits += hits;
        if (t >= had.t) {
          had.t = t;
          had.rss = rss;
          had.delta = delta;
        }
      }
    };
    for (const s of locations) {
      let known = this.byLocation.get(s);
      if (!known || known.label !== s.label) this.byLocation.set(s, (known = { label: s.label, ranks: new Map() }));
      const series = (rank: number | undefined, pid: number) => {
        let l = known.ranks.get(rank ?? -1);
        if (!l) {
          const place = rank === undefined ? undefined : places?.get(pid);
          const who = rank === undefined ? undefined : { rank, localRank: place?.localRank, host: place?.host };
          known.ranks.set(rank ?? -1, (l = this.checkpointLabels(this.cap.map(s.label ?? `${s.file}:${s.line}`), s.kind, who)));
        }
        return l;
      };
      if (s.ranks && s.ranks.size > 0) {
        for (const f of s.ranks.values()) put(series(f.rank, f.pid), s.lastT, f.lastRss, f.lastDelta, f.hits);
      } else put(series(undefined, -1), s.lastT, s.lastRss, s.lastDelta, s.hits);
    }
    return [...byKey.values()];
  }

  private checkpointLabels(label: string, kind: string, who: ProcessIdentity | undefined): SeriesLabels {
    return this.cached(`c\0${label}\0${kind}\0${who?.rank}\0${who?.localRank}\0${who?.host}`, who, (l) => l.push(['checkpoint', label], ['kind', kind]));
  }

  /**
   * The labels of one series: the base, with a process's own rank, local_rank (and host, for
   * a rank on another machine) in place of the monitor's when given, then what `more` adds; written once.
   */
  private cached(key: string, who: ProcessIdentity | undefined, more: (labels: [string, string][]) => void): SeriesLabels {
    let e = this.labelTexts.get(key);
    if (e) return e;
    const labels: [string, string][] = this.base.filter(([k]) => who === undefined || (k !== 'rank' && k !== 'local_rank')).map(([k, v]) => [k, v]);
    if (who !== undefined) {
      if (who.host) labels[1] = ['host', who.host];
      labels.splice(2, 0, ['rank', String(who.rank)]);
      if (who.localRank !== undefined) labels.splice(3, 0, ['local_rank', String(who.localRank)]);
    }
    more(labels);
    if (this.labelTexts.size >= MAX_CACHED_LABEL_SETS) this.labelTexts.clear();
    this.labelTexts.set(key, (e = { labels, text: labelSetText(labels) }));
    return e;
  }
}
