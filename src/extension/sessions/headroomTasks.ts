import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { ConfigService } from '../config';
import { pythonInterpreter, startMonitoredProcess } from './launchers';
import type { SessionManager } from './sessionManager';

/** `{"type": "headroom", "program": "train.py"}` or `{"type": "headroom", "command": "make train"}` in tasks.json. */
export interface HeadroomTaskDefinition extends vscode.TaskDefinition {
  readonly type: 'headroom';
  /** A Python script, run with the configured interpreter. */
  readonly program?: string;
  /** Or any command line, run by the shell. */
  readonly command?: string;
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Open the program in the editor when the task starts. */
  readonly showProgram?: boolean;
}

export const TASK_TYPE = 'headroom';

/** Tasks that run a script or command with Headroom monitoring it (a `runOn: folderOpen` task makes a live demo). */
export class HeadroomTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
  ) {}

  provideTasks(): vscode.Task[] {
    return [];
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as HeadroomTaskDefinition;
    if (!def.program && !def.command) return undefined;
    const folder = typeof task.scope === 'object' ? (task.scope as vscode.WorkspaceFolder) : vscode.workspace.workspaceFolders?.[0];
    return new vscode.Task(def, task.scope ?? vscode.TaskScope.Workspace, task.name, TASK_TYPE, new vscode.CustomExecution(async () => this.pty(def, folder)));
  }

  private async pty(def: HeadroomTaskDefinition, folder: vscode.WorkspaceFolder | undefined): Promise<vscode.Pseudoterminal> {
    const root = folder?.uri.fsPath ?? process.cwd();
    const cwd = def.cwd ? (isAbsolute(def.cwd) ? def.cwd : join(root, def.cwd)) : root;
    let file: string;
    let args: string[];
    let name: string;
    if (def.program) {
      const program = isAbsolute(def.program) ? def.program : join(root, def.program);
      file = await pythonInterpreter(vscode.Uri.file(program), this.config.current.pythonInterpreter);
      args = ['-u', program, ...(def.args ?? [])];
      name = def.program;
    } else {
      const win = process.platform === 'win32';
      file = win ? 'cmd.exe' : '/bin/sh';
      args = win ? ['/d', '/c', def.command as string] : ['-c', def.command as string];
      name = def.command as string;
    }
    const programFile = def.program ? (isAbsolute(def.program) ? def.program : join(root, def.program)) : undefined;
    const { pty } = await startMonitoredProcess(this.sessions, { name, file, args, cwd, env: def.env, source: 'run', command: [file, ...args], programFile });
    // The demo's task opens its script, so the CodeLens are in view while it runs.
    if (programFile && def.showProgram) void vscode.window.showTextDocument(vscode.Uri.file(programFile), { preview: false, preserveFocus: true });
    return pty;
  }
}
