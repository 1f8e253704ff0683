import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const workspace = join(repo, 'test', 'fixtures', 'workspace');

describe('reach: programs started without a Headroom command (real editor)', function () {
  this.timeout(120_000);

  it('a script typed into a new integrated terminal shows up: status bar, CodeLens, its own session', async () => {
    const api = await headroom();
    await api.reach.whenReady();
    const file = join(workspace, 'terminal_target.py');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const started = Date.now();
    const terminal = vscode.window.createTerminal({ name: 'Headroom reach test', cwd: workspace });
    try {
      terminal.sendText(`/usr/bin/python3 ${file}`);
      const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'connected' && x.startedAt >= started && x.name === 'terminal_target.py'), 'a session started by the program itself', 45_000);
      assert.ok(s.live, 'monitored live');
      assert.equal(api.sessions.focused, s, 'the newest session takes the status bar');
      await waitFor(() => /\d+(\.\d+)? (MB|GB)/.test(api.statusBarItem.text) && api.statusBarItem.accessibilityInformation?.label.includes('terminal_target.py'), 'its size in the status bar', 20_000);
      const lens = await waitFor(async () => {
        const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
        return all.find((l) => l.range.start.line === 8 && /terminal: 120 MB held/.test(l.command?.title ?? ''))?.command?.title;
      }, 'a CodeLens at the checkpoint', 20_000);
      assert.match(lens, /\+1[0-9]{2}(\.\d)? MB/, `the lens shows the 120 MiB step: ${lens}`);
      assert.ok(s.monitor?.recordingPath, 'recorded like a launched run');
      await waitFor(() => !s.live, 'the session to end with the program', 30_000);
    } finally {
      terminal.dispose();
    }
  });
});
