import { join } from 'node:path';
import * as vscode from 'vscode';
import { plainLabel } from '../shared/format';
import { CommandId } from './commands';
import { ConfigService } from './config';
import { DebugTracking } from './debug/debugTracking';
import { exportCsv, TimelinePanels } from './panel/timelinePanel';
import { forceCleanup } from './sessions/forceCleanup';
import { HeadroomTaskProvider, TASK_TYPE } from './sessions/headroomTasks';
import { attachToProcess, runCommand, runPythonFile } from './sessions/launchers';
import { SessionManager } from './sessions/sessionManager';
import { PressureAlerts } from './views/alerts';
import { CheckpointLensController } from './views/checkpointLenses';
import { StatusBarController } from './views/statusBar';

/** What `activate` returns: used by the editor suites and by other extensions. */
export interface HeadroomApi {
  /** Time spent in `activate`, milliseconds. */
  readonly activationMs: number;
  readonly statusBarItem: vscode.StatusBarItem;
  readonly panels: TimelinePanels;
  readonly sessions: SessionManager;
  readonly alerts: PressureAlerts;
  /** Where the bundled Python client lives (put on PYTHONPATH of launched runs). */
  readonly pythonPath: string;
}

/** The composition root: builds every service once and hands each root to the context. */
export function activate(context: vscode.ExtensionContext): HeadroomApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Headroom', { log: true });
  const config = new ConfigService();
  const pythonPath = join(context.extensionPath, 'dist', 'python');
  const sessions = new SessionManager(join(context.globalStorageUri.fsPath, 'recordings'), config, pythonPath, log);
  const panels = new TimelinePanels(context.extensionUri, sessions, config, log, context.workspaceState);
  const statusBar = new StatusBarController(sessions, config);
  const lenses = new CheckpointLensController(sessions, config);
  const debug = new DebugTracking(sessions, config, log);
  const alerts = new PressureAlerts(sessions, config, log);
  context.subscriptions.push(log, config, sessions, panels, statusBar, lenses, debug, alerts);
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, new HeadroomTaskProvider(sessions, config)));

  const notify = (ok: boolean, message: string) => void (ok ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.ShowTimeline, (args?: { sessionId?: string; t?: number }) => {
      if (args?.sessionId) sessions.focus(args.sessionId);
      return panels.showLive(typeof args?.t === 'number' ? args.t : undefined);
    }),
    vscode.commands.registerCommand(CommandId.ShowLog, () => log.show(true)),
    vscode.commands.registerCommand(CommandId.RunPythonFile, (uri?: vscode.Uri) => runPythonFile(sessions, config, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(CommandId.RunCommand, (line?: string) => runCommand(sessions, typeof line === 'string' ? line : undefined)),
    vscode.commands.registerCommand(CommandId.AttachProcess, (pid?: number) => attachToProcess(sessions, config, typeof pid === 'number' ? pid : undefined)),
    vscode.commands.registerCommand(CommandId.StopMonitoring, async () => {
      const live = sessions.all().filter((s) => s.live);
      if (live.length === 0) return notify(false, 'Headroom is not monitoring anything.');
      const target = live.length === 1 ? live[0] : (await pickSession(sessions, live))?.session;
      target?.end('stopped from the editor');
    }),
    vscode.commands.registerCommand(CommandId.OpenRecording, async (uri?: vscode.Uri) => {
      const file = uri instanceof vscode.Uri ? uri : await pickRecording('Open Headroom Recording');
      if (!file) return undefined;
      try {
        const s = sessions.openRecording(file.fsPath);
        panels.showRecording(s);
        return s;
      } catch (e) {
        notify(false, `Could not open ${file.fsPath}: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(CommandId.ForceCleanup, async () => {
      const out = await forceCleanup(sessions.focused, debug, config.current.units);
      notify(out.ok, out.message);
      return out;
    }),
    vscode.commands.registerCommand(CommandId.CompareRecording, async (uri?: vscode.Uri, alignedAt?: string) => {
      const panel = panels.active ?? panels.showLive();
      const file = uri instanceof vscode.Uri ? uri : await pickRecording('Compare with Recording');
      if (!file) return undefined;
      try {
        panel.setCompare(file.fsPath, typeof alignedAt === 'string' ? alignedAt : '');
        panel.reveal();
        return panel;
      } catch (e) {
        notify(false, `Could not open ${file.fsPath}: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(CommandId.ExportCsv, async (uri?: vscode.Uri) => {
      const session = panels.active?.boundSession ?? sessions.focused;
      if (!session) return notify(false, 'Headroom: nothing to export yet.');
      const file = uri instanceof vscode.Uri ? uri : await vscode.window.showSaveDialog({ title: 'Export samples as CSV', filters: { CSV: ['csv'] }, saveLabel: 'Export' });
      if (!file) return undefined;
      exportCsv(session, file);
      return file;
    }),
    vscode.commands.registerCommand(CommandId.SelectSession, async () => {
      const pick = await pickSession(sessions, sessions.all());
      if (pick) sessions.focus(pick.session.id);
    }),
  );

  const activationMs = performance.now() - started;
  log.info(`Headroom ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(2)} ms`);
  return { activationMs, statusBarItem: statusBar.item, panels, sessions, alerts, pythonPath };
}

/** Asks for a recording file. */
async function pickRecording(title: string): Promise<vscode.Uri | undefined> {
  return (await vscode.window.showOpenDialog({ title, filters: { 'Headroom recordings': ['ndjson', 'jsonl'] }, canSelectMany: false }))?.[0];
}

function pickSession(sessions: SessionManager, list: ReturnType<SessionManager['all']>) {
  return vscode.window.showQuickPick(
    list.map((s) => ({
      label: plainLabel(s.name, 80),
      description: `${s.source}${s.live ? '' : ' · ended'}${sessions.focused === s ? ' · in focus' : ''}`,
      session: s,
    })),
    { title: 'Headroom Sessions' },
  );
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
