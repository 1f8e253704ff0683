import * as vscode from 'vscode';
import { endText } from '../../engine/oom/endExplanation';
import { gaugeText, type GuardAction } from '../../engine/session/guard';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { SessionGuard } from '../../engine/session/sessionGuard';
import { plainLabel } from '../../shared/format';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import type { DebugTracking } from '../debug/debugTracking';
import { Disposable } from '../util/dispose';
import { shortName } from './sessionLabel';
import type { SessionManager } from './sessionManager';

/**
 * The out-of-memory side of every session: the guard (`headroom.guard`: pause a debugged
 * program through its debug adapter, or interrupt one with a client, once per crossing) and,
 * when a run ends because memory ran out, one notification that says how, with the way to the
 * timeline and the last checkpoint's line.
 */
export class MemoryGuard extends Disposable {
  private readonly guards = new Map<MonitoringSession, SessionGuard>();
  private readonly told = new Set<MonitoringSession>();
  /** What the user was told, newest last (editor tests read it). */
  readonly messages: string[] = [];

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly debug: DebugTracking,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register(
      config.onDidChange(({ previous, current }) => {
        if (previous.guard !== current.guard || previous.guardPercent !== current.guardPercent) this.rearm();
      }),
    );
    this._register({ dispose: () => this.rearm(false) });
  }

  private follow(): void {
    for (const s of this.sessions.all()) {
      if (s.live && !this.guards.has(s)) this.arm(s);
      if (!s.live) {
        this.guards.get(s)?.dispose();
        this.guards.delete(s);
        if (!this.told.has(s)) this.explainEnd(s);
      }
    }
  }

  private rearm(again = true): void {
    for (const g of this.guards.values()) g.dispose();
    this.guards.clear();
    if (again) this.follow();
  }

  private arm(s: MonitoringSession): void {
    const { guard, guardPercent, units } = this.config.current;
    if (guard === 'off' || !s.monitor) return;
    const g = new SessionGuard(s, {
      mode: guard,
      fraction: guardPercent / 100,
      units,
      // `pause` is the debugger's: a run that is not debugged is told about, not stopped.
      act: guard === 'pause' ? (_d, tree) => (this.debug.isDebugged(s) ? (void this.debug.pause(s), { how: 'pause', pids: [tree.rootPid] }) : { how: 'none', pids: [] }) : undefined,
      onAction: (a) => this.tellAction(s, a),
    });
    this.guards.set(s, g);
  }

  private tellAction(s: MonitoringSession, a: GuardAction): void {
    const units = this.config.current.units;
    const where = gaugeText(a.gauge, units);
    const who = plainLabel(shortName(s), 60);
    const text =
      a.how === 'pause'
        ? `Paused by Headroom: ${where}. Look at what holds the memory, then continue or stop.`
        : a.how === 'client' || a.how === 'signal'
          ? `Headroom interrupted ${who} at ${where}: its KeyboardInterrupt handler can save and exit.`
          : `Headroom: ${who} reached ${where}${a.mode === 'pause' ? ' (the guard pauses debugged programs only; this one is not debugged)' : ''}.`;
    this.log.warn(`guard: ${a.text}`);
    this.messages.push(text);
    void vscode.window.showWarningMessage(text, 'Open Timeline').then((pick) => pick && vscode.commands.executeCommand(CommandId.ShowTimeline, { sessionId: s.id, t: a.t }));
  }

  /** A run that ran out of memory says so once, with where it was. */
  private explainEnd(s: MonitoringSession): void {
    this.told.add(s);
    const e = s.endExplanation;
    if (!e || e.kind === 'none') return;
    const text = `${plainLabel(shortName(s), 60)}: ${endText(e, this.config.current.units)}`;
    this.messages.push(text);
    const cp = e.lastCheckpoint?.file && e.lastCheckpoint.line ? e.lastCheckpoint : undefined;
    const actions = cp ? ['Open Timeline', 'Go to Last Checkpoint'] : ['Open Timeline'];
    void vscode.window.showErrorMessage(text, ...actions).then((pick) => {
      if (pick === 'Open Timeline') void vscode.commands.executeCommand(CommandId.ShowTimeline, { sessionId: s.id, t: e.t });
      else if (pick && cp?.file) void vscode.window.showTextDocument(vscode.Uri.file(cp.file), { selection: new vscode.Range((cp.line ?? 1) - 1, 0, (cp.line ?? 1) - 1, 0) });
    });
  }
}
