// The commands a timeline webview may ask the host to run. A webview message is only data: its
// command is checked against this closed set before anything runs, and no command id or
// `command:` URI is ever built from its text. No editor API here, so it is tested in plain mocha.
import type { PanelCommandName, StartCommand } from '../../shared/webviewMessages';

/** A toolbar or empty-state button of the panel; Compare off is the panel's own business. */
export type PanelCommand = Exclude<PanelCommandName, 'compareEnd'>;

const PANEL_COMMANDS: ReadonlySet<string> = new Set<PanelCommandName>(['runPythonFile', 'attachProcess', 'openRecording', 'forceCleanup', 'exportCsv', 'exportParquet', 'exportRecording', 'compare', 'compareEnd']);

/** Whether `name` (from a webview message, so untrusted) is one of the panel's commands. */
export function isPanelCommand(name: unknown): name is PanelCommandName {
  return typeof name === 'string' && PANEL_COMMANDS.has(name);
}

/** What the empty timeline offers: run the Python file beside it, attach, or open a recording. */
export const START_COMMANDS: readonly StartCommand[] = ['runPythonFile', 'attachProcess', 'openRecording'];
