import type { HelloRecord, ProtocolRecord } from '../../shared/protocol';
import type { SampleRecord } from '../recording/format';
import { addGapEvent, gapRecord, WINDOW_RELOADED } from '../recording/gapRecord';
import { globalPid, relocate } from '../recording/multiRun';
import { openRun } from '../recording/openRun';
import { RecordingWriter, type RecordingWriterOptions } from '../recording/recordingWriter';
import type { ProtocolConnection } from '../protocol/listener';
import { Cp, recordsOf, type RecordBatch } from '../protocol/recordBatch';
import { SeriesName } from '../store/seriesName';
import { canonicalPath, MonitoringSession } from './monitoringSession';
import { memberKey, type RemoteDetachRecord, type RemoteResumable } from './remoteResume';

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
 *
 * Given a recording path, the run is recorded like a local one and opens like one: the ranks'
 * records with their moved pids, and each reported RSS as a `sample` of that process with the
 * run's sum at that moment, which is what a loaded recording draws the same two lines from.
 * A closing window detaches it, naming its processes; given that recording to resume (one of
 * them reconnected to the next window), it loads the run so far, then goes on in the same file
 * after a gap, with the hosts in their old order so every process keeps its pid range.
 */
export class RemoteRunSession extends MonitoringSession {
  private readonly hosts = new Map<string, number>();
  private readonly byConnection = new Map<number, RemoteRank>();
  private readonly byGlobalPid = new Map<number, RemoteRank>();
  private sum = 0;
  private readonly reportListeners = new Set<() => void>();
  private recording: RecordingWriter | undefined;
  /** Batches that arrived while a resumed run's earlier records were loading; undefined once loaded. */
  private pending: { conn: ProtocolConnection | undefined; b: RecordBatch }[] | undefined;
  /** Settles once a resumed run's earlier records are in (at once for a new run). */
  readonly ready: Promise<void>;

  constructor(
    id: string,
    /** The program's name (its script), for the session's name. */
    readonly program: string,
    /** WORLD_SIZE the ranks reported; 1 for a process that is not a rank. */
    readonly worldSize: number,
    /** Where to record the run (begun at its first process's hello); not recorded without. With `resume`, the detached run to go on with. */
    private readonly record?: { readonly path: string; readonly options?: RecordingWriterOptions; readonly resume?: RemoteResumable },
  ) {
    super(id, program, 'connected', 0, undefined, undefined);
    const resume = record?.resume;
    if (!resume) {
      this.ready = Promise.resolve();
      return;
    }
    for (const h of resume.hosts) this.hosts.set(h, this.hosts.size);
    this.pending = [];
    this.ready = this.resumeFrom(resume);
  }

  /** The run so far into the store (not into the recording: it is there), then the gap, then what arrived meanwhile. */
  private async resumeFrom(r: RemoteResumable): Promise<void> {
    try {
      await openRun(r.path, { canonicalPath, into: this });
    } catch {
      // An earlier part that cannot be read: the run goes on from here, in the same file.
    }
    const pending = this.pending ?? [];
    this.pending = undefined;
    if (this.endedAt !== undefined) return;
    this.openRecording();
    const gap = gapRecord(r.detachedAt, Date.now(), WINDOW_RELOADED);
    this.recording?.write(gap);
    addGapEvent(this.store, gap);
    for (const { conn, b } of pending) this.addBatch(conn, b);
  }

  private openRecording(): void {
    if (!this.record || this.recording || this.endedAt !== undefined) return;
    const first = this.hostNames()[0] ?? '?';
    const name = this.worldSize <= 1 ? `${this.program} on ${first}` : `${this.program} (${this.worldSize} ranks)`;
    this.recording = new RecordingWriter(this.record.path, { created: Date.now(), rootPid: 0, name, tool: 'headroom-vscode' }, this.record.options);
  }

  override get live(): boolean {
    return this.endedAt === undefined;
  }

  override get recordingPath(): string | undefined {
    return this.recording?.path;
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
    // A resumed run opens its recording once the earlier records are loaded.
    if (!this.pending) this.openRecording();
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
    if (this.pending) {
      this.pending.push({ conn, b });
      return;
    }
    const index = this.hosts.get(r.host) ?? 0;
    const moved = relocateBatch(b, index);
    super.addBatch(conn, moved);
    if (this.recording) {
      // The first host's pids are not moved: its lines go in as they came (a hello without its token).
      if (moved === b) this.recording.writeRaw(b.raw);
      else for (const rec of recordsOf(moved)) this.recording.write(withoutToken(rec));
    }
    this.draw(moved);
    for (const l of this.reportListeners) l();
  }

  /** Records were ingested (once per batch): what a sampler's tick is to a local run. */
  onDidReport(listener: () => void): { dispose(): void } {
    this.reportListeners.add(listener);
    return { dispose: () => this.reportListeners.delete(listener) };
  }

  override end(description?: string, exit?: Parameters<MonitoringSession['end']>[1]): void {
    if (this.endedAt !== undefined) return;
    try {
      super.end(description, exit);
    } finally {
      this.recording?.close();
    }
  }

  /** The window is closing while the ranks run on: a detach naming them, so the next window can go on with this run. */
  override detach(reason: string): void {
    if (!this.live) return;
    // Those of an earlier window that have not reconnected yet stay members: they may still.
    const members = new Map<string, readonly [string, number]>((this.record?.resume?.members ?? []).map((m) => [memberKey(m[0], m[1]), m]));
    for (const r of this.ranks()) members.set(memberKey(r.host, r.pid), [r.host, r.pid]);
    const d: RemoteDetachRecord = { type: 'detach', t: Date.now(), reason, program: this.program, worldSize: this.worldSize, hosts: this.hostNames(), members: [...members.values()] };
    this.recording?.write(d);
    try {
      super.detach(reason);
    } finally {
      this.recording?.close();
    }
  }

  /**
   * Each process's reported RSS as its line, and the sum of every process's newest as the
   * run's, at each report (a series keeps its times in order, so a host whose clock is behind
   * draws the sum at the newest time seen).
   */
  private draw(b: RecordBatch): void {
    const put = (pid: number, tSec: number, rss: number) => {
      const r = this.byGlobalPid.get(pid);
      const t = tSec * 1000;
      if (!r || !Number.isFinite(t) || !Number.isFinite(rss)) return;
      this.sum += rss - (r.lastRss ?? 0);
      r.lastRss = rss;
      r.lastT = t;
      this.store.append(SeriesName.procRss(pid), t, rss);
      this.store.append(SeriesName.treeRss, t, this.sum);
      if (this.recording) {
        const sample: SampleRecord = { type: 'sample', t, rss: this.sum, procs: [[pid, 0, rss, null, rankName(r)]] };
        this.recording.write(sample);
      }
    };
    const c = b.checkpoints;
    for (let at = 0; at < c.length; at += Cp.STRIDE) put(c[at + Cp.Pid], c[at + Cp.T], c[at + Cp.Rss]);
    for (const o of b.objects) {
      const rss = (o as { mem?: { rss?: unknown } }).mem?.rss;
      if (typeof rss === 'number') put(o.pid, o.t, rss);
    }
  }
}

/** `rank 3 on node-2`: the process's name in a recording (a remote pid names nothing here). */
function rankName(r: RemoteRank): string {
  return r.rank === undefined ? `pid ${r.pid} on ${r.host}` : `rank ${r.rank} on ${r.host}`;
}

function withoutToken(r: ProtocolRecord): object {
  return r.type === 'hello' ? { ...r, token: undefined } : r;
}

/** `b` with every pid moved to part `index`'s range (`globalPid`); `b` itself for index 0. */
export function relocateBatch(b: RecordBatch, index: number): RecordBatch {
  if (index === 0) return b;
  const checkpoints = b.checkpoints.slice();
  for (let at = Cp.Pid; at < checkpoints.length; at += Cp.STRIDE) checkpoints[at] = globalPid(index, checkpoints[at]);
  return { ...b, checkpoints, objects: b.objects.map((r) => relocate(r, index)) };
}
