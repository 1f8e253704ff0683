import { plainLabel } from '../../shared/format';
import type { ProtocolConnection } from '../protocol/listener';
import { batchSize, type RecordBatch } from '../protocol/recordBatch';
import type { MonitoringSession } from './monitoringSession';

/** Records a program may send before its session exists (its PID is not known yet). */
const EARLY_BACKLOG_RECORDS = 10_000;

export interface SessionRouterEvents {
  /** Records were ingested into `session` (once per batch). */
  readonly onRecords?: (session: MonitoringSession) => void;
  /** Something to tell the user once (a session's first ingest failure, an unknown connection). */
  readonly onProblem?: (message: string) => void;
  /**
   * A connection whose token names no session (the window token): the session it belongs to,
   * started or joined for it; undefined leaves it waiting for a session under its key.
   */
  readonly adopt?: (c: ProtocolConnection) => MonitoringSession | undefined;
}

/**
 * Routes the listener's connections and record batches to the sessions their tokens were
 * issued for. A program that reports before its session is added (the launcher learns the
 * PID after the spawn) keeps a bounded backlog, ingested when the session arrives. Shared by
 * the extension's session manager and the CLI.
 */
export class SessionRouter {
  private readonly sessions = new Map<string, MonitoringSession>();
  /** Connections adopted by a session other than the one their key names. */
  private readonly adopted = new Map<number, MonitoringSession>();
  private readonly early = new Map<string, { batches: { c: ProtocolConnection; b: RecordBatch }[]; records: number }>();
  private readonly failureReported = new WeakSet<MonitoringSession>();

  constructor(private readonly events: SessionRouterEvents = {}) {}

  /** The listener's handlers: pass them to `ProtocolListener`. */
  readonly handlers = {
    onConnect: (c: ProtocolConnection): void => {
      this.sessionOf(c)?.connections.add(c);
    },
    onRecords: (c: ProtocolConnection, b: RecordBatch): void => this.route(c, b),
    onDisconnect: (c: ProtocolConnection): void => {
      this.sessionOf(c)?.connections.delete(c);
      this.adopted.delete(c.id);
    },
  };

  /** Adds a session under its id (the key its token was issued with) and ingests its backlog. */
  add(session: MonitoringSession): void {
    this.sessions.set(session.id, session);
    const backlog = this.early.get(session.id);
    if (!backlog) return;
    this.early.delete(session.id);
    for (const e of backlog.batches) this.deliver(session, e.c, e.b);
    this.events.onRecords?.(session);
  }

  get(id: string): MonitoringSession | undefined {
    return this.sessions.get(id);
  }

  all(): MonitoringSession[] {
    return [...this.sessions.values()];
  }

  /** Every session, ended, connections closed. */
  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.adopted.clear();
    this.early.clear();
  }

  /** The session a connection reports to: its key's, else the one that adopted it (asked once). */
  private sessionOf(c: ProtocolConnection): MonitoringSession | undefined {
    const own = this.sessions.get(c.sessionKey);
    if (own) return own;
    let s = this.adopted.get(c.id);
    if (!s && this.events.adopt) {
      s = this.events.adopt(c);
      if (s) this.adopted.set(c.id, s);
    }
    return s;
  }

  private route(c: ProtocolConnection, b: RecordBatch): void {
    const s = this.sessionOf(c);
    if (!s) {
      const backlog = this.early.get(c.sessionKey) ?? { batches: [], records: 0 };
      if (backlog.records < EARLY_BACKLOG_RECORDS) {
        backlog.batches.push({ c, b });
        backlog.records += batchSize(b);
      }
      this.early.set(c.sessionKey, backlog);
      return;
    }
    this.deliver(s, c, b);
    this.events.onRecords?.(s);
  }

  private deliver(s: MonitoringSession, c: ProtocolConnection, b: RecordBatch): void {
    s.connections.add(c);
    s.addBatch(c, b);
    for (const r of b.objects) {
      // The client counts its own problems (never raised into the program) and says so when it exits; pass that on once.
      if (r.type === 'bye' && r.errors && Object.keys(r.errors).length) {
        const list = Object.entries(r.errors).map(([code, n]) => `${plainLabel(code, 40)} ×${n}`).join(', ');
        this.events.onProblem?.(`${s.name}: the Headroom client in pid ${r.pid} counted problems it kept out of the program (${list}); its reports may be incomplete. headroom.diagnostics() in the program says more.`);
      }
    }
    if (s.ingest.failed !== 0 && !this.failureReported.has(s)) {
      this.failureReported.add(s);
      this.events.onProblem?.(`${s.name}: ${s.ingest.lastFailure} (skipped; later records are still ingested)`);
    }
  }
}
