import * as vscode from 'vscode';
import type { ConfigService } from '../config';
import type { SessionManager } from '../sessions/sessionManager';
import { Disposable } from '../util/dispose';
import { monitorKernelCode } from './kernelCode';

/** What running code in a notebook's kernel gave. */
export interface KernelRunResult {
  readonly ok: boolean;
  /** What the kernel printed. */
  readonly output: string;
  /** Why it could not run, in words for the user. */
  readonly reason?: string;
}

/**
 * Runs code in the kernel of an open notebook. Behind an interface because the real one needs
 * the VS Code Jupyter extension, which these machines cannot install: its tests use a stand-in.
 */
export interface KernelCodeRunner {
  run(notebook: vscode.Uri, code: string): Promise<KernelRunResult>;
  /** Kernels that start from now on (when the runner can tell). */
  onDidStartKernel?(listener: (notebook: vscode.Uri) => void): vscode.Disposable;
}

/** The Jupyter extension's public API, as much of it as Headroom uses (github.com/microsoft/vscode-jupyter, src/api.d.ts). */
interface JupyterApi {
  readonly kernels?: {
    getKernel(uri: vscode.Uri): Thenable<{ executeCode(code: string, token: vscode.CancellationToken): AsyncIterable<{ items: { mime: string; data: Uint8Array }[] }[] | { mime: string; data: Uint8Array }[]> } | undefined>;
    readonly onDidStart?: vscode.Event<{ uri: vscode.Uri }>;
  };
}

const JUPYTER_ID = 'ms-toolsai.jupyter';
const NO_JUPYTER = 'the Jupyter extension (ms-toolsai.jupyter) is not installed. In the notebook, run `%load_ext headroom` in a cell instead (with the client installed: Headroom: Install Python Client into the Selected Interpreter).';

/**
 * The real runner, through the Jupyter extension's `kernels.getKernel(uri).executeCode(...)`
 * (which asks the user's consent once). Untested against the real extension here: it cannot
 * be installed on these machines (README).
 */
export class JupyterExtensionRunner implements KernelCodeRunner {
  private async api(): Promise<JupyterApi | undefined> {
    const ext = vscode.extensions.getExtension<JupyterApi>(JUPYTER_ID);
    if (!ext) return undefined;
    return ext.isActive ? ext.exports : await ext.activate();
  }

  async run(notebook: vscode.Uri, code: string): Promise<KernelRunResult> {
    const api = await this.api();
    if (!api?.kernels) return { ok: false, output: '', reason: NO_JUPYTER };
    const kernel = await api.kernels.getKernel(notebook);
    if (!kernel) return { ok: false, output: '', reason: 'no kernel runs for this notebook yet: run a cell first, then try again.' };
    const decoder = new TextDecoder();
    let output = '';
    const cancel = new vscode.CancellationTokenSource();
    try {
      for await (const out of kernel.executeCode(code, cancel.token)) {
        // Outputs are lists of items (older API: one list of items per output).
        const items = (Array.isArray(out) ? out : [out]).flatMap((o) => ('items' in o ? o.items : [o]));
        for (const item of items) if (item.mime.startsWith('text/') || item.mime.includes('stdout') || item.mime.includes('stderr')) output += decoder.decode(item.data);
      }
    } finally {
      cancel.dispose();
    }
    return { ok: true, output };
  }

  onDidStartKernel(listener: (notebook: vscode.Uri) => void): vscode.Disposable {
    let sub: vscode.Disposable | undefined;
    let disposed = false;
    void this.api().then((api) => {
      if (!disposed && api?.kernels?.onDidStart) sub = api.kernels.onDidStart((e) => listener(e.uri));
    });
    return new vscode.Disposable(() => {
      disposed = true;
      sub?.dispose();
    });
  }
}

/** "Headroom: Monitor Notebook Kernel", and the setting that does it for every kernel that starts. */
export class NotebookKernels extends Disposable {
  /** Swappable: the editor suite puts a stand-in here (a real ipykernel driven without the Jupyter extension). */
  runner: KernelCodeRunner;
  private autoSub: vscode.Disposable | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly pythonPath: string,
    private readonly log: vscode.LogOutputChannel,
    runner: KernelCodeRunner = new JupyterExtensionRunner(),
  ) {
    super();
    this.runner = runner;
    this._register(config.onDidChange(() => this.followSetting()));
    this._register({ dispose: () => this.autoSub?.dispose() });
    this.followSetting();
  }

  /** Connects the kernel of `notebook` (default: the notebook in front) to this window. */
  async monitor(notebook?: vscode.Uri, quiet = false): Promise<KernelRunResult> {
    const uri = notebook ?? vscode.window.activeNotebookEditor?.notebook.uri;
    if (!uri) {
      const r = { ok: false, output: '', reason: 'open a notebook first.' };
      if (!quiet) void vscode.window.showWarningMessage(`Headroom: ${r.reason}`);
      return r;
    }
    const { env } = await this.sessions.windowEnvironment();
    const code = monitorKernelCode(env.HEADROOM_ADDR, env.HEADROOM_TOKEN, this.pythonPath);
    let r: KernelRunResult;
    try {
      r = await this.runner.run(uri, code);
    } catch (e) {
      r = { ok: false, output: '', reason: (e as Error).message };
    }
    const reported = r.ok && /this kernel reports its cell runs/.test(r.output);
    this.log.info(`monitor notebook kernel ${uri.toString()}: ${r.ok ? r.output.trim() : r.reason}`);
    if (!quiet) {
      if (reported) void vscode.window.showInformationMessage('Headroom: the kernel reports its cell runs from the next cell on.');
      else void vscode.window.showWarningMessage(`Headroom could not monitor this notebook's kernel: ${r.reason ?? r.output.trim()}`);
    }
    return { ...r, ok: reported };
  }

  private followSetting(): void {
    this.autoSub?.dispose();
    this.autoSub = this.config.current.monitorNotebookKernels ? this.runner.onDidStartKernel?.((uri) => void this.monitor(uri, true)) : undefined;
  }
}
