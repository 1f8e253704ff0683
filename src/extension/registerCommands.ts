import * as vscode from 'vscode';
import { plainLabel } from '../shared/format';
import { CommandId } from './commands';
import type { ConfigService } from './config';
import type { DebugTracking } from './debug/debugTracking';
import { exportCsv } from './panel/panelActions';
import type { TimelinePanels } from './panel/timelinePanels';
import { forceCleanup } from './sessions/forceCleanup';
import { attachToProcess, runCommand, runPythonFile } from './sessions/launchers';
import type { SessionManager } from './sessions/sessionManager';

/** The services the commands act on, built by `activate`. */
export interface CommandDeps {
  readonly sessions: SessionManager;
  readonly panels: TimelinePanels;
  readonly config: ConfigService;
  readonly debug: DebugTracking;
  readonly log: vscode.LogOutputChannel;
}

/** Every command of the extension, owned by the context (as VS Code's markdown extension registers its own). */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { sessions, panels, config, debug, log } = deps;
  const notify = (ok: boolean, message: string) => void (ok ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.ShowTimeline, (args?: { sessionId?: string; t?: number }) => {
      if (args?.sessionId) sessions.focus(args.sessionId, true);
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
        const s = await sessions.openRecording(file.fsPath);
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
        await panel.setCompare(file.fsPath, typeof alignedAt === 'string' ? alignedAt : '');
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
      await exportCsv(session, file);
      return file;
    }),
    vscode.commands.registerCommand(CommandId.SelectSession, async () => {
      const pick = await pickSession(sessions, sessions.all());
      if (pick) sessions.focus(pick.session.id, true);
    }),
  );

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

