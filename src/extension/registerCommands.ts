import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { plainLabel } from '../shared/format';
import { CommandId } from './commands';
import type { ConfigService } from './config';
import type { DebugTracking } from './debug/debugTracking';
import { exportCsv, recordingPathOf } from './panel/panelActions';
import type { TimelinePanels } from './panel/timelinePanels';
import { exportParquet } from './sessions/exportParquet';
import { forceCleanup } from './sessions/forceCleanup';
import { attachToProcess, runCommand, runPythonFile } from './sessions/launchers';
import type { SessionManager } from './sessions/sessionManager';
import { shortName } from './sessions/sessionLabel';
import { csvName } from './util/fileNames';
import { installPythonClient } from './python/installClient';
import type { NotebookKernels } from './notebook/notebookKernels';
import type { AllocationViews } from './allocations/allocationViews';
import type { SessionsNode, SessionsView } from './views/sessionsView';

/** The services the commands act on, built by `activate`. */
export interface CommandDeps {
  readonly sessions: SessionManager;
  readonly panels: TimelinePanels;
  readonly config: ConfigService;
  readonly debug: DebugTracking;
  readonly log: vscode.LogOutputChannel;
  /** Where the extension keeps its recordings: file dialogs start there. */
  readonly recordingsDir: string;
  readonly sessionsView: SessionsView;
  /** The extension's folder: the bundled client's wheel is in its dist/python-wheel/. */
  readonly extensionPath: string;
  readonly kernels: NotebookKernels;
  readonly allocations: AllocationViews;
}

/** Every command of the extension, owned by the context (as VS Code's markdown extension registers its own). */
export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { sessions, panels, config, debug, log, recordingsDir } = deps;
  const pickRecording = (title: string) => askForRecording(title, recordingsDir);
  const notify = (ok: boolean, message: string) => void (ok ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.ShowTimeline, (args?: { sessionId?: string; t?: number }) => {
      const t = typeof args?.t === 'number' ? args.t : undefined;
      const target = args?.sessionId ? sessions.get(args.sessionId) : undefined;
      // A lens of a recording opens that recording's own panel, at the lens's checkpoint.
      if (target?.source === 'recording') {
        const p = panels.showRecording(target);
        if (t !== undefined) p.focusAt(t);
        return p;
      }
      if (target) sessions.focus(target.id, true);
      return panels.showLive(t);
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
      // The panel's webview boots while the run is read: both take about as long on a day-long run.
      const panel = panels.opening(basename(file.fsPath));
      try {
        const s = await sessions.openRecording(file.fsPath);
        if (panel.isDisposed) panels.showRecording(s);
        else panels.opened(panel, s);
        return s;
      } catch (e) {
        panel.dispose();
        notify(false, `Could not open ${file.fsPath}: ${(e as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(CommandId.ShowAllocationSites, async () => {
      const out = await deps.allocations.request();
      notify(out.ok, out.message);
      if (out.ok) void vscode.commands.executeCommand('headroom.allocations.focus');
      return out;
    }),
    vscode.commands.registerCommand(CommandId.OpenMultiNodeRun, async (uris?: vscode.Uri[]) => {
      const files = Array.isArray(uris) && uris.length ? uris : await vscode.window.showOpenDialog({ title: 'Open Multi-Node Run: one recording per node', defaultUri: existsSync(recordingsDir) ? vscode.Uri.file(recordingsDir) : workspaceDir(), filters: { 'Headroom recordings': ['ndjson', 'jsonl'] }, canSelectMany: true, openLabel: 'Open as One Run' });
      if (!files?.length) return undefined;
      try {
        const s = await sessions.openMultiNodeRun(files.map((f) => f.fsPath));
        panels.showRecording(s);
        return s;
      } catch (e) {
        notify(false, `Headroom could not open these recordings as one run: ${plainLabel((e as Error).message, 300)}`);
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
      const defaultUri = vscode.Uri.joinPath(workspaceDir() ?? vscode.Uri.file(recordingsDir), csvName(shortName(session), new Date()));
      const file = uri instanceof vscode.Uri ? uri : await vscode.window.showSaveDialog({ title: 'Export samples as CSV', defaultUri, filters: { CSV: ['csv'] }, saveLabel: 'Export' });
      if (!file) return undefined;
      await exportCsv(session, file);
      return file;
    }),
    vscode.commands.registerCommand(CommandId.ExportParquet, async (source?: vscode.Uri, target?: vscode.Uri) => {
      // A recording given (the Headroom view's row), else the one of the run in front, else ask for one.
      const session = panels.active?.boundSession ?? sessions.focused;
      const inFront = session && recordingPathOf(session);
      const path = source instanceof vscode.Uri ? source.fsPath : inFront && existsSync(inFront) ? inFront : (await pickRecording('Export Recording as Parquet'))?.fsPath;
      if (!path) return undefined;
      const program = path === inFront && session ? shortName(session) : basename(path);
      return exportParquet(path, program, workspaceDir() ?? vscode.Uri.file(recordingsDir), target instanceof vscode.Uri ? target : undefined);
    }),
    ...registerViewCommands(deps, pickRecording),
    vscode.commands.registerCommand(CommandId.MonitorNotebookKernel, (uri?: vscode.Uri) => deps.kernels.monitor(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(CommandId.InstallPythonClient, () => installPythonClient(deps.extensionPath, config, log)),
    vscode.commands.registerCommand(CommandId.SelectSession, async () => {
      const pick = await pickSession(sessions, sessions.all());
      if (pick) sessions.focus(pick.session.id, true);
    }),
  );

}

/** Asks for a recording file, starting in the extension's recordings (else the workspace). */
async function askForRecording(title: string, recordingsDir: string): Promise<vscode.Uri | undefined> {
  const defaultUri = existsSync(recordingsDir) ? vscode.Uri.file(recordingsDir) : workspaceDir();
  return (await vscode.window.showOpenDialog({ title, defaultUri, filters: { 'Headroom recordings': ['ndjson', 'jsonl'] }, canSelectMany: false, openLabel: 'Open' }))?.[0];
}

function workspaceDir(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
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


/** The Headroom view's row actions: each gets the row it was invoked on. */
function registerViewCommands(deps: CommandDeps, pickRecording: (title: string) => Promise<vscode.Uri | undefined>): vscode.Disposable[] {
  const { sessions, panels, config, debug } = deps;
  const sessionOf = (n?: SessionsNode) => (n?.kind === 'session' ? n.session : undefined);
  const recordingOf = (n?: SessionsNode) => (n?.kind === 'recording' ? n.entry.path : n?.kind === 'session' ? n.session.recordingPath : undefined);
  return [
    vscode.commands.registerCommand(CommandId.SessionsOpenTimeline, (n?: SessionsNode) => {
      const s = sessionOf(n);
      if (!s) return undefined;
      if (s.source === 'recording') return panels.showRecording(s);
      sessions.focus(s.id, true);
      return panels.showLive();
    }),
    vscode.commands.registerCommand(CommandId.SessionsRefresh, () => deps.sessionsView.reload()),
    vscode.commands.registerCommand(CommandId.SessionsStop, (n?: SessionsNode) => sessionOf(n)?.end('stopped from the editor')),
    vscode.commands.registerCommand(CommandId.SessionsForceCleanup, async (n?: SessionsNode) => {
      const s = sessionOf(n);
      if (!s) return undefined;
      const out = await forceCleanup(s, debug, config.current.units);
      void (out.ok ? vscode.window.showInformationMessage(out.message) : vscode.window.showWarningMessage(out.message));
      return out;
    }),
    vscode.commands.registerCommand(CommandId.SessionsOpenProgram, (n?: SessionsNode) => {
      const file = sessionOf(n)?.programFile;
      return file ? vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false }) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.SessionsCompare, async (n?: SessionsNode) => {
      const path = recordingOf(n) ?? (await pickRecording('Compare with Recording'))?.fsPath;
      return path ? vscode.commands.executeCommand(CommandId.CompareRecording, vscode.Uri.file(path)) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.SessionsExportParquet, (n?: SessionsNode) => {
      const path = recordingOf(n);
      return path ? vscode.commands.executeCommand(CommandId.ExportParquet, vscode.Uri.file(path)) : undefined;
    }),
    vscode.commands.registerCommand(CommandId.SessionsRevealRecording, async (n?: SessionsNode) => {
      const path = recordingOf(n);
      if (!path) return;
      // The OS file manager is on this machine only in a local desktop window; elsewhere (remote, web) the path is what helps.
      if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) return vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
      await vscode.env.clipboard.writeText(path);
      void vscode.window.showInformationMessage(`Headroom: copied the recording's path: ${plainLabel(path, 200)}`);
    }),
  ];
}
