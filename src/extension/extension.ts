import * as vscode from 'vscode';
import { CommandId } from './commands';
import { TimelinePanels } from './panel/timelinePanel';
import { StatusBarController } from './views/statusBar';

/** What `activate` returns: used by the editor suites and by other extensions. */
export interface HeadroomApi {
  /** Time spent in `activate`, milliseconds. */
  readonly activationMs: number;
  readonly statusBarItem: vscode.StatusBarItem;
  readonly panels: TimelinePanels;
}

/** The composition root: builds every service once and hands each root to the context. */
export function activate(context: vscode.ExtensionContext): HeadroomApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Headroom', { log: true });
  context.subscriptions.push(log);

  const panels = new TimelinePanels(context.extensionUri, log);
  const statusBar = new StatusBarController();
  context.subscriptions.push(panels, statusBar);

  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.ShowTimeline, () => {
      panels.showLive();
    }),
    vscode.commands.registerCommand(CommandId.ShowLog, () => log.show(true)),
  );

  const activationMs = performance.now() - started;
  log.info(`Headroom ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(2)} ms`);
  return { activationMs, statusBarItem: statusBar.item, panels };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
