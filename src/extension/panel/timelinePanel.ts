import * as vscode from 'vscode';
import { openRun } from '../../engine/recording/openRun';
import type { LoadedRun } from '../../engine/recording/loadRecording';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import type { HostToWebview, WebviewToHost } from '../../shared/webviewMessages';
import type { ConfigService } from '../config';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable, type IDisposable } from '../util/dispose';
import { recordingPathOf, revealLine, runPanelCommand } from './panelActions';
import { isPanelCommand, START_COMMANDS } from './panelCommands';
import { buildAppend, buildCompare, buildSnapshot, displayName, extentOf, seriesCounts } from './timelineData';
import { renderWebviewDocument } from './webviewHtml';

export const TIMELINE_VIEW_TYPE = 'headroom.timeline';
/** The recording of the session the timeline showed last: reopened after a window reload. */
export const LAST_RECORDING_KEY = 'headroom.timeline.lastRecording';
/** Live messages: at most ten a second, whatever the sampling or record rate. */
const LIVE_UPDATE_MS = 100;

/** What the webview keeps across reloads (vscode.setState), read back by the serializer. */
export interface TimelineState {
  readonly recordingPath?: string;
  readonly comparePath?: string;
}

/** What a panel is built with; the collection hands the same to each. */
export interface TimelinePanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly sessions: SessionManager;
  readonly config: ConfigService;
  readonly log: vscode.LogOutputChannel;
  readonly memento: vscode.Memento;
}

const extentToWindow = (e: { start: number; end: number }) => ({ t0: e.start, t1: e.end });

/**
 * One timeline panel: the focused session, or one recording it is pinned to. Sends nothing
 * before the webview says `ready`, nothing after dispose. A view change sends a snapshot
 * (bounded by the plot's width); while following a live run, the session's ticks and records
 * trigger updates that carry only what is new (samples as typed arrays; markers and rows when
 * they changed), coalesced to ten a second and only while visible. No timer polls.
 */
export class TimelinePanel extends Disposable {
  private _ready = false;
  private readonly _pending: HostToWebview[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  private view: { t0?: number; t1?: number; width: number; follow: boolean; steps?: boolean } = { width: 1200, follow: true };
  private session: MonitoringSession | undefined;
  private sessionTicks: IDisposable | undefined;
  /** Series counts the webview has; undefined: the next update is a snapshot. */
  private sent: Map<string, number> | undefined;
  private sentEvents = -1;
  private sentRecords = -1;
  private compare: { path: string; run: LoadedRun; alignedAt: string } | undefined;
  private readonly live = this._register(new Coalescer(() => this.sendLive(), LIVE_UPDATE_MS));

  private _pinned: MonitoringSession | undefined;
  /** What is being opened into this panel (a recording read while the webview boots); shown until `pin`. */
  private opening: string | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: TimelinePanelDeps,
    pinned?: MonitoringSession | { readonly opening: string },
  ) {
    super();
    if (pinned && 'opening' in pinned) this.opening = pinned.opening;
    else this._pinned = pinned;
    const { extensionUri, sessions, config } = deps;
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webview.html = renderWebviewDocument({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'timeline.css')).toString(),
      codiconsUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicon.css')).toString(),
      title: 'Headroom Timeline',
    });
    this._register(webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(sessions.onDidChangeSessions(() => this.rebind()));
    this._register(sessions.onDidReceiveRecords(({ session }) => session === this.session && this.live.trigger()));
    this._register(
      panel.onDidChangeViewState(() => {
        this.sent = undefined; // hidden for a while: start again from a snapshot
        if (panel.visible) this.live.trigger();
      }),
    );
    this._register(config.onDidChange(() => this.push()));
    this._register({ dispose: () => this.sessionTicks?.dispose() });
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
  async setCompare(path: string, alignedAt = ''): Promise<void> {
    const run = await openRun(path);
    if (run.errorCount) this.deps.log.warn(`${path}: ${run.errorCount} unreadable line(s) skipped`);
    if (this.isDisposed) return;
    this.compare = { path, run, alignedAt };
    this.sendCompare();
  }

  endCompare(): void {
    this.compare = undefined;
    this.post({ type: 'compareEnd' });
  }

  /** Pinned: its recording. Otherwise the focused run; an opened recording has a panel of its own. */
  private pick(): MonitoringSession | undefined {
    if (this.opening !== undefined) return undefined;
    if (this._pinned) return this._pinned;
    const all = this.deps.sessions.all();
    const f = this.deps.sessions.focused;
    if (f && f.source !== 'recording') return f;
    if (this.session && all.includes(this.session)) return this.session;
    return all.filter((s) => s.source !== 'recording').pop() ?? f;
  }

  private rebind(): void {
    const next = this.pick();
    if (next !== this.session) {
      this.session = next;
      this.sessionTicks?.dispose();
      this.sessionTicks = next?.monitor?.onTick(() => this.live.trigger());
      this.view = { width: this.view.width, follow: true, steps: this.view.steps };
      this.panel.title = next ? `Headroom: ${displayName(next).slice(0, 48)}` : 'Headroom Timeline';
    }
    this.push();
  }

  /** The window following live shows: the last span up to now, or the whole run. */
  private followWindow(s: MonitoringSession): { t0: number; t1: number } {
    const { start, end } = extentOf(s);
    const span = this.view.t0 !== undefined && this.view.t1 !== undefined ? this.view.t1 - this.view.t0 : undefined;
    return span === undefined ? extentToWindow({ start, end }) : { t0: end - span, t1: end };
  }

  /** What is new since the last message, while following and visible. */
  private sendLive(): void {
    const s = this.session;
    if (!s || !this.view.follow || !this.panel.visible) return;
    if (!this.sent) return this.push();
    const w = this.followWindow(s);
    const events = s.store.events.version !== this.sentEvents;
    const rows = s.ingest.records !== this.sentRecords;
    const m = buildAppend(s, this.sent, { ...w, width: this.view.width }, { events, rows }, this.deps.config.current.warningPercent);
    if (!m) return this.push();
    this.sentEvents = s.store.events.version;
    this.sentRecords = s.ingest.records;
    if (m.series.length || m.events || m.rows || m.steps || !m.live) this.post(m);
  }

  /** The recording this panel shows, when it shows one. */
  get pinned(): MonitoringSession | undefined {
    return this._pinned;
  }

  /** The recording that was being opened into this panel, now loaded. */
  pin(session: MonitoringSession): void {
    this._pinned = session;
    this.opening = undefined;
    this.rebind();
  }

  /** Sends a snapshot of the current view; following live, the window ends now. */
  private push(): void {
    const s = this.session;
    if (!s && this.opening !== undefined) {
      this.post({ type: 'empty', message: `Opening ${this.opening}\u2026`, actions: [] });
      return;
    }
    if (!s) {
      this.post({ type: 'empty', message: 'No monitoring session yet. Run or debug a program with Headroom to see its memory here.', actions: START_COMMANDS });
      return;
    }
    const w = this.view.follow ? this.followWindow(s) : { t0: this.view.t0, t1: this.view.t1 };
    // The webview keeps the recording's path, so after a window reload the panel comes back with this data.
    const recordingPath = recordingPathOf(s);
    const memento = this.deps.memento;
    if (recordingPath && memento.get(LAST_RECORDING_KEY) !== recordingPath) void memento.update(LAST_RECORDING_KEY, recordingPath);
    this.sent = seriesCounts(s);
    this.sentEvents = s.store.events.version;
    this.sentRecords = s.ingest.records;
    this.post({ ...buildSnapshot(s, { ...w, width: this.view.width }, this.deps.config.current.warningPercent), recordingPath });
    if (this.compare) this.sendCompare();
  }

  private sendCompare(): void {
    const s = this.session;
    if (!s || !this.compare) return;
    const w = this.view.follow || this.view.t0 === undefined || this.view.t1 === undefined ? extentToWindow(extentOf(s)) : { t0: this.view.t0, t1: this.view.t1 };
    this.post(buildCompare(s, this.compare.run, this.compare.path, this.compare.alignedAt, { ...w, width: this.view.width, steps: this.view.steps }));
  }

  private onMessage(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this._ready = true;
        for (const m of this._pending.splice(0)) void this.panel.webview.postMessage(m);
        this.push();
        break;
      case 'view':
        this.view = { t0: message.t0, t1: message.t1, width: message.width, follow: message.follow, steps: message.steps === true };
        this.push();
        break;
      case 'reveal':
        void revealLine(message.file, message.line);
        break;
      case 'align':
        if (this.compare && typeof message.label === 'string') {
          this.compare.alignedAt = message.label;
          this.sendCompare();
        }
        break;
      case 'command':
        if (!isPanelCommand(message.command)) this.deps.log.warn(`timeline: unknown panel command ${JSON.stringify(message.command)}`);
        else if (message.command === 'compareEnd') this.endCompare();
        else void runPanelCommand(message.command, this.session).then((refresh) => refresh && this.push());
        break;
      default:
        this.deps.log.warn(`timeline: unknown webview message ${JSON.stringify((message as { type?: unknown }).type)}`);
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
