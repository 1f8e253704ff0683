import { realpathSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { cleanStaleConnectionFiles, writeConnectionFile } from '../../engine/reach/connectionFile';
import { ensureRuntimeDir, runtimeDirPath } from '../../engine/reach/runtimeDir';
import type { ConfigService } from '../config';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';

const realOrSame = (p: string): string => {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
};

/**
 * Makes every Python program of the workspace reach this window, however it was started:
 * new integrated terminals get the window's environment (listener, token, client on
 * PYTHONPATH) through VS Code's environment-variable collection, and a private connection
 * file lets programs started elsewhere (tmux, SSH shells, cron) in a workspace folder find
 * the window (docs/connection.md). Both follow their settings and the workspace folders.
 */
export class WindowReach extends Disposable {
  private filePath: string | undefined;
  private readonly ready: Promise<void>;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly terminals: vscode.GlobalEnvironmentVariableCollection,
    private readonly pythonPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.removeFile() });
    this._register(config.onDidChange(({ previous, current }) => {
      if (previous.injectTerminals !== current.injectTerminals || previous.connectionFile !== current.connectionFile) void this.apply();
    }));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.apply()));
    this.ready = this.apply();
  }

  /** Resolves once the terminal environment and the connection file are in place (tests, the demo). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Where the connection file is, while there is one. */
  get connectionFile(): string | undefined {
    return this.filePath;
  }

  private async apply(): Promise<void> {
    const cfg = this.config.current;
    if (!cfg.injectTerminals) this.terminals.clear();
    if (!cfg.connectionFile) this.removeFile();
    if (!cfg.injectTerminals && !cfg.connectionFile) return;
    let window: Awaited<ReturnType<SessionManager['windowEnvironment']>>;
    try {
      window = await this.sessions.windowEnvironment();
    } catch (e) {
      this.log.warn(`programs started outside Headroom cannot report: the listener did not start (${(e as Error).message})`);
      return;
    }
    if (this.isDisposed) return;
    if (this.config.current.injectTerminals) this.injectTerminals(window.env);
    if (this.config.current.connectionFile) this.publish(window.env.HEADROOM_ADDR, window.token);
  }

  private injectTerminals(env: Record<string, string>): void {
    const t = this.terminals;
    t.description = new vscode.MarkdownString('Headroom: lets Python programs run in this terminal report their memory to this window (listener address, token, the bundled client on `PYTHONPATH`).');
    t.replace('HEADROOM_ADDR', env.HEADROOM_ADDR);
    t.replace('HEADROOM_TOKEN', env.HEADROOM_TOKEN);
    // A replaced value, not prepend: an empty PYTHONPATH would otherwise end with a separator,
    // which Python reads as "the current folder" and puts on sys.path.
    t.replace('PYTHONPATH', env.PYTHONPATH);
  }

  private publish(addr: string, token: string): void {
    const dir = runtimeDirPath();
    const refusal = ensureRuntimeDir(dir);
    if (refusal) {
      this.log.warn(`no connection file: ${refusal}; programs started outside the editor will not find this window`);
      return;
    }
    const { removed, refused } = cleanStaleConnectionFiles(dir);
    for (const r of removed) this.log.info(`removed the connection file of a closed window: ${r}`);
    for (const r of refused) this.log.warn(`ignored in the runtime folder: ${r}`);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => realOrSame(f.uri.fsPath));
    try {
      this.filePath = writeConnectionFile(dir, { v: 1, addr, token, folders, pid: process.pid, created: Date.now() / 1000, python: this.pythonPath });
      this.log.info(`connection file ${this.filePath} for ${folders.length ? folders.join(', ') : 'no workspace folder'}`);
    } catch (e) {
      this.log.warn(`no connection file: ${(e as Error).message}`);
    }
  }

  private removeFile(): void {
    if (!this.filePath) return;
    rmSync(this.filePath, { force: true });
    this.filePath = undefined;
  }
}
