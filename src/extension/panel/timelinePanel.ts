import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../shared/webviewMessages';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { storeToCsv } from '../engine/recording/csv';
import type { MonitoringSession } from '../sessions/monitoringSession';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';
import { buildTimelineData, displayName } from './timelineData';
import { renderWebviewDocument } from './webviewHtml';

export const TIMELINE_VIEW_TYPE = 'headroom.timeline';
/** The recording of the session the timeline showed last: reopened after a window reload. */
const LAST_RECORDING_KEY = 'headroom.timeline.lastRecording';
const LIVE_UPDATE_MS = 200;

/** What the webview keeps across reloads (vscode.setState), read back by the serializer. */
export interface TimelineState {
  readonly recordingPath?: string;
}

/**
 * One timeline panel, showing the focused session (or a recording). Sends nothing before
 * the webview says `ready`, nothing after dispose; live updates at most 5 per second, and
 * only while visible.
 */
export class TimelinePanel extends Disposable {
  private _ready = false;
  private readonly _pending: HostToWebview[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  private view: { t0?: number; t1?: number; width: number; follow: boolean } = { width: 1200, follow: true };
  private timer: NodeJS.Timeout | undefined;
  private session: MonitoringSession | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento: vscode.Memento,
    private readonly pinned?: MonitoringSession,
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
    this._register(panel.onDidChangeViewState(() => this.schedule()));
    this._register(config.onDidChange(() => this.push(true)));
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

  private rebind(): void {
    const next = this.pinned ?? this.sessions.focused;
    if (next !== this.session) {
      this.session = next;
      this.view = { width: this.view.width, follow: true };
      this.panel.title = next ? `Headroom: ${displayName(next).slice(0, 48)}` : 'Headroom Timeline';
    }
    this.push(true);
    this.schedule();
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.session?.live && this.panel.visible) {
      this.timer = setInterval(() => {
        if (this.view.follow) this.push(false);
      }, LIVE_UPDATE_MS);
    }
  }

  /** Sends the data for the current view; following live, the window slides to now. */
  private push(force: boolean): void {
    const s = this.session;
    if (!s) {
      this.post({ type: 'empty', message: 'No monitoring session yet. Run or debug a program with Headroom to see its memory here.' });
      return;
    }
    if (!force && !this.panel.visible) return;
    let { t0, t1 } = this.view;
    if (this.view.follow && t0 !== undefined && t1 !== undefined) {
      const span = t1 - t0;
      t1 = Date.now();
      t0 = t1 - span;
    } else if (this.view.follow) {
      t0 = t1 = undefined;
    }
    // The webview keeps the recording's path, so after a window reload the panel comes back with this data.
    const recordingPath = s.source === 'recording' ? s.name : s.monitor?.recordingPath;
    if (recordingPath && this.memento.get(LAST_RECORDING_KEY) !== recordingPath) void this.memento.update(LAST_RECORDING_KEY, recordingPath);
    this.post({ ...buildTimelineData(s, { t0, t1, width: this.view.width }, this.config.current.warningPercent), recordingPath });
  }

  private onMessage(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this._ready = true;
        for (const m of this._pending.splice(0)) void this.panel.webview.postMessage(m);
        this.push(true);
        break;
      case 'view':
        this.view = { t0: message.t0, t1: message.t1, width: message.width, follow: message.follow };
        this.push(true);
        break;
      case 'reveal':
        void this.revealLine(message.file, message.line);
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
        this.push(true);
        break;
      case 'openRecording':
        await vscode.commands.executeCommand(CommandId.OpenRecording);
        break;
      case 'exportCsv': {
        if (!s) return;
        const uri = await vscode.window.showSaveDialog({ title: 'Export samples as CSV', filters: { CSV: ['csv'] }, saveLabel: 'Export' });
        if (!uri) return;
        writeFileSync(uri.fsPath, storeToCsv(s.store));
        void vscode.window.showInformationMessage(`Headroom: samples written to ${uri.fsPath}`);
        break;
      }
      case 'exportRecording': {
        const path = s?.monitor?.recordingPath;
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

/** Owns the timeline panels and restores them after a window reload. */
export class TimelinePanels extends Disposable implements vscode.WebviewPanelSerializer<TimelineState> {
  private _live: TimelinePanel | undefined;

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

  showLive(focusT?: number): TimelinePanel {
    if (!this._live || this._live.isDisposed) {
      const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Headroom Timeline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true, retainContextWhenHidden: false });
      this.adopt(new TimelinePanel(panel, this.extensionUri, this.sessions, this.config, this.log, this.memento));
    } else this._live.reveal();
    const live = this._live as TimelinePanel;
    if (focusT !== undefined) live.focusAt(focusT);
    return live;
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
    this.adopt(new TimelinePanel(panel, this.extensionUri, this.sessions, this.config, this.log, this.memento, pinned));
  }

  private adopt(p: TimelinePanel): void {
    this._live = p;
    p.onDidDispose(() => {
      if (this._live === p) this._live = undefined;
    });
  }

  override dispose(): void {
    this._live?.dispose();
    super.dispose();
  }
}
