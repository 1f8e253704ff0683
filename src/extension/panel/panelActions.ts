import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { storeToCsv } from '../../engine/recording/csv';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { CommandId } from '../commands';
import type { PanelCommand } from './panelCommands';

/** The file a session's data lives in: the opened recording, or the live run's own. */
export function recordingPathOf(s: MonitoringSession): string | undefined {
  return s.source === 'recording' ? s.name : s.recordingPath;
}

/** Writes the session's raw samples as CSV to `uri`. */
export async function exportCsv(s: MonitoringSession, uri: vscode.Uri): Promise<void> {
  await writeFile(uri.fsPath, storeToCsv(s.store));
}

/** Opens a source line the program reported: only as a document, and only if the file exists here. */
export async function revealLine(file: string, line: number): Promise<void> {
  if (typeof file !== 'string' || !existsSync(file) || !Number.isInteger(line) || line < 1) {
    void vscode.window.showWarningMessage('Headroom: that source file is not on this machine.');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const pos = new vscode.Position(Math.min(line, doc.lineCount) - 1, 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
}

/** The Python file of a visible editor (the one most recently active first), if any. */
function pythonFileInView(): vscode.Uri | undefined {
  const editors = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors];
  return editors.find((e) => e?.document.languageId === 'python' && e.document.uri.scheme === 'file')?.document.uri;
}

/** Asks for a Python file, starting in the first workspace folder. */
async function pickPythonFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Run Python File with Headroom',
    openLabel: 'Run with Headroom',
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { Python: ['py'] },
  });
  return picked?.[0];
}

/** Runs a toolbar button through the extension's commands; true when the panel should redraw. */
export async function runPanelCommand(command: PanelCommand, session: MonitoringSession | undefined): Promise<boolean> {
  switch (command) {
    case 'runPythonFile': {
      // The panel has the focus, so there is no active editor: run the Python file shown beside it, or ask for one.
      const file = pythonFileInView() ?? (await pickPythonFile());
      if (file) await vscode.commands.executeCommand(CommandId.RunPythonFile, file);
      return false;
    }
    case 'attachProcess':
      await vscode.commands.executeCommand(CommandId.AttachProcess);
      return false;
    case 'forceCleanup':
      await vscode.commands.executeCommand(CommandId.ForceCleanup);
      return true;
    case 'openRecording':
      await vscode.commands.executeCommand(CommandId.OpenRecording);
      return false;
    case 'compare':
      // The command compares in the active panel: this one, since its button was just clicked.
      await vscode.commands.executeCommand(CommandId.CompareRecording);
      return false;
    case 'exportCsv': {
      const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(CommandId.ExportCsv);
      if (uri) void vscode.window.showInformationMessage(`Headroom: samples written to ${uri.fsPath}`);
      return false;
    }
    case 'exportParquet':
      // The command exports the recording of the run in front: this panel's, since its button was just clicked.
      await vscode.commands.executeCommand(CommandId.ExportParquet);
      return false;
    case 'exportRecording': {
      const path = session && recordingPathOf(session);
      if (!path || !existsSync(path)) {
        void vscode.window.showWarningMessage('Headroom: this session has no recording file.');
        return false;
      }
      const uri = await vscode.window.showSaveDialog({ title: 'Save recording', filters: { 'Headroom recording': ['ndjson'] } });
      if (uri) await copyFile(path, uri.fsPath);
      return false;
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown panel command ${String(unknown)}`);
    }
  }
}
