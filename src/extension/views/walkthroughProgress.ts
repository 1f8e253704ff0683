import * as vscode from 'vscode';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';

/** The context key the walkthrough's "See memory at your checkpoints" step completes on. */
export const HAS_CHECKPOINTS_KEY = 'headroom.hasCheckpoints';

/**
 * Sets `headroom.hasCheckpoints` once a session of this window has reported a checkpoint
 * with a source line: the moment CodeLens can show, which the walkthrough marks done.
 */
export class WalkthroughProgress extends Disposable {
  private done = false;

  constructor(sessions: SessionManager) {
    super();
    const sub = this._register(
      sessions.onDidReceiveRecords(({ session }) => {
        if (this.done || session.ingest.all().length === 0) return;
        this.done = true;
        void vscode.commands.executeCommand('setContext', HAS_CHECKPOINTS_KEY, true);
        sub.dispose();
      }),
    );
  }
}
