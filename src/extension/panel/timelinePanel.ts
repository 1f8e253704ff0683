import * as vscode from 'vscode';
import type { HostToWebview, WebviewToHost } from '../../shared/webviewMessages';
import { Disposable } from '../util/dispose';
import { renderWebviewDocument } from './webviewHtml';

export const TIMELINE_VIEW_TYPE = 'headroom.timeline';

/** One timeline webview panel. Sends nothing before the webview says `ready`, nothing after dispose. */
export class TimelinePanel extends Disposable {
  private _ready = false;
  private readonly _pending: HostToWebview[] = [];
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  static create(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): TimelinePanel {
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Headroom Timeline', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    return new TimelinePanel(panel, extensionUri, log);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const webview = panel.webview;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webview.html = renderWebviewDocument({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'timeline.css')).toString(),
      title: 'Headroom Timeline',
    });
    this._register(webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this.post({ type: 'init', title: 'Headroom Timeline', live: true });
  }

  /** Queues until the webview is ready; a no-op once disposed. */
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

  private onMessage(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this._ready = true;
        this.log.debug('timeline webview ready');
        for (const m of this._pending.splice(0)) void this.panel.webview.postMessage(m);
        break;
      default:
        this.log.warn(`timeline: unknown webview message ${JSON.stringify((message as { type?: unknown }).type)}`);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
    // Fired after our own teardown, before the emitter goes, so owners see a finished panel.
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}

/** Owns the live timeline panel: one at a time, revealed if open. */
export class TimelinePanels extends Disposable {
  private _live: TimelinePanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  get live(): TimelinePanel | undefined {
    return this._live;
  }

  showLive(): TimelinePanel {
    if (this._live && !this._live.isDisposed) {
      this._live.reveal();
      return this._live;
    }
    const panel = TimelinePanel.create(this.extensionUri, this.log);
    this._live = panel;
    panel.onDidDispose(() => {
      if (this._live === panel) this._live = undefined;
    });
    return panel;
  }

  override dispose(): void {
    this._live?.dispose();
    super.dispose();
  }
}
