import * as vscode from 'vscode';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { shownRss } from '../../engine/session/runPeak';
import { formatBytes, plainLabel, type Units } from '../../shared/format';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { sessionTitle, shortExit, shortName } from '../sessions/sessionLabel';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable } from '../util/dispose';
import { RecordingCatalog, type RecordingEntry } from './recentRecordings';

export const SESSIONS_VIEW_ID = 'headroom.sessions';
/** Live figures in the view change at most this often. */
const REFRESH_MS = 1000;

/** A row of the Headroom view. */
export type SessionsNode = { readonly kind: 'session'; readonly session: MonitoringSession } | { readonly kind: 'recordings' } | { readonly kind: 'recording'; readonly entry: RecordingEntry };

/**
 * The Headroom view (Run and Debug): this window's sessions, newest first, then the
 * extension's recent recordings, each with inline actions. Empty, it shows its welcome
 * (package.json `viewsWelcome`) with the commands that start something.
 */
export class SessionsView extends Disposable implements vscode.TreeDataProvider<SessionsNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<SessionsNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly refresh = this._register(new Coalescer(() => this._onDidChangeTreeData.fire(undefined), REFRESH_MS));
  private readonly catalog: RecordingCatalog;
  private readonly ticks = new Map<string, { dispose(): void }>();
  readonly view: vscode.TreeView<SessionsNode>;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    recordingsDir: string,
  ) {
    super();
    this.catalog = new RecordingCatalog(recordingsDir);
    this.view = this._register(vscode.window.createTreeView(SESSIONS_VIEW_ID, { treeDataProvider: this, showCollapseAll: false }));
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register(config.onDidChange(() => this.refresh.trigger()));
    this._register(this.view.onDidChangeVisibility(() => this.follow()));
    this._register({ dispose: () => this.unfollow() });
    this.follow();
  }

  /** Reads the list again now (the view's Refresh button: recordings written by other windows). */
  reload(): void {
    this._onDidChangeTreeData.fire(undefined);
  }

  /** Re-reads the list, and follows live sessions' figures while the view is visible. */
  private follow(): void {
    this.unfollow();
    if (this.view.visible) {
      for (const s of this.sessions.all()) {
        const sub = s.live ? s.monitor?.onTick(() => this.refresh.trigger()) : undefined;
        if (sub) this.ticks.set(s.id, sub);
      }
    }
    this.refresh.trigger();
  }

  private unfollow(): void {
    for (const sub of this.ticks.values()) sub.dispose();
    this.ticks.clear();
  }

  async getChildren(node?: SessionsNode): Promise<SessionsNode[]> {
    if (!node) {
      const rows: SessionsNode[] = this.sessions
        .all()
        .slice()
        .reverse()
        .map((session) => ({ kind: 'session', session }));
      if ((await this.recordings()).length) rows.push({ kind: 'recordings' });
      return rows;
    }
    if (node.kind === 'recordings') return (await this.recordings()).map((entry) => ({ kind: 'recording', entry }));
    return [];
  }

  /** Recent recordings not already listed as a session of this window. */
  private async recordings(): Promise<RecordingEntry[]> {
    const shown = new Set(this.sessions.all().flatMap((s) => [s.recordingPath, s.source === 'recording' ? s.name : undefined]));
    return (await this.catalog.list()).filter((e) => !shown.has(e.path));
  }

  getTreeItem(node: SessionsNode): vscode.TreeItem {
    const units = this.config.current.units;
    if (node.kind === 'recordings') {
      const item = new vscode.TreeItem('Recent recordings', vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('history');
      item.contextValue = 'recordings';
      return item;
    }
    if (node.kind === 'recording') return recordingItem(node.entry, units);
    return sessionItem(node.session, units, this.sessions.focused === node.session);
  }
}

/** What a session's row says: state and size, whose it is, what a click and its buttons do. */
function sessionItem(s: MonitoringSession, units: Units, focused: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(plainLabel(shortName(s), 60), vscode.TreeItemCollapsibleState.None);
  item.id = `session:${s.id}`;
  const size = shownRss(s);
  const state = s.source === 'recording' ? 'recording' : s.live ? 'running' : shortExit(s.exitDescription);
  const figure = size !== undefined && Number.isFinite(size) ? `${s.live ? '' : 'peak '}${formatBytes(size, units)}` : '';
  item.description = [figure, state, focused ? 'in status bar' : ''].filter(Boolean).join(' · ');
  const failed = !s.live && s.source !== 'recording' && /killed|code [1-9]/.test(s.exitDescription ?? '');
  item.iconPath = s.live
    ? new vscode.ThemeIcon('pulse', new vscode.ThemeColor('charts.green'))
    : s.source === 'recording'
      ? new vscode.ThemeIcon('file')
      : new vscode.ThemeIcon(failed ? 'error' : 'pass', failed ? new vscode.ThemeColor('errorForeground') : undefined);
  const tip = new vscode.MarkdownString();
  tip.isTrusted = false;
  tip.supportHtml = false;
  tip.appendText(sessionTitle(s));
  if (s.programFile) tip.appendText(`\n\nprogram: ${plainLabel(s.programFile, 200)}`);
  if (s.recordingPath) tip.appendText(`\n\nrecording: ${plainLabel(s.recordingPath, 200)}`);
  item.tooltip = tip;
  // Words the menus' `when` clauses test (viewItem =~ /live/ ...).
  item.contextValue = ['session', s.live ? 'live' : s.source === 'recording' ? 'opened' : 'ended', s.recordingPath ? 'recorded' : '', s.programFile ? 'program' : ''].filter(Boolean).join(' ');
  item.command = { command: CommandId.SessionsOpenTimeline, title: 'Open Timeline', arguments: [{ kind: 'session', session: s }] };
  item.accessibilityInformation = { label: `${sessionTitle(s)}${figure ? `, ${figure} RSS` : ''}` };
  return item;
}

function recordingItem(e: RecordingEntry, units: Units): vscode.TreeItem {
  const item = new vscode.TreeItem(plainLabel(e.name, 60), vscode.TreeItemCollapsibleState.None);
  item.id = `recording:${e.path}`;
  const when = new Date(e.created);
  item.description = `${when.toLocaleDateString()} ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · ${formatBytes(e.bytes, units)}`;
  item.iconPath = new vscode.ThemeIcon('file');
  item.tooltip = `${plainLabel(e.name, 80)}\n${e.path}`;
  item.resourceUri = vscode.Uri.file(e.path);
  item.contextValue = 'recordingFile';
  item.command = { command: CommandId.OpenRecording, title: 'Open Recording', arguments: [vscode.Uri.file(e.path)] };
  return item;
}
