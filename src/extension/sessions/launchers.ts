import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, plainLabel } from '../../shared/format';
import type { ConfigService } from '../config';
import { listProcesses } from '../../engine/sampling/processList';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { ProcessTerminal } from './processTerminal';
import type { SessionManager } from './sessionManager';

/** The interpreter chosen in the Python extension, when it is installed; else python3. */
export async function pythonInterpreter(resource?: vscode.Uri, configured = ''): Promise<string> {
  if (configured) return configured;
  const ext = vscode.extensions.getExtension<{ environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string } } }>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const p = api?.environments?.getActiveEnvironmentPath(resource)?.path;
      if (p) return p;
    } catch {
      /* fall through */
    }
  }
  return process.platform === 'win32' ? 'python' : 'python3';
}

export interface LaunchOptions {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly source: 'run' | 'command';
  readonly command: readonly string[];
  /** The script it runs, when it is one. */
  readonly programFile?: string;
}

/**
 * Starts a program with the Headroom environment and monitors it from its first instant;
 * the session ends with the process. Returns the pseudoterminal that shows its output.
 */
export async function startMonitoredProcess(sessions: SessionManager, opts: LaunchOptions): Promise<{ session?: MonitoringSession; pty: ProcessTerminal }> {
  const { token, sessionId, env } = await sessions.prepareEnvironment();
  const started: { session?: MonitoringSession } = {};
  const pty = new ProcessTerminal(opts.file, opts.args, { cwd: opts.cwd, env: { ...opts.env, ...env } }, (code, signal) => {
    // The exit code and signal explain the end (the OOM killer's SIGKILL, ...).
    started.session?.end(signal ? `killed by ${signal}` : `exited with code ${code}`, { code: code ?? null, signal: signal ?? null });
  });
  if (pty.pid) {
    started.session = sessions.start({ name: opts.name, source: opts.source, pid: pty.pid, token, sessionId, command: opts.command, programFile: opts.programFile });
    started.session.awaitExit = true;
  }
  return { session: started.session, pty };
}

/** Runs a program with Headroom, its output in a new terminal. */
export async function runInTerminal(sessions: SessionManager, opts: LaunchOptions): Promise<MonitoringSession | undefined> {
  const { session, pty } = await startMonitoredProcess(sessions, opts);
  if (!session) return undefined;
  vscode.window.createTerminal({ name: `Headroom: ${opts.name}`, pty }).show(true);
  return session;
}

export async function runPythonFile(sessions: SessionManager, config: ConfigService, uri?: vscode.Uri): Promise<MonitoringSession | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void vscode.window.showWarningMessage('Open a Python file to run it with Headroom.');
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty) await doc.save();
  const interpreter = await pythonInterpreter(target, config.current.pythonInterpreter);
  const folder = vscode.workspace.getWorkspaceFolder(target)?.uri.fsPath ?? dirname(target.fsPath);
  return runInTerminal(sessions, {
    name: basename(target.fsPath),
    file: interpreter,
    args: ['-u', target.fsPath],
    cwd: folder,
    source: 'run',
    command: [interpreter, target.fsPath],
    programFile: target.fsPath,
  });
}

export async function runCommand(sessions: SessionManager, commandLine?: string): Promise<MonitoringSession | undefined> {
  const line =
    commandLine ??
    (await vscode.window.showInputBox({
      title: 'Run Command with Headroom',
      prompt: 'A command line; Headroom monitors it and its children',
      placeHolder: 'python train.py --epochs 3',
      ignoreFocusOut: true,
    }));
  if (!line?.trim()) return undefined;
  const win = process.platform === 'win32';
  return runInTerminal(sessions, {
    name: line.length > 40 ? `${line.slice(0, 39)}…` : line,
    file: win ? 'cmd.exe' : '/bin/sh',
    args: win ? ['/d', '/c', line] : ['-c', line],
    cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    source: 'command',
    command: [line],
  });
}

export async function attachToProcess(sessions: SessionManager, config: ConfigService, pid?: number): Promise<MonitoringSession | undefined> {
  if (pid === undefined) {
    const procs = (await listProcesses()).filter((p) => p.pid !== process.pid).slice(0, 300);
    const pick = await vscode.window.showQuickPick(
      procs.map((p) => ({
        label: `${plainLabel(p.name, 40)}  ${formatBytes(p.rss, config.current.units)}`,
        description: `pid ${p.pid}`,
        detail: plainLabel(p.cmdline, 200),
        pid: p.pid,
      })),
      { title: 'Attach Headroom to Process', placeHolder: 'Processes by memory (RSS)', matchOnDescription: true, matchOnDetail: true },
    );
    if (!pick) return undefined;
    pid = pick.pid;
  }
  const name = procName(pid);
  return sessions.start({ name: `${name} (${pid})`, source: 'attach', pid });
}

function procName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return `pid ${pid}`;
  }
}
