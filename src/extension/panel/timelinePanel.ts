import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../shared/webviewMessages';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { storeToCsv } from '../../engine/recording/csv';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';
import { buildAppend, buildCompare, buildSnapshot, displayName, extentOf, seriesCounts } from './timelineData';
import { loadRun, type LoadedRun } from '../../engine/recording/loadRecording';
import { renderWebviewDocument } from './webviewHtml';

export const TIMELINE_VIEW_TYPE = 'headroom.timeline';
/** The recording of the session the timeline showed last: reopened after a window reload. */
const LAST_RECORDING_KEY = 'headroom.timeline.lastRecording';
/** Live messages: at most ten a second, whatever the sampling rate. */
const LIVE_UPDATE_MS = 100;

/** What the webview keeps across reloads (vscode.setState), read back by the serializer. */
export interface TimelineState {
  readonly recordingPath?: string;
  readonly comparePath?: string;
}

/** The file a session's data lives in: the opened recording, or the live run's own. */
const recordingPathOf = (s: MonitoringSession): string | undefined => (s.source === 'recording' ? s.name : s.monitor?.recordingPath);

const extentToWindow = (e: { start: number; end: number }) => ({ t0: e.start, t1: e.end });

/** Writes the session's raw samples as CSV to `uri`. */
export function exportCsv(s: MonitoringSession, uri: vscode.Uri): void {
  writeFileSync(uri.fsPath, storeToCsv(s.store));
}

/**
 * One timeline panel: the focused session, or one recording it is pinned to. Sends nothing
 * before the webview says `ready`, nothing after dispose. A view change sends a snapshot
 * (bounded by the plot's width); while following a live run it sends only what is new
 * (samples as typed arrays; markers and rows when they changed), at most ten times a second
 * and only while visible.
 */
export class TimelinePanel extends Disposable {
  private _ready = false;
  private readonly _pending: HostToWebview[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  private view: { t0?: number; t1?: number; width: number; follow: boolean } = { width: 1200, follow: true };
  private timer: NodeJS.Timeout | undefined;
  private session: MonitoringSession | undefined;
  /** Series counts the webview has; undefined: the next update is a snapshot. */
  private sent: Map<string, number> | undefined;
  private sentEvents = -1;
  private sentRecords = -1;
  private compare: { path: string; run: LoadedRun; alignedAt: string } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento: vscode.Memento,
    readonly pinned?: MonitoringSession,
  ) {
    super();
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webview.html = renderWebviewDocument({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'timeline.css')).toString(),
      title: 'Headroom Timeline',
    });
    this._register(webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(sessions.onDidChangeSessions(() => this.rebind()));
    this._register(
      panel.onDidChangeViewState(() => {
        this.sent = undefined; // hidden for a while: start again from a snapshot
        this.schedule();
      }),
    );
    this._register(config.onDidChange(() => this.push()));
    this._register({ dispose: () => clearInterval(this.timer) });
    this.post({ type: 'init', title: 'Headroom Timeline', live: true, units: config.current.units });
    this.rebind();
  }

  /** Post to the webview: queued until it is ready; a no-op once disposed. */
  post(message: HostToWebview): void {
    if (this.isDisposed) return;
    if (!this._ready) {
      this._pending.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  reveal(): void {
    if (!this.isDisposed) this.panel.reveal();
  }

  /** Centres the view on a moment (a CodeLens click). */
  focusAt(t: number): void {
    this.post({ type: 'focus', t });
  }

  get boundSession(): MonitoringSession | undefined {
    return this.session;
  }

  get comparedWith(): string | undefined {
    return this.compare?.path;
  }

  /** Draws another recording over this run, aligned at the start or at a checkpoint label ('' for the start). */
  setCompare(path: string, alignedAt = ''): void {
    const run = loadRun(path);
    if (run.errorCount) this.log.warn(`${path}: ${run.errorCount} unreadable line(s) skipped`);
    this.compare = { path, run, alignedAt };
    this.sendCompare();
  }

  endCompare(): void {
    this.compare = undefined;
    this.post({ type: 'compareEnd' });
  }

  /** Pinned: its recording. Otherwise the focused run; an opened recording has a panel of its own. */
  private pick(): MonitoringSession | undefined {
    if (this.pinned) return this.pinned;
    const all = this.sessions.all();
    const f = this.sessions.focused;
    if (f && f.source !== 'recording') return f;
    if (this.session && all.includes(this.session)) return this.session;
    return all.filter((s) => s.source !== 'recording').pop() ?? f;
  }

  private rebind(): void {
    const next = this.pick();
    if (next !== this.session) {
      this.session = next;
      this.view = { width: this.view.width, follow: true };
      this.panel.title = next ? `Headroom: ${displayName(next).slice(0, 48)}` : 'Headroom Timeline';
    }
    this.push();
    this.schedule();
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.session?.live && this.panel.visible) this.timer = setInterval(() => this.tick(), LIVE_UPDATE_MS);
  }

  /** The window following live shows: the last span up to now, or the whole run. */
  private followWindow(s: MonitoringSession): { t0: number; t1: number } {
    const { start, end } = extentOf(s);
    const span = this.view.t0 !== undefined && this.view.t1 !== undefined ? this.view.t1 - this.view.t0 : undefined;
    return span === undefined ? extentToWindow({ start, end }) : { t0: end - span, t1: end };
  }

  private tick(): void {
    const s = this.session;
    if (!s || !this.view.follow || !this.panel.visible) return;
    if (!s.live) this.schedule(); // ended: one last update below, then the timer stops
    if (!this.sent) return this.push();
    const w = this.followWindow(s);
    const events = s.store.events.version !== this.sentEvents;
    const rows = s.ingest.records !== this.sentRecords;
    const m = buildAppend(s, this.sent, { ...w, width: this.view.width }, { events, rows }, this.config.current.warningPercent);
    if (!m) return this.push();
    this.sentEvents = s.store.events.version;
    this.sentRecords = s.ingest.records;
    if (m.series.length || m.events || m.rows || !m.live) this.post(m);
  }

  /** Sends a snapshot of the current view; following live, the window ends now. */
  private push(): void {
    const s = this.session;
    if (!s) {
      this.post({ type: 'empty', message: 'No monitoring session yet. Run or debug a program with Headroom to see its memory here.' });
      return;
    }
    const w = this.view.follow ? this.followWindow(s) : { t0: this.view.t0, t1: this.view.t1 };
    // The webview keeps the recording's path, so after a window reload the panel comes back with this data.
    const recordingPath = recordingPathOf(s);
    if (recordingPath && this.memento.get(LAST_RECORDING_KEY) !== recordingPath) void this.memento.update(LAST_RECORDING_KEY, recordingPath);
    this.sent = seriesCounts(s);
    this.sentEvents = s.store.events.version;
    this.sentRecords = s.ingest.records;
    this.post({ ...buildSnapshot(s, { ...w, width: this.view.width }, this.config.current.warningPercent), recordingPath });
    if (this.compare) this.sendCompare();
  }

  private sendCompare(): void {
    const s = this.session;
    if (!s || !this.compare) return;
    const w = this.view.follow || this.view.t0 === undefined || this.view.t1 === undefined ? extentToWindow(extentOf(s)) : { t0: this.view.t0, t1: this.view.t1 };
    this.post(buildCompare(s, this.compare.run, this.compare.path, this.compare.alignedAt, { ...w, width: this.view.width }));
  }

  private onMessage(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this._ready = true;
        for (const m of this._pending.splice(0)) void this.panel.webview.postMessage(m);
        this.push();
        break;
      case 'view':
        this.view = { t0: message.t0, t1: message.t1, width: message.width, follow: message.follow };
        this.push();
        break;
      case 'reveal':
        void this.revealLine(message.file, message.line);
        break;
      case 'align':
        if (this.compare && typeof message.label === 'string') {
          this.compare.alignedAt = message.label;
          this.sendCompare();
        }
        break;
      case 'command':
        void this.runCommand(message.command);
        break;
      default:
        this.log.warn(`timeline: unknown webview message ${JSON.stringify((message as { type?: unknown }).type)}`);
    }
  }

  private async revealLine(file: string, line: number): Promise<void> {
    // The path came from the program: only ever opened as a document, and only if it exists.
    if (typeof file !== 'string' || !existsSync(file) || !Number.isInteger(line) || line < 1) {
      void vscode.window.showWarningMessage('Headroom: that source file is not on this machine.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const pos = new vscode.Position(Math.min(line, doc.lineCount) - 1, 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  }

  private async runCommand(command: Extract<WebviewToHost, { type: 'command' }>['command']): Promise<void> {
    const s = this.session;
    switch (command) {
      case 'forceCleanup':
        await vscode.commands.executeCommand(CommandId.ForceCleanup);
        this.push();
        break;
      case 'openRecording':
        await vscode.commands.executeCommand(CommandId.OpenRecording);
        break;
      case 'compare':
        // The command compares in the active panel: this one, since its button was just clicked.
        await vscode.commands.executeCommand(CommandId.CompareRecording);
        break;
      case 'compareEnd':
        this.endCompare();
        break;
      case 'exportCsv': {
        const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(CommandId.ExportCsv);
        if (uri) void vscode.window.showInformationMessage(`Headroom: samples written to ${uri.fsPath}`);
        break;
      }
      case 'exportRecording': {
        const path = s && recordingPathOf(s);
        if (!path || !existsSync(path)) {
          void vscode.window.showWarningMessage('Headroom: this session has no recording file.');
          return;
        }
        const uri = await vscode.window.showSaveDialog({ title: 'Save recording', filters: { 'Headroom recording': ['ndjson'] } });
        if (uri) copyFileSync(path, uri.fsPath);
        break;
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}

/** Owns the timeline panels (the live one and one per opened recording) and restores them after a window reload. */
export class TimelinePanels extends Disposable implements vscode.WebviewPanelSerializer<TimelineState> {
  private _live: TimelinePanel | undefined;
  private readonly _recordings = new Map<MonitoringSession, TimelinePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento: vscode.Memento,
  ) {
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
    if (!this._live || this._live.isDisposed) {
      const p = this.create();
      this._live = p;
      p.onDidDispose(() => {
        if (this._live === p) this._live = undefined;
      });
    } else this._live.reveal();
    const live = this._live;
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

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: TimelineState | undefined): Promise<void> {
    let pinned: MonitoringSession | undefined;
    // The webview's own state first; the host's memory of the last shown recording if that was not saved.
    const path = state?.recordingPath ?? this.memento.get<string>(LAST_RECORDING_KEY);
    if (path && existsSync(path)) {
      try {
        pinned = this.sessions.openRecording(path);
      } catch (e) {
        this.log.warn(`could not reopen ${path}: ${(e as Error).message}`);
      }
    }
    this.log.info(`timeline restored${pinned ? ` with ${path}` : ' (no recording to reopen)'}`);
    const p = new TimelinePanel(panel, this.extensionUri, this.sessions, this.config, this.log, this.memento, pinned);
    if (pinned) this.adoptRecording(pinned, p);
    else {
      this._live = p;
      p.onDidDispose(() => {
        if (this._live === p) this._live = undefined;
      });
    }
    if (state?.comparePath && existsSync(state.comparePath)) {
      try {
        p.setCompare(state.comparePath);
      } catch (e) {
        this.log.warn(`could not reopen ${state.comparePath}: ${(e as Error).message}`);
      }
    }
  }

  private create(pinned?: MonitoringSession): TimelinePanel {
    const title = pinned ? `Headroom: ${displayName(pinned).slice(0, 48)}` : 'Headroom Timeline';
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true, retainContextWhenHidden: false });
    return new TimelinePanel(panel, this.extensionUri, this.sessions, this.config, this.log, this.memento, pinned);
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
