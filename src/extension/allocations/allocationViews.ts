import * as vscode from 'vscode';
import { siteText, tensorGroupText, type SiteReadout } from '../../engine/session/allocations';
import { answersTo, requestAllocations } from '../../engine/session/allocationsRequest';
import { canonicalPath, type MonitoringSession } from '../../engine/session/monitoringSession';
import type { TensorGroup } from '../../shared/allocationsRecord';
import { plainLabel } from '../../shared/format';
import type { ConfigService } from '../config';
import type { DebugTracking } from '../debug/debugTracking';
import { sessionTitle } from '../sessions/sessionLabel';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable } from '../util/dispose';
import { lensSessionOrder } from '../views/lensSession';

export const ALLOCATIONS_VIEW_ID = 'headroom.allocations';
const REFRESH_MS = 250;
/** Lines holding less than this get no inline readout: a dozen bytes on every line is noise. */
const INLINE_MIN_BYTES = 1 << 20;
/** Python evaluated in a paused frame: a snapshot (tracing starts if off) and the live tensors named by the frame's locals, sent from this thread. */
export const PAUSED_ALLOCATIONS_EXPRESSION = "(lambda h, l: (h.allocations('paused in the debugger'), h.tensors(frame_locals=l), h.flush()))(__import__('headroom'), locals())";

type Node = { readonly kind: 'site'; readonly site: SiteReadout } | { readonly kind: 'package'; readonly name: string; readonly sites: SiteReadout[] } | { readonly kind: 'tensors'; readonly groups: readonly TensorGroup[] } | { readonly kind: 'tensor'; readonly group: TensorGroup };

/**
 * Where the memory is: "Headroom: Show Allocation Sites" asks the running program for its top
 * allocation sites (tracemalloc, started on request) and live tensors; the lines that hold
 * memory get an inline readout (`holds 812 MB in 3 blocks · +400 MB since 'epoch 1'`), and the
 * Allocation Sites view lists them by size, user code first and libraries by package; a click
 * goes to the line. Everything shown comes from the program: plain text only.
 */
export class AllocationViews extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly decoration = this._register(vscode.window.createTextEditorDecorationType({ after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground') }, isWholeLine: false }));
  private readonly refresh = this._register(
    new Coalescer(() => {
      this._onDidChangeTreeData.fire(undefined);
      this.decorate();
    }, REFRESH_MS),
  );
  private readonly subs = new Map<MonitoringSession, { dispose(): void }>();
  readonly view: vscode.TreeView<Node>;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    /** Where the bundled client lives: its own allocations are listed apart, as a package. */
    private readonly clientDir?: string,
    private readonly debug?: DebugTracking,
  ) {
    super();
    this.view = this._register(vscode.window.createTreeView(ALLOCATIONS_VIEW_ID, { treeDataProvider: this }));
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()));
    this._register(config.onDidChange(() => this.refresh.trigger()));
    this._register({ dispose: () => this.subs.forEach((s) => s.dispose()) });
    this.follow();
  }

  /** The session whose sites are shown: as the lenses choose (a live run before a recording). */
  get session(): MonitoringSession | undefined {
    return lensSessionOrder(this.sessions.all(), this.sessions.focused).find((s) => s.ingest.allocations.sites().length || s.ingest.allocations.tensors().length) ?? this.sessions.focused;
  }

  /** Asks the focused run's program for its allocation sites and live tensors, and waits for the answer. */
  async request(): Promise<{ ok: boolean; message: string }> {
    const s = this.sessions.focused;
    if (!s?.live) return { ok: false, message: 'Headroom: no running program to ask. Run one with Headroom first.' };
    // Paused in the debugger, the client's threads are paused too: ask in the paused frame instead.
    const paused = this.debug?.pausedFor(s);
    if (paused && /python|debugpy/.test(paused.session.type)) return this.requestPaused(s, paused);
    const id = `sites-${Date.now().toString(36)}`;
    const pids = requestAllocations(s.connections, id, { top: 50, tensors: true });
    if (!pids.length) return { ok: false, message: `Headroom: ${sessionTitle(s)} has no client to ask: add \`import headroom\` to it, or run it with Headroom.` };
    const answers = await answersTo(s.ingest.allocations, id, pids, 30_000);
    this.refresh.trigger();
    if (!answers.length) return { ok: false, message: `Headroom: ${sessionTitle(s)} did not answer within 30 s.` };
    const sites = answers.reduce((n, a) => n + (a.sites?.length ?? 0), 0);
    return { ok: true, message: `Headroom: ${sites} allocation sites from ${answers.length} ${answers.length === 1 ? 'process' : 'processes'}.` };
  }

  /**
   * In a paused Python debuggee: the snapshot is taken by an expression evaluated in the paused
   * frame, and sent at once from that thread (the client's writer is paused with the program).
   */
  private async requestPaused(s: MonitoringSession, paused: { session: vscode.DebugSession; threadId: number }): Promise<{ ok: boolean; message: string }> {
    const before = s.ingest.allocations.version;
    const arrived = new Promise<boolean>((resolve) => {
      const sub = s.ingest.allocations.onDidAdd(() => {
        sub.dispose();
        resolve(true);
      });
      setTimeout(() => {
        sub.dispose();
        resolve(false);
      }, 15_000);
    });
    try {
      const trace = (await paused.session.customRequest('stackTrace', { threadId: paused.threadId, startFrame: 0, levels: 1 })) as { stackFrames: { id: number }[] };
      await paused.session.customRequest('evaluate', { expression: PAUSED_ALLOCATIONS_EXPRESSION, frameId: trace.stackFrames[0]?.id, context: 'repl' });
    } catch (e) {
      return { ok: false, message: `Headroom could not ask the paused program: ${(e as Error).message}` };
    }
    const ok = (await arrived) || s.ingest.allocations.version !== before;
    this.refresh.trigger();
    return ok ? { ok: true, message: `Headroom: allocation sites taken in the paused frame of ${sessionTitle(s)}.` } : { ok: false, message: `Headroom: ${sessionTitle(s)} did not send its sites (is headroom imported in it?).` };
  }

  /** The readouts of `doc`'s lines (what the decorations show). */
  readoutsFor(doc: vscode.TextDocument): SiteReadout[] {
    if (doc.uri.scheme !== 'file') return [];
    return this.session?.ingest.allocations.forFile(canonicalPath(doc.uri.fsPath), canonicalPath) ?? [];
  }

  private follow(): void {
    for (const s of this.sessions.all()) if (!this.subs.has(s)) this.subs.set(s, s.ingest.allocations.onDidAdd(() => this.refresh.trigger()));
    this.refresh.trigger();
  }

  private decorate(): void {
    const units = this.config.current.units;
    for (const editor of vscode.window.visibleTextEditors) {
      const ranges = this.readoutsFor(editor.document)
        .filter((r) => r.size >= INLINE_MIN_BYTES && r.line >= 1 && r.line <= editor.document.lineCount)
        .map((r) => {
          const line = editor.document.lineAt(r.line - 1);
          return { range: new vscode.Range(line.range.end, line.range.end), renderOptions: { after: { contentText: plainLabel(siteText(r, units), 120) } } };
        });
      editor.setDecorations(this.decoration, ranges);
    }
  }

  getChildren(node?: Node): Node[] {
    const a = this.session?.ingest.allocations;
    if (!a) return [];
    if (!node) {
      const sites = a.sites();
      // The client's own lines (its queue, its buffers) are Headroom's, not the user's.
      const packageOf = (s: SiteReadout) => (s.package && !s.via ? s.package : this.clientDir && s.file.startsWith(this.clientDir) ? 'headroom (this tool)' : undefined);
      const mine = sites.filter((s) => packageOf(s) === undefined);
      const byPackage = new Map<string, SiteReadout[]>();
      for (const s of sites) {
        const p = packageOf(s);
        if (p) byPackage.set(p, [...(byPackage.get(p) ?? []), s]);
      }
      const rows: Node[] = mine.map((site) => ({ kind: 'site', site }));
      for (const [name, list] of byPackage) rows.push({ kind: 'package', name, sites: list });
      const groups = a.tensors();
      if (groups.length) rows.push({ kind: 'tensors', groups });
      return rows;
    }
    if (node.kind === 'package') return node.sites.map((site) => ({ kind: 'site', site }));
    if (node.kind === 'tensors') return node.groups.map((group) => ({ kind: 'tensor', group }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const units = this.config.current.units;
    if (node.kind === 'package') {
      const item = new vscode.TreeItem(plainLabel(node.name, 60), vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('package');
      item.description = `${node.sites.length} ${node.sites.length === 1 ? 'site' : 'sites'}`;
      return item;
    }
    if (node.kind === 'tensors') {
      const item = new vscode.TreeItem('Live tensors', vscode.TreeItemCollapsibleState.Collapsed);
      item.iconPath = new vscode.ThemeIcon('symbol-array');
      return item;
    }
    if (node.kind === 'tensor') {
      const item = new vscode.TreeItem(plainLabel(tensorGroupText(node.group, units), 120), vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('symbol-variable');
      return item;
    }
    const s = node.site;
    const item = new vscode.TreeItem(`${plainLabel(s.file.split(/[\\/]/).pop(), 60)}:${s.line}`, vscode.TreeItemCollapsibleState.None);
    item.description = plainLabel(siteText(s, units), 120);
    item.iconPath = new vscode.ThemeIcon(s.via ? 'library' : 'symbol-field');
    // A plain-text tooltip: the traceback's paths come from the program.
    const tb = (s.traceback ?? []).map((f) => `  ${plainLabel(f.file, 200)}:${f.line}`).join('\n');
    item.tooltip = `${plainLabel(s.file, 200)}:${s.line}${s.via ? ` (through ${plainLabel(s.via, 40)})` : ''}\n${plainLabel(siteText(s, units), 120)}${tb ? `\ncalled from:\n${tb}` : ''}`;
    item.command = { command: 'vscode.open', title: 'Go to the line', arguments: [vscode.Uri.file(s.file), { selection: new vscode.Range(s.line - 1, 0, s.line - 1, 0) }] };
    return item;
  }
}
