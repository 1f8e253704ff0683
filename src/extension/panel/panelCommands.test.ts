import * as assert from 'node:assert/strict';
import { isPanelCommand, START_COMMANDS } from './panelCommands';

describe('panel commands', () => {
  it("accepts only the panel's own command names", () => {
    for (const c of ['runPythonFile', 'attachProcess', 'openRecording', 'forceCleanup', 'exportCsv', 'exportParquet', 'exportRecording', 'compare', 'compareEnd']) assert.equal(isPanelCommand(c), true, c);
    for (const c of ['headroom.runPythonFile', 'workbench.action.terminal.new', 'command:headroom.forceCleanup', '', 'toString', '__proto__', 42, undefined, null, { command: 'compare' }]) {
      assert.equal(isPanelCommand(c), false, String(c));
    }
  });

  it('offers the empty timeline a run, an attach and a recording, each a panel command', () => {
    assert.deepEqual(START_COMMANDS, ['runPythonFile', 'attachProcess', 'openRecording']);
    assert.ok(START_COMMANDS.every(isPanelCommand));
  });
});
