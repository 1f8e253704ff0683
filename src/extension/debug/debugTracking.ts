import * as vscode from 'vscode';
import type { ConfigService } from '../config';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';
import { prependPythonPath } from '../../engine/session/pythonPath';

interface Tracked {
  readonly session: vscode.DebugSession;
  monitoring?: MonitoringSession;
  /** Set while the debuggee is paused: the thread that stopped. */
  stoppedThread?: number;
  /** Called at the next `stopped` event (a pause Headroom asked for waits on it). */
  onStopped?: () => void;
  token?: string;
  sessionId?: string;
}

const PYTHON_TYPES = new Set(['python', 'debugpy']);
/** How long a pause Headroom asked for may take to stop the program before its line is not shown. */
const PAUSE_WAIT_MS = 30_000;
const JS_DEBUG_TYPES = new Set(['pwa-node', 'node', 'node-terminal', 'pwa-extensionHost']);

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts monitoring every debug session's process from the debug adapter's `process`
 * event, stops with the session, and adds the Headroom environment to Python launches.
 */
export class DebugTracking extends Disposable implements vscode.DebugAdapterTrackerFactory, vscode.DebugConfigurationProvider {
  private readonly tracked = new Map<string, Tracked>();
  /** Tokens issued to Python launch configurations, by debug session name + time. */
  private readonly pendingTokens: { token: string; sessionId: string }[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(vscode.debug.registerDebugAdapterTrackerFactory('*', this));
    for (const type of PYTHON_TYPES) this._register(vscode.debug.registerDebugConfigurationProvider(type, this));
    this._register(vscode.debug.onDidTerminateDebugSession((s) => this.onTerminate(s)));
  }

  /** The debug session and paused thread for a monitoring session, if it is paused. */
  pausedFor(m: MonitoringSession): { session: vscode.DebugSession; threadId: number } | undefined {
    for (const [id, t] of this.tracked) {
      if (t.monitoring === m && t.stoppedThread !== undefined) {
        const session = vscode.debug.activeDebugSession?.id === id ? vscode.debug.activeDebugSession : undefined;
        if (session) return { session, threadId: t.stoppedThread };
      }
    }
    return undefined;
  }

  /**
   * Asks the debug adapter of `m`'s debug session to pause the program (DAP `pause`, on its
   * first thread: the main thread of a Python program), as the guard's `pause` does. False when
   * `m` is not being debugged, is already paused, or the adapter refused.
   */
  async pause(m: MonitoringSession): Promise<boolean> {
    const t = [...this.tracked.values()].find((x) => x.monitoring === m);
    if (!t || t.stoppedThread !== undefined) return false;
    try {
      const threads = ((await t.session.customRequest('threads')) as { threads?: { id: number; name?: string }[] } | undefined)?.threads ?? [];
      if (!threads.length) return false;
      // The program's main thread is where it allocates; Headroom's own client threads are not of interest.
      const threadId = (threads.find((x) => x.name === 'MainThread') ?? threads[0]).id;
      await t.session.customRequest('pause', { threadId });
      void this.revealPausedLine(t, threadId);
      return true;
    } catch (e) {
      this.log.warn(`could not pause ${t.session.name}: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Shows the line the paused program was on (the top frame with a source), as a breakpoint
   * would: a pause asked by Headroom, not by the user's click, is not brought into view by
   * the editor by itself.
   */
  private async revealPausedLine(t: Tracked, threadId: number): Promise<void> {
    // The adapter says `stopped` when the thread actually stops: on a loaded machine, seconds later.
    if (t.stoppedThread === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, PAUSE_WAIT_MS);
        function done(): void {
          clearTimeout(timer);
          t.onStopped = undefined;
          resolve();
        }
        t.onStopped = done;
      });
    }
    if (t.stoppedThread === undefined) return;
    try {
      const trace = (await t.session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 })) as { stackFrames?: { line: number; source?: { path?: string } }[] } | undefined;
      const frame = trace?.stackFrames?.find((f) => f.source?.path);
      if (!frame?.source?.path) return;
      const line = Math.max(0, frame.line - 1);
      // Through a remote (code-server, Remote-SSH) the adapter's paths arrive as URIs.
      const path = frame.source.path;
      const uri = /^[a-z][\w+.-]*:\/\//i.test(path) ? vscode.Uri.parse(path) : vscode.Uri.file(path);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: false });
    } catch (e) {
      this.log.warn(`could not show where ${t.session.name} paused: ${(e as Error).message}`);
    }
  }

  isDebugged(m: MonitoringSession): boolean {
    return [...this.tracked.values()].some((t) => t.monitoring === m);
  }

  async resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, cfg: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration> {
    if (!this.config.current.injectPython || cfg.request !== 'launch') return cfg;
    try {
      const { token, sessionId, env } = await this.sessions.prepareEnvironment();
      const merged: Record<string, string> = { ...(cfg.env ?? {}), ...env };
      if (cfg.env?.PYTHONPATH) merged.PYTHONPATH = prependPythonPath(env.PYTHONPATH, cfg.env.PYTHONPATH);
      this.pendingTokens.push({ token, sessionId });
      return { ...cfg, env: merged, __headroomToken: token };
    } catch (e) {
      this.log.warn(`could not add the Headroom environment to the debug configuration: ${(e as Error).message}`);
      return cfg;
    }
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const t: Tracked = { session };
    const tokenOf = session.configuration.__headroomToken as string | undefined;
    if (tokenOf) {
      const i = this.pendingTokens.findIndex((p) => p.token === tokenOf);
      if (i >= 0) Object.assign(t, this.pendingTokens.splice(i, 1)[0]);
    }
    this.tracked.set(session.id, t);
    // js-debug sends no DAP `process` event; it names each child session after its target,
    // `program.js [12345]`. Take that pid for its Node types, once /proc confirms it.
    const jsPid = JS_DEBUG_TYPES.has(session.type) && session.parentSession ? /\[(\d+)\]\s*$/.exec(session.name)?.[1] : undefined;
    if (jsPid && this.config.current.attachToDebugSessions && processExists(Number(jsPid))) {
      const pid = Number(jsPid);
      t.monitoring = this.sessions.start({ name: `${session.name} (debug)`, source: 'debug', pid });
    }    return {
      onDidSendMessage: (m: { type?: string; event?: string; body?: Record<string, unknown> }) => {
        if (m.type !== 'event') return;
        if (m.event === 'process') {
          const pid = Number(m.body?.systemProcessId);
          if (!Number.isInteger(pid) || pid <= 0 || !this.config.current.attachToDebugSessions) return;
          if (t.monitoring?.rootPid === pid) return;
          t.monitoring = this.sessions.start({ name: `${session.name} (debug, ${pid})`, source: 'debug', pid, token: t.token, sessionId: t.sessionId });
        } else if (m.event === 'stopped') {
          t.stoppedThread = Number(m.body?.threadId ?? 0) || undefined;
          t.onStopped?.();
          if (t.monitoring) t.monitoring.monitor?.record({ type: 'debug_pause', t: Date.now() / 1000, reason: m.body?.reason });
          if (t.monitoring) t.monitoring.store.events.add({ t: Date.now(), kind: 'debug-pause', label: `paused (${String(m.body?.reason ?? 'breakpoint')})` });
        } else if (m.event === 'continued') {
          t.stoppedThread = undefined;
        }
      },
    };
  }

  private onTerminate(s: vscode.DebugSession): void {
    const t = this.tracked.get(s.id);
    this.tracked.delete(s.id);
    t?.monitoring?.end('debug session ended');
  }
}
