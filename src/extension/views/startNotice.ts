// "Monitoring train.py — Open Timeline / Open File": said once when a run starts being
// monitored, never a storm. Runs that start together (a launcher and its workers, a script
// started twice) share one notification; after one is shown, the next waits a quiet spell.
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { shortName } from '../sessions/sessionLabel';
import { NoticeGate, noticeText, QUIET_MS, SETTLE_MS } from './startNoticeText';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';

/** Watches for sessions that start and says so, once. */
export class StartNotices extends Disposable {
  private readonly seen = new Set<string>();
  private pending: MonitoringSession[] = [];
  private readonly gate = new NoticeGate();
  private settle: NodeJS.Timeout | undefined;
  /** How many notifications were shown, and how many starts were only logged (editor tests read these). */
  readonly counts = { shown: 0, quiet: 0 };

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    // Sessions that exist before this is built (none in practice) are not news.
    for (const s of sessions.all()) this.seen.add(s.id);
    this._register(sessions.onDidChangeSessions(() => this.collect()));
    this._register({ dispose: () => clearTimeout(this.settle) });
  }

  private collect(): void {
    for (const s of this.sessions.all()) {
      if (this.seen.has(s.id)) continue;
      this.seen.add(s.id);
      // A recording the user opened is not a run starting.
      if (s.live && s.source !== 'recording') this.pending.push(s);
    }
    // The first start waits for its companions before anything is said.
    if (this.pending.length && !this.settle) {
      this.settle = setTimeout(() => {
        this.settle = undefined;
        this.tell();
      }, SETTLE_MS);
    }
  }

  private tell(): void {
    const started = this.pending.filter((s) => s.live);
    this.pending = [];
    if (!started.length || !this.config.current.notifyOnStart) return;
    const text = noticeText(started.map(shortName));
    if (!this.gate.admit(Date.now())) {
      this.counts.quiet++;
      this.log.info(`${text} (not notified: another start was told less than ${QUIET_MS / 1000} s ago)`);
      return;
    }
    this.counts.shown++;
    const one = started.length === 1 ? started[0] : undefined;
    const visible = new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.fsPath));
    const file = one?.programFile && !visible.has(one.programFile) ? one.programFile : undefined;
    const actions = file ? ['Open Timeline', 'Open File'] : ['Open Timeline'];
    void vscode.window.showInformationMessage(text, ...actions).then((pick) => {
      if (pick === 'Open Timeline') void vscode.commands.executeCommand(CommandId.ShowTimeline, one ? { sessionId: one.id } : undefined);
      else if (pick === 'Open File' && file) void vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    });
  }
}
