import type { HelloRecord } from '../../shared/protocol';
import { globalPid, relocate } from '../recording/multiRun';
import type { ProtocolConnection } from '../protocol/listener';
import { Cp, type RecordBatch } from '../protocol/recordBatch';
import { SeriesName } from '../store/seriesName';
import { MonitoringSession } from './monitoringSession';

/** One process of a remote run, as its hello described it. */
export interface RemoteRank {
  readonly host: string;
  /** Its pid on its own machine: meaningless here, shown only. */
  readonly pid: number;
  /** The pid this run's ingest and store know it by (unique across hosts, see `globalPid`). */
  readonly globalPid: number;
  readonly rank?: number;
  readonly localRank?: number;
  /** Its newest RSS as it reported it (bytes), and when (ms since the epoch, its clock). */
  lastRss?: number;
  lastT?: number;
}

/**
 * A run whose processes live on other machines and report over TCP: nothing here can sample
 * them (their pids are another kernel's), so the run is drawn from what they report. Each
 * host's pids move to a range of their own, as `loadMultiRunAsync` does for recordings, so two
 * nodes' equal pids stay two processes; each process's RSS at every record that carries memory
 * is its line (`proc.<globalPid>.rss`, labelled by rank), and their sum the run's line. It is
 * live until it is ended (RemoteRuns ends it once its last rank has gone).
 */
export class RemoteRunSession extends MonitoringSession {
  private readonly hosts = new Map<string, number>();
  private readonly byConnection = new Map<number, RemoteRank>();
  private readonly byGlobalPid = new Map<number, RemoteRank>();
  private lastSumT = -Infinity;
  private readonly reportListeners = new Set<() => void>();

  constructor(
    id: string,
    /** The program's name (its script), for the session's name. */
    readonly program: string,
    /** WORLD_SIZE the ranks reported; 1 for a process that is not a rank. */
    readonly worldSize: number,
  ) {
    super(id, program, 'connected', 0, undefined, undefined);
  }

  override get live(): boolean {
    return this.endedAt === undefined;
  }

  /** Every process that joined, in the order they did. */
  ranks(): RemoteRank[] {
    return [...this.byGlobalPid.values()];
  }

  /** Hosts in the order they first reported. */
  hostNames(): string[] {
    return [...this.hosts.keys()];
  }

  /** The process behind a pid of this run's ingest (its rank figures, its events). */
  rankOf(gpid: number): RemoteRank | undefined {
    return this.byGlobalPid.get(gpid);
  }

  /** True when a connected process already holds `rank` (another job's rank, not this one's). */
  holdsLiveRank(rank: number | undefined): boolean {
    if (rank === undefined) return false;
    for (const c of this.connections) if (this.byConnection.get(c.id)?.rank === rank) return true;
    return false;
  }

  /** Takes in a connection whose hello says it runs on another machine. */
  join(c: ProtocolConnection): RemoteRank {
    const h = c.hello as HelloRecord;
    // Untrusted text from the program: kept to a host name's length (views defuse it, plainLabel).
    const host = (h.host ?? '?').slice(0, 255);
    let index = this.hosts.get(host);
    if (index === undefined) this.hosts.set(host, (index = this.hosts.size));
    const r: RemoteRank = { host, pid: h.pid, globalPid: globalPid(index, h.pid), rank: h.rank, localRank: h.local_rank };
    this.byConnection.set(c.id, r);
    this.byGlobalPid.set(r.globalPid, r);
    this.connections.add(c);
    // The name says how many hosts reported so far; views read it at every refresh.
    (this as { name: string }).name = this.describe();
    return r;
  }

  /** `train.py (2 ranks, 2 hosts)`, or `train.py on node-3` for a process that is not a rank. */
  describe(): string {
    const hosts = this.hosts.size;
    if (this.worldSize <= 1) return `${this.program} on ${this.hostNames()[0] ?? '?'}`;
    return `${this.program} (${this.worldSize} ranks, ${hosts} host${hosts === 1 ? '' : 's'})`;
  }

  /** A batch from one of this run's connections: its pids moved to its host's range, then ingested and drawn. */
  override addBatch(conn: ProtocolConnection | undefined, b: RecordBatch): void {
    const r = conn ? this.byConnection.get(conn.id) : undefined;
    if (!r) return; // not a connection that joined: nothing to place it by
    const index = this.hosts.get(r.host) ?? 0;
    const moved = relocateBatch(b, index);
    super.addBatch(conn, moved);
    this.draw(moved);
    for (const l of this.reportListeners) l();
  }

  /** Records were ingested (once per batch): what a sampler's tick is to a local run. */
  onDidReport(listener: () => void): { dispose(): void } {
    this.reportListeners.add(listener);
    return { dispose: () => this.reportListeners.delete(listener) };
  }

  /** Each process's reported RSS as its line, and the sum of every process's newest as the run's. */
  private draw(b: RecordBatch): void {
    let newest = -Infinity;
    const put = (pid: number, tSec: number, rss: number) => {
      const r = this.byGlobalPid.get(pid);
      const t = tSec * 1000;
      if (!r || !Number.isFinite(t) || !Number.isFinite(rss)) return;
      this.store.append(SeriesName.procRss(pid), t, rss);
      r.lastRss = rss;
      r.lastT = t;
      if (t > newest) newest = t;
    };
    const c = b.checkpoints;
    for (let at = 0; at < c.length; at += Cp.STRIDE) put(c[at + Cp.Pid], c[at + Cp.T], c[at + Cp.Rss]);
    for (const o of b.objects) {
      const rss = (o as { mem?: { rss?: unknown } }).mem?.rss;
      if (typeof rss === 'number') put(o.pid, o.t, rss);
    }
    if (newest === -Infinity) return;
    let sum = 0;
    for (const r of this.byGlobalPid.values()) sum += r.lastRss ?? 0;
    // Hosts' clocks differ a little: the sum's line only moves forward.
    this.lastSumT = Math.max(this.lastSumT, newest);
    this.store.append(SeriesName.treeRss, this.lastSumT, sum);
  }
}

/** `b` with every pid moved to part `index`'s range (`globalPid`); `b` itself for index 0. */
export function relocateBatch(b: RecordBatch, index: number): RecordBatch {
  if (index === 0) return b;
  const checkpoints = b.checkpoints.slice();
  for (let at = Cp.Pid; at < checkpoints.length; at += Cp.STRIDE) checkpoints[at] = globalPid(index, checkpoints[at]);
  return { ...b, checkpoints, objects: b.objects.map((r) => relocate(r, index)) };
}
