import { realpathSync } from 'node:fs';
import type { ProtocolRecord } from '../../shared/protocol';
import { Monitor, type MonitorOptions, type MonitorTick } from '../monitor';
import type { EndExplanation } from '../oom/endExplanation';
import { recordSessionEnd, type RunExit } from '../oom/sessionEnd';
import type { ProtocolConnection } from '../protocol/listener';
import { batchSize, type RecordBatch } from '../protocol/recordBatch';
import { RecordIngest } from './recordIngest';
import { MemoryStore } from '../store/memoryStore';

/** How a session began; `connected`: a program that reported by itself (a terminal, a connection file). */
export type SessionSource = 'run' | 'debug' | 'attach' | 'command' | 'recording' | 'connected';

/** Records a resumed session holds at most while its earlier recording loads. */
const HELD_RECORDS = 100_000;

/** Resolves symlinks once per path, so checkpoints match open editors across links. */
const realCache = new Map<string, string>();
export function canonicalPath(p: string): string {
  let r = realCache.get(p);
  if (r === undefined) {
    try {
      r = realpathSync.native(p);
    } catch {
      r = p;
    }
    if (realCache.size > 10_000) realCache.clear();
    realCache.set(p, r);
  }
  return r;
}

/**
 * One monitored root process and its tree, plus the protocol connections that belong to it.
 * A session opened from a recording has no monitor: only its store and statistics.
 */
export class MonitoringSession {
  readonly store: MemoryStore;
  readonly ingest: RecordIngest;
  readonly monitor: Monitor | undefined;
  readonly connections = new Set<ProtocolConnection>();
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  exitDescription: string | undefined;
  /** How a live run ended, explained (the OOM killer, a framework's out-of-memory error): set by `end`. */
  endExplanation: EndExplanation | undefined;
  /**
   * True when whoever started the root will report its exit (`end(description, exit)`): the
   * session then does not end by itself when the sampler finds the root gone, so the exit
   * code and signal reach the explanation.
   */
  awaitExit = false;
  /** The script the program runs, when known: what "Open File" opens. */
  programFile: string | undefined;
  /** An opened recording's session name when it was recorded (its header's `name`, program text): shown instead of the file's name. */
  recordedName: string | undefined;
  /** True once monitoring stopped while the program ran on (the window closed): a later window may resume it. */
  detached = false;
  /** Batches that arrived while an earlier recording of this run was being loaded (a resumed session). */
  private held: { conn: ProtocolConnection | undefined; b: RecordBatch }[] | undefined;
  private heldRecords = 0;
  private readonly waiters = new Map<string, (r: Extract<ProtocolRecord, { type: 'cleanup_result' }>) => void>();
  private readonly endListeners = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly source: SessionSource,
    readonly rootPid: number,
    readonly token: string | undefined,
    monitorOptions: MonitorOptions | undefined,
    /** Data already loaded (several recordings opened as one run); a fresh store otherwise. */
    loaded?: { readonly store: MemoryStore; readonly ingest: RecordIngest },
  ) {
    this.store = loaded?.store ?? new MemoryStore();
    this.ingest = loaded?.ingest ?? new RecordIngest(this.store);
    if (monitorOptions) {
      this.monitor = new Monitor(rootPid, { ...monitorOptions, store: this.store, clientCuda: () => this.ingest.clientCuda() });
      this.monitor.onTick((t) => this.onTick(t));
    }
  }

  /** Where this run is being recorded, if it is. */
  get recordingPath(): string | undefined {
    return this.monitor?.recordingPath;
  }

  get live(): boolean {
    return this.endedAt === undefined && this.monitor !== undefined;
  }

  start(): void {
    this.monitor?.start();
  }

  /** Records from one of this session's connections (already authenticated), or from a recording. */
  addBatch(conn: ProtocolConnection | undefined, b: RecordBatch): void {
    if (this.held) {
      // Bounded like the router's early backlog: a program that floods while a long recording loads loses its oldest.
      if (this.heldRecords < HELD_RECORDS) this.held.push({ conn, b });
      this.heldRecords += batchSize(b);
      return;
    }
    this.ingest.addBatch(b, canonicalPath);
    this.monitor?.recordRaw(b.raw);
    for (const r of b.objects) {
      if (r.type !== 'cleanup_result' || !r.id) continue;
      this.waiters.get(`${conn?.id}:${r.id}`)?.(r);
    }
  }

  /** Asks every connected process to clean up; resolves with their results (or what arrived in time). */
  requestCleanup(id: string, timeoutMs = 15_000): Promise<Extract<ProtocolRecord, { type: 'cleanup_result' }>[]> {
    const conns = [...this.connections];
    const results: Extract<ProtocolRecord, { type: 'cleanup_result' }>[] = [];
    return new Promise((resolve) => {
      let pending = 0;
      const finish = () => {
        clearTimeout(timer);
        for (const c of conns) this.waiters.delete(`${c.id}:${id}`);
        resolve(results);
      };
      const timer = setTimeout(finish, timeoutMs);
      for (const c of conns) {
        if (!c.send({ v: 1, type: 'cleanup', id, reason: 'Force Cleanup from the editor' })) continue;
        pending++;
        this.waiters.set(`${c.id}:${id}`, (r) => {
          results.push(r);
          if (--pending === 0) finish();
        });
      }
      if (pending === 0) finish();
    });
  }

  /** Keeps batches aside until `releaseBatches`: the run's earlier records are still being loaded, and go first. */
  holdBatches(): void {
    this.held ??= [];
  }

  /** Ingests the batches held meanwhile, in their order, and stops holding. */
  releaseBatches(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.heldRecords = 0;
    for (const { conn, b } of held) this.addBatch(conn, b);
  }

  /**
   * Stops monitoring without ending the run: the window is closing while the program runs on.
   * The recording gets a `detach` record, not an `end`, so a later window can resume it.
   */
  detach(reason: string): void {
    if (!this.live) return;
    this.detached = true;
    this.endedAt = Date.now();
    this.exitDescription = reason;
    this.monitor?.record({ type: 'detach', t: this.endedAt, reason });
    this.monitor?.stop();
    this.notifyEnded();
  }

  /**
   * Tells every end listener, each in turn even when one throws (a view torn down with the
   * window): one that throws must not keep the others, or the rest of a closing window's
   * sessions, from hearing of it. The first error is thrown after all were told.
   */
  private notifyEnded(): void {
    let first: unknown;
    for (const l of [...this.endListeners]) {
      try {
        l();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }

  onDidEnd(listener: () => void): { dispose(): void } {
    this.endListeners.add(listener);
    return { dispose: () => this.endListeners.delete(listener) };
  }

  /** Ends monitoring, explaining how the run ended (with `exit` when known); the data stays for views and reopening. */
  end(description?: string, exit?: RunExit): void {
    if (this.endedAt !== undefined) return;
    this.endedAt = Date.now();
    this.exitDescription = description;
    try {
      if (this.monitor) this.endExplanation = recordSessionEnd(this, exit, this.endedAt);
    } catch {
      this.endExplanation = undefined; // an explanation that cannot be made must not keep the session from ending
    }
    this.monitor?.stop();
    this.notifyEnded();
  }

  dispose(): void {
    this.end();
    for (const c of this.connections) c.close();
    this.connections.clear();
  }

  private onTick(t: MonitorTick): void {
    if (!t.tree.rootAlive && !this.awaitExit) this.end('process exited');
  }
}
