import * as vscode from 'vscode';
import { formatBytes, formatPercent } from '../../shared/format';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';
import { pressureOf } from './pressure';

/** Re-armed once usage falls this many points below the threshold: one alert, not a storm. */
const HYSTERESIS = 5;

/** Raises one notification when the focused session crosses the warning threshold. */
export class PressureAlerts extends Disposable {
  private armed = true;
  private sub: { dispose(): void } | undefined;
  /** Alerts shown (for tests and the log). */
  shown = 0;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register({ dispose: () => this.sub?.dispose() });
    this.follow();
  }

  private follow(): void {
    this.sub?.dispose();
    const s = this.sessions.focused;
    this.armed = true;
    this.sub = s?.monitor?.onTick((t) => {
      const p = pressureOf(t);
      if (!p) return;
      const threshold = this.config.current.warningPercent;
      if (p.percent < threshold - HYSTERESIS) this.armed = true;
      if (!this.armed || p.percent < threshold) return;
      this.armed = false;
      this.shown++;
      const where = p.source === 'cgroup' ? 'of its cgroup limit' : 'of system memory';
      const msg = `Headroom: memory at ${formatPercent(p.percent)} ${where} (${formatBytes(p.used, this.config.current.units)} of ${formatBytes(p.limit, this.config.current.units)}) while monitoring ${s.name}.`;
      this.log.warn(msg);
      void vscode.window.showWarningMessage(msg, 'Open Timeline', 'Force Cleanup').then((a) => {
        if (a === 'Open Timeline') void vscode.commands.executeCommand(CommandId.ShowTimeline);
        else if (a === 'Force Cleanup') void vscode.commands.executeCommand(CommandId.ForceCleanup);
      });
    });
  }
}
