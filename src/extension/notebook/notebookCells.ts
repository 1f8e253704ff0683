import * as vscode from 'vscode';
import { cellSourceHash, matchCell, type CellRun, type EditorCell } from '../../engine/session/cellRuns';
import { canonicalPath, type MonitoringSession } from '../../engine/session/monitoringSession';
import type { LocationStats } from '../../engine/session/recordIngest';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { sessionTitle } from '../sessions/sessionLabel';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable } from '../util/dispose';
import { cellHistory, cellItemText } from './cellText';

/** The notebook type of .ipynb files (VS Code's built-in serializer and the Jupyter extension). */
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';
const REFRESH_MS = 250;

/** A cell run with the session its kernel reported to. */
export interface SessionRun {
  readonly session: MonitoringSession;
  readonly run: CellRun;
}

/**
 * Per-cell figures in the notebook editor. Kernels that load `headroom` (docs/protocol.md,
 * "Notebook cells") report each cell run; this maps the runs onto the open notebook's cells by
 * the documented rule (cell id, else source hash, else nothing), shows the last run of each cell
 * in its status bar with the history in the tooltip, gives CodeLens to checkpoints inside cells,
 * and moves the status bar to the kernel's session while its notebook is in front.
 */
export class NotebookCellFigures extends Disposable implements vscode.NotebookCellStatusBarItemProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCellStatusBarItems = this._onDidChange.event;
  private readonly refresh = this._register(
    new Coalescer(() => {
      this.byNotebook.clear();
      this._onDidChange.fire();
      this.followActiveNotebook();
    }, REFRESH_MS),
  );
  /** Hashes of cell texts by document version: a notebook of many cells is not hashed per paint. */
  private readonly hashes = new Map<string, { version: number; hash: string }>();
  /** Each notebook's cells' runs, until the next records or edit. */
  private readonly byNotebook = new Map<string, SessionRun[][]>();

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
  ) {
    super();
    this._register(vscode.notebooks.registerNotebookCellStatusBarItemProvider(JUPYTER_NOTEBOOK, this));
    this._register(sessions.onDidReceiveRecords(({ session }) => session.ingest.cells.all().length && this.refresh.trigger()));
    this._register(sessions.onDidChangeSessions(() => this.refresh.trigger()));
    this._register(config.onDidChange(() => this.refresh.trigger()));
    this._register(vscode.workspace.onDidChangeNotebookDocument(() => this.refresh.trigger()));
    this._register(vscode.window.onDidChangeActiveNotebookEditor(() => this.followActiveNotebook()));
    this._register(
      vscode.workspace.onDidCloseNotebookDocument((nb) => {
        for (const c of nb.getCells()) this.hashes.delete(c.document.uri.toString());
        this.byNotebook.delete(nb.uri.toString());
      }),
    );
  }

  /** The runs of every cell of `notebook`, by cell index, oldest first. */
  runsByCell(notebook: vscode.NotebookDocument): SessionRun[][] {
    const key = notebook.uri.toString();
    const cached = this.byNotebook.get(key);
    if (cached && cached.length === notebook.cellCount) return cached;
    const cells = notebook.getCells().map((c) => this.editorCell(c));
    const out: SessionRun[][] = cells.map(() => []);
    for (const session of this.sessions.all()) {
      for (const run of session.ingest.cells.all()) {
        const i = matchCell(run, cells);
        if (i !== undefined) out[i].push({ session, run });
      }
    }
    // Sessions are in start order; a cell's runs from two kernels are put in time order.
    for (const runs of out) runs.sort((a, b) => a.run.t - b.run.t);
    this.byNotebook.set(key, out);
    return out;
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const runs = this.runsByCell(cell.notebook)[cell.index] ?? [];
    const last = runs[runs.length - 1];
    if (!last) return [];
    const units = this.config.current.units;
    const edited = last.run.cell.hash !== this.editorCell(cell).hash;
    const item = new vscode.NotebookCellStatusBarItem(`$(pulse) ${cellItemText(last.run, units, edited)}`, vscode.NotebookCellStatusBarAlignment.Right);
    // A cell item's tooltip is plain text (no markdown): nothing from the kernel can become a link.
    const mine = runs.filter((r) => r.session === last.session).map((r) => r.run);
    const head = `Headroom · ${sessionTitle(last.session)}: ${mine.length} ${mine.length === 1 ? 'run' : 'runs'} of this cell${edited ? ' (the cell was edited since its last run)' : ''}`;
    item.tooltip = `${head}\n\n${cellHistory(mine, units)}`;
    item.accessibilityInformation = { label: `Headroom: last run of this cell ${cellItemText(last.run, units, edited).replace(/\$\([^)]*\)\s*/g, '')}` };
    item.command = { command: CommandId.ShowTimeline, title: 'Open the timeline at this cell run', arguments: [{ sessionId: last.session.id, t: last.run.t }] };
    return [item];
  }

  /**
   * The checkpoint statistics of a cell document, for CodeLens: those of the newest run of the
   * cell whose source is the cell's current text (lines of an older text would point elsewhere).
   */
  checkpointsIn(doc: vscode.TextDocument): { session: MonitoringSession; stats: LocationStats[] } | undefined {
    const cell = this.cellOf(doc);
    if (!cell) return undefined;
    const hash = this.editorCell(cell).hash;
    const runs = this.runsByCell(cell.notebook)[cell.index] ?? [];
    for (let i = runs.length - 1; i >= 0; i--) {
      const { session, run } = runs[i];
      if (run.file === undefined || run.cell.hash !== hash) continue;
      const stats = session.ingest.forFile(canonicalPath(run.file));
      if (stats.length) return { session, stats };
    }
    return undefined;
  }

  /** The session of the kernel whose runs were the newest on `notebook`. */
  kernelSessionOf(notebook: vscode.NotebookDocument): MonitoringSession | undefined {
    let newest: SessionRun | undefined;
    for (const runs of this.runsByCell(notebook)) for (const r of runs) if (!newest || r.run.t > newest.run.t) newest = r;
    return newest?.session;
  }

  private followActiveNotebook(): void {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    const s = nb && this.kernelSessionOf(nb);
    // The notebook in front speaks in the status bar: its kernel's tree and GPU.
    if (s?.live && this.sessions.focused !== s) this.sessions.focus(s.id);
  }

  private cellOf(doc: vscode.TextDocument): vscode.NotebookCell | undefined {
    if (doc.uri.scheme !== 'vscode-notebook-cell') return undefined;
    for (const nb of vscode.workspace.notebookDocuments) {
      const cell = nb.getCells().find((c) => c.document === doc);
      if (cell) return cell;
    }
    return undefined;
  }

  private editorCell(cell: vscode.NotebookCell): EditorCell {
    const id = cell.document.uri.toString();
    let h = this.hashes.get(id);
    if (!h || h.version !== cell.document.version) this.hashes.set(id, (h = { version: cell.document.version, hash: cellSourceHash(cell.document.getText()) }));
    return { id, hash: h.hash, executionOrder: cell.executionSummary?.executionOrder };
  }
}
