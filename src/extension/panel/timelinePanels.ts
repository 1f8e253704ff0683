import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { Disposable } from '../util/dispose';
import { displayName } from './timelineData';
import { LAST_RECORDING_KEY, TIMELINE_VIEW_TYPE, TimelinePanel, type TimelinePanelDeps, type TimelineState } from './timelinePanel';

/** Owns the timeline panels (the live one and one per opened recording) and restores them after a window reload. */
export class TimelinePanels extends Disposable implements vscode.WebviewPanelSerializer<TimelineState> {
  private _live: TimelinePanel | undefined;
  private readonly _recordings = new Map<MonitoringSession, TimelinePanel>();

  constructor(private readonly deps: TimelinePanelDeps) {
    super();
    this._register(vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, this));
  }

  get live(): TimelinePanel | undefined {
    return this._live;
  }

  /** Every open panel. */
  all(): TimelinePanel[] {
    return [...(this._live ? [this._live] : []), ...this._recordings.values()];
  }

  /** The panel the user looks at: the active one, else the live one. */
  get active(): TimelinePanel | undefined {
    return this.all().find((p) => p.panel.active) ?? this._live;
  }

  showLive(focusT?: number): TimelinePanel {
    let live = this._live;
    if (!live || live.isDisposed) live = this.adoptLive(this.create());
    else live.reveal();
    if (focusT !== undefined) live.focusAt(focusT);
    return live;
  }

  /** A panel of its own for an opened recording (revealed if it has one already). */
  showRecording(session: MonitoringSession): TimelinePanel {
    const existing = this._recordings.get(session);
    if (existing && !existing.isDisposed) {
      existing.reveal();
      return existing;
    }
    return this.adoptRecording(session, this.create(session));
  }

  /**
   * A panel for a recording still being read: its webview boots meanwhile (it takes as long as
   * reading a day-long run), saying what it opens; `pin` it to the session once loaded.
   */
  opening(name: string): TimelinePanel {
    const p = this.create({ opening: name });
    return p;
  }

  /** The panel `opening` made, now showing `session`. */
  opened(p: TimelinePanel, session: MonitoringSession): TimelinePanel {
    p.pin(session);
    return this.adoptRecording(session, p);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TimelineState | undefined): Promise<void> {
    let pinned: MonitoringSession | undefined;
    // The webview's own state first; the host's memory of the last shown recording if that was not saved.
    const { log, memento, sessions } = this.deps;
    const path = state?.recordingPath ?? memento.get<string>(LAST_RECORDING_KEY);
    // The recording of a run this window resumed after the reload: show the run, live, not a copy of its file.
    const resumed = path ? sessions.all().find((s) => s.live && s.monitor?.recordingPath === path) : undefined;
    if (resumed) {
      log.info(`timeline restored with ${resumed.name}, resumed`);
      sessions.focus(resumed.id);
      this.adoptLive(new TimelinePanel(panel, this.deps));
      return;
    }
    if (path && existsSync(path)) {
      try {
        pinned = await sessions.openRecording(path);
      } catch (e) {
        log.warn(`could not reopen ${path}: ${(e as Error).message}`);
      }
    }
    log.info(`timeline restored${pinned ? ` with ${path}` : ' (no recording to reopen)'}`);
    const p = new TimelinePanel(panel, this.deps, pinned);
    if (pinned) this.adoptRecording(pinned, p);
    else this.adoptLive(p);
    if (state?.comparePath && existsSync(state.comparePath)) {
      await p.setCompare(state.comparePath).catch((e: Error) => log.warn(`could not reopen ${state.comparePath}: ${e.message}`));
    }
  }

  private create(pinned?: MonitoringSession | { readonly opening: string }): TimelinePanel {
    const title = !pinned ? 'Headroom Timeline' : 'opening' in pinned ? `Headroom: ${pinned.opening.slice(0, 48)}` : `Headroom: ${displayName(pinned).slice(0, 48)}`;
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true, retainContextWhenHidden: false });
    return new TimelinePanel(panel, this.deps, pinned);
  }

  /** The panel that follows the focused run, until it is closed. */
  private adoptLive(p: TimelinePanel): TimelinePanel {
    this._live = p;
    p.onDidDispose(() => {
      if (this._live === p) this._live = undefined;
    });
    return p;
  }

  private adoptRecording(session: MonitoringSession, p: TimelinePanel): TimelinePanel {
    this._recordings.set(session, p);
    p.onDidDispose(() => {
      if (this._recordings.get(session) === p) this._recordings.delete(session);
    });
    return p;
  }

  override dispose(): void {
    for (const p of this.all()) p.dispose();
    super.dispose();
  }
}
