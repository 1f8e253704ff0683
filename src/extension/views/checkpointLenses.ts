import * as vscode from 'vscode';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import type { LocationStats } from '../../engine/session/recordIngest';
import { hoverTable, lensTitle, lensTooltip, rankTable } from './lensText';
import { sessionTitle } from '../sessions/sessionLabel';
import { lensSessionOrder } from './lensSession';
import { canonicalPath, type MonitoringSession } from '../../engine/session/monitoringSession';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable } from '../util/dispose';

const REFRESH_MS = 250;

/**
 * Owns the CodeLens and hover providers for checkpoint lines. A file's lenses all come from
 * one session (see `lensSessionOrder`), which the hover names and a click opens.
 */
export class CheckpointLensController extends Disposable implements vscode.CodeLensProvider, vscode.HoverProvider {
  private readonly _onDidChangeCodeLenses = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
  /** Refreshes at most 4 times a second, whatever the record rate. */
  private readonly refresh = this._register(new Coalescer(() => this._onDidChangeCodeLenses.fire(), REFRESH_MS));

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    /** A notebook cell's checkpoints (its kernel reports them under the cell's compiled name). */
    private readonly cellStats?: (doc: vscode.TextDocument) => { session: MonitoringSession; stats: LocationStats[] } | undefined,
  ) {
    super();
    const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'vscode-notebook-cell' }];
    this._register(vscode.languages.registerCodeLensProvider(selector, this));
    this._register(vscode.languages.registerHoverProvider(selector, this));
    this._register(sessions.onDidReceiveRecords(() => this.refresh.trigger()));
    this._register(sessions.onDidChangeSessions(() => this.refresh.trigger()));
    this._register(config.onDidChange(() => this.refresh.trigger()));
  }

  private statsFor(doc: vscode.TextDocument): { session: MonitoringSession; stats: LocationStats[] } | undefined {
    if (doc.uri.scheme === 'vscode-notebook-cell') return this.cellStats?.(doc);
    const file = canonicalPath(doc.uri.fsPath);
    for (const session of lensSessionOrder(this.sessions.all(), this.sessions.focused)) {
      const stats = session.ingest.forFile(file);
      if (stats.length) return { session, stats };
    }
    return undefined;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.config.current.codeLensEnabled) return [];
    const found = this.statsFor(doc);
    if (!found) return [];
    const units = this.config.current.units;
    return found.stats
      .filter((s) => s.line >= 1 && s.line <= doc.lineCount)
      .map((s) => {
        const range = doc.lineAt(s.line - 1).range;
        return new vscode.CodeLens(range, {
          title: lensTitle(s, units),
          tooltip: lensTooltip(s, sessionTitle(found.session)),
          command: CommandId.ShowTimeline,
          arguments: [{ sessionId: found.session.id, t: s.lastT }],
        });
      });
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const found = this.statsFor(doc);
    const s = found?.stats.find((x) => x.line === pos.line + 1);
    if (!found || !s) return undefined;
    const md = new vscode.MarkdownString();
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendText(`Headroom · ${sessionTitle(found.session)}: ${s.hits} ${s.hits === 1 ? 'hit' : 'hits'} of this ${s.kind}, last ${s.ring.size} below\n`);
    md.appendCodeblock(hoverTable(s, this.config.current.units), 'text');
    const ranks = rankTable(s, this.config.current.units);
    if (ranks) {
      md.appendText('Every rank at this line:\n');
      md.appendCodeblock(ranks, 'text');
    }
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}
