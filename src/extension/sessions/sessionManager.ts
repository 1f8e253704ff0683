import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { plainLabel } from '../../shared/format';
import type { ConfigService } from '../config';
import { openRun } from '../../engine/recording/openRun';
import { loadMultiRunAsync } from '../../engine/recording/multiRun';
import { drawPartsIntoStore } from '../../engine/recording/multiRunStore';
import { ProtocolListener, type ProtocolConnection } from '../../engine/protocol/listener';
import { GpuFeed } from '../../engine/gpu/gpuFeed';
import { adoptionOf } from '../../engine/session/adoption';
import { canonicalPath, MonitoringSession, type SessionSource } from '../../engine/session/monitoringSession';
import { prependPythonPath } from '../../engine/session/pythonPath';
import { RemoteRuns } from '../../engine/session/remoteRanks';
import { findRemoteResumables, resumes, type RemoteResumable } from '../../engine/session/remoteResume';
import type { RemoteRunSession } from '../../engine/session/remoteRunSession';
import { SessionRouter } from '../../engine/session/sessionRouter';
import { Disposable } from '../util/dispose';

/** The listener key of the window token: connections with it are adopted by pid. */
export const WINDOW_KEY = 'window';
/** The remote ranks' token's key: admitted on the remote port only, and adopted like the window's. */
export const REMOTE_KEY = 'remote';
/** A remote run detached longer ago than this is not resumed: its ranks start a new one. */
const REMOTE_RESUME_MAX_AGE_MS = 24 * 3600 * 1000;

export interface StartOptions {
  readonly name: string;
  readonly source: SessionSource;
  readonly pid: number;
  /** A token already issued (the program was started with it). */
  readonly token?: string;
  readonly command?: readonly string[];
  /** The script the program runs, when known. */
  readonly programFile?: string;
  /** Continue this recording (a run resumed after a window reload) instead of starting one. */
  readonly recordingPath?: string;
  /** Made but not started, its batches held: the resumer loads the earlier recording first (resumeSessions.ts). */
  readonly held?: boolean;
}

/**
 * Every monitoring session of this window, the one in focus, and the protocol listener
 * (started just after activation by WindowReach, which gives its address to terminals and the
 * connection file; with both settings off, on first need).
 */
export class SessionManager extends Disposable {
  private listener: ProtocolListener | undefined;
  private listenerStarting: Promise<ProtocolListener> | undefined;
  private focusedId: string | undefined;
  private counter = 0;
  private readonly _onDidChangeSessions = this._register(new vscode.EventEmitter<void>());
  /** Sessions started, ended, or focus moved. */
  readonly onDidChangeSessions = this._onDidChangeSessions.event;
  private readonly _onDidReceiveRecords = this._register(new vscode.EventEmitter<{ session: MonitoringSession }>());
  /** Records arrived for a session: once per batch, not per record. */
  readonly onDidReceiveRecords = this._onDidReceiveRecords.event;

  private readonly router = new SessionRouter({
    onRecords: (session) => this._onDidReceiveRecords.fire({ session }),
    onProblem: (m) => this.log.warn(m),
    adopt: (c) => (this.closing || (c.sessionKey !== WINDOW_KEY && c.sessionKey !== REMOTE_KEY) ? undefined : this.remoteRuns.isRemote(c) ? this.remoteRuns.place(c) : this.adopt(c)),
  });
  /** Processes of other machines (their pids are another kernel's): one run per job, from what they report. */
  private readonly remoteRuns = new RemoteRuns({
    newId: () => `s${++this.counter}-${Date.now().toString(36)}`,
    onStart: (s) => this.addRemote(s),
    recording: (id, first) => {
      mkdirSync(this.storageDir, { recursive: true });
      const options = { maxBytes: this.config.current.recordingMaxMB * 1024 * 1024, onError: (e: Error) => this.log.warn(`${id}: recording stopped: ${e.message}`) };
      // A process of a run the last window detached: go on with that run (remoteResume.ts).
      this.remoteResumables ??= findRemoteResumables(this.storageDir, Date.now(), REMOTE_RESUME_MAX_AGE_MS);
      const i = this.remoteResumables.findIndex((r) => resumes(r, first.program, first.worldSize, first.host, first.pid));
      if (i >= 0) {
        const [resume] = this.remoteResumables.splice(i, 1);
        this.log.info(`resuming the remote run in ${resume.path}: ${first.program} on ${first.host} reconnected after the window reloaded`);
        return { path: resume.path, options, resume };
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return { path: join(this.storageDir, `${stamp}-remote-${id}.ndjson`), options };
    },
  });
  private window: { token: string; env: Record<string, string> } | undefined;
  /** Set once the window is going: nothing reported from then on starts a session (and a recording). */
  private closing = false;
  /** Remote runs the last window detached, looked for at the first remote process's hello. */
  private remoteResumables: RemoteResumable[] | undefined;
  /** One nvidia-smi loop for all of this window's sessions, kept a while after the last ends. */
  private readonly gpu = new GpuFeed({ intervalMs: () => Math.max(100, this.config.current.samplingIntervalMs), lingerMs: 30_000 });
  /** The session the user picked (Switch Session); new sessions take focus only while it is not live. */
  private pickedId: string | undefined;

  constructor(
    private readonly storageDir: string,
    private readonly config: ConfigService,
    private readonly pythonPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      config.onDidChange(({ previous, current }) => {
        if (previous.samplingIntervalMs !== current.samplingIntervalMs) for (const s of this.router.all()) s.monitor?.setInterval(current.samplingIntervalMs);
      }),
    );
  }

  get focused(): MonitoringSession | undefined {
    return this.focusedId ? this.router.get(this.focusedId) : undefined;
  }

  all(): MonitoringSession[] {
    return this.router.all();
  }

  get(id: string): MonitoringSession | undefined {
    return this.router.get(id);
  }

  /** Moves the status bar and views to a session; `byUser` keeps it there when newer sessions start. */
  focus(id: string, byUser = false): void {
    if (!this.router.get(id)) return;
    if (byUser) this.pickedId = id;
    if (this.focusedId === id) return;
    this.focusedId = id;
    this._onDidChangeSessions.fire();
  }

  /**
   * The window token and its environment (listener address, token, the client on PYTHONPATH):
   * a program that connects with it starts or joins a session by itself. Issued once.
   */
  async windowEnvironment(): Promise<{ token: string; env: Record<string, string> }> {
    if (this.window) return this.window;
    const l = await this.ensureListener();
    if (this.window) return this.window;
    const token = l.issueToken(WINDOW_KEY);
    this.window = { token, env: { ...l.env(token), PYTHONPATH: prependPythonPath(this.pythonPath, process.env.PYTHONPATH) } };
    return this.window;
  }

  /** The listener, started if needed. */
  async ensureListener(): Promise<ProtocolListener> {
    if (this.listener) return this.listener;
    this.listenerStarting ??= (async () => {
      const l = new ProtocolListener({
        tcp: this.config.current.tcpListener,
        ...this.router.handlers,
        onDisconnect: (c) => {
          this.router.handlers.onDisconnect(c);
          this.remoteRuns.disconnected(c);
        },
        onProblem: (m) => this.log.warn(`protocol: ${m}`),
      });
      await l.start();
      this.log.info(`protocol listener on ${l.address}${l.tcpAddress ? ` and ${l.tcpAddress}` : ''}, decoding ${l.decodeMode === 'worker' ? 'in a worker thread' : 'on the extension host thread'}`);
      this.listener = l;
      return l;
    })();
    return this.listenerStarting;
  }

  /**
   * Issues a token and the environment a program needs to report to a session that will
   * be started for it (call `start` with the token once its PID is known).
   */
  async prepareEnvironment(): Promise<{ token: string; sessionId: string; env: Record<string, string> }> {
    const l = await this.ensureListener();
    const sessionId = `s${++this.counter}-${Date.now().toString(36)}`;
    const token = l.issueToken(sessionId);
    return { token, sessionId, env: { ...l.env(token), PYTHONPATH: prependPythonPath(this.pythonPath, process.env.PYTHONPATH) } };
  }

  /** Starts monitoring a process tree. */
  start(opts: StartOptions & { sessionId?: string }): MonitoringSession {
    const existing = this.all().find((s) => s.live && s.rootPid === opts.pid);
    if (existing) {
      this.focus(existing.id);
      return existing;
    }
    const id = opts.sessionId ?? `s${++this.counter}-${Date.now().toString(36)}`;
    const cfg = this.config.current;
    mkdirSync(this.storageDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const session = new MonitoringSession(id, opts.name, opts.source, opts.pid, opts.token, {
      intervalMs: cfg.samplingIntervalMs,
      pss: cfg.pss,
      gpu: cfg.gpuEnabled,
      gpuSource: this.gpu,
      name: opts.name,
      command: opts.command,
      tool: 'headroom-vscode',
      recordingPath: opts.recordingPath ?? join(this.storageDir, `${stamp}-${opts.pid}.ndjson`),
      recording: { maxBytes: cfg.recordingMaxMB * 1024 * 1024 },
      onProblem: (m) => this.log.warn(`${opts.name}: ${m}`),
    });
    session.programFile = opts.programFile;
    this.router.add(session);
    session.onDidEnd(() => {
      this.log.info(`session ended: ${opts.name} (pid ${opts.pid})`);
      if (session.token) this.listener?.revokeToken(session.token);
      this._onDidChangeSessions.fire();
    });
    if (opts.held) session.holdBatches();
    else session.start();
    const picked = this.pickedId ? this.router.get(this.pickedId) : undefined;
    if (!picked?.live) this.focusedId = id;
    this.log.info(`monitoring ${opts.name} (pid ${opts.pid}, ${opts.source})`);
    this._onDidChangeSessions.fire();
    return session;
  }

  /**
   * Opens a recording as a read-only session: every part of its run, through their indexes
   * (a day-long run in a fixed time), folded without blocking the extension host.
   */
  async openRecording(path: string): Promise<MonitoringSession> {
    const run = await openRun(path, { canonicalPath });
    const id = `r${++this.counter}`;
    const session = new MonitoringSession(id, path, 'recording', run.header?.rootPid ?? 0, undefined, undefined, { store: run.store, ingest: run.ingest });
    // The extension's own recordings are named by time; the name the run had reads better.
    session.recordedName = plainLabel(run.header?.name, 80).replace(/[\\/]/g, '_') || undefined;
    session.end('recording');
    if (run.errorCount) this.log.warn(`${path}: ${run.errorCount} unreadable line(s) skipped`);
    for (const n of run.notes) this.log.warn(`${path}: ${n}`);
    if (run.notes.length) void vscode.window.showWarningMessage(`Headroom: ${basename(path)}: ${run.notes.join('; ')}.`);
    this.router.add(session);
    // A recording has a panel of its own: it takes the status bar (and so the lenses) only
    // when no run is live, never silently from a live one.
    if (!this.focused?.live) this.focusedId = id;
    this._onDidChangeSessions.fire();
    return session;
  }

  /**
   * Opens several recordings (one per node of a multi-node job) as one read-only run on the wall
   * clock: a line per rank, checkpoints aggregated across ranks as for a single-node launch.
   */
  async openMultiNodeRun(paths: readonly string[]): Promise<MonitoringSession> {
    const run = await loadMultiRunAsync(paths);
    drawPartsIntoStore(run);
    const hosts = [...new Set(run.parts.map((p) => p.host))];
    const name = `${run.parts.length} recordings: ${run.parts.map((p) => p.label).join(', ')}`.slice(0, 120);
    const session = new MonitoringSession(`r${++this.counter}`, name, 'recording', 0, undefined, undefined, { store: run.store, ingest: run.ingest });
    session.end('recording');
    for (const p of run.parts) if (p.errorCount) this.log.warn(`${p.path}: ${p.errorCount} unreadable line(s) skipped`);
    this.log.info(`opened a run of ${run.parts.length} recordings from ${hosts.length} host(s)`);
    this.router.add(session);
    if (!this.focused?.live) this.focusedId = session.id;
    this._onDidChangeSessions.fire();
    return session;
  }

  stop(id: string): void {
    this.router.get(id)?.end('stopped');
  }

  /** A program that connected with the window token: joins the session that holds it, or starts one. */
  private adopt(c: ProtocolConnection): MonitoringSession {
    const a = adoptionOf(c.hello, this.all());
    if ('join' in a) return a.join;
    this.log.info(`pid ${c.hello.pid} reported by itself: monitoring ${a.start.name} (root pid ${a.start.rootPid})`);
    return this.start({ name: a.start.name, source: 'connected', pid: a.start.rootPid, command: a.start.command, programFile: a.start.programFile });
  }

  /** A run of another machine's processes, started by its first rank to report. */
  private addRemote(s: RemoteRunSession): void {
    this.router.add(s);
    s.onDidEnd(() => this._onDidChangeSessions.fire());
    if (!(this.pickedId ? this.router.get(this.pickedId) : undefined)?.live) this.focusedId = s.id;
    this.log.info(`a process of ${s.hostNames().join(', ')} reported over TCP: ${s.name}`);
    this._onDidChangeSessions.fire();
  }

  override dispose(): void {
    // The window is going (a reload): runs still going are detached, not ended, so the next
    // window resumes them (resumeSessions.ts). A killed host writes nothing, which reads the same.
    this.closing = true;
    for (const s of this.router.all()) {
      try {
        s.detach('window closed');
      } catch (e) {
        // One session's view failing on the way out must not keep the others from letting go.
        try {
          this.log.warn(`${s.name}: while letting go of it: ${(e as Error)?.stack ?? e}`);
        } catch {
          // the log is closed already: nothing to tell
        }
      }
    }
    // The listener first: records it had read but not delivered must not reach a router whose
    // sessions are gone (it would ask for new ones).
    this.listener?.dispose();
    this.remoteRuns.dispose();
    this.router.dispose();
    this.gpu.dispose();
    super.dispose();
  }
}
