import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, headroom, waitFor } from './util';

describe('activation (real editor)', () => {
  it('is active after startup and cheap to activate', async () => {
    const api = await headroom();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(ext?.isActive, true);
    assert.ok(api.activationMs > 0, 'activation time is measured');
    assert.ok(api.activationMs < 100, `activation took ${api.activationMs} ms`);
  });

  it('registers every contributed command, all in the Headroom category', async () => {
    await headroom();
    const all = new Set(await vscode.commands.getCommands(true));
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands ?? []) as {
      command: string;
      category: string;
    }[];
    assert.ok(contributed.length >= 2);
    for (const c of contributed) {
      assert.ok(all.has(c.command), `${c.command} is contributed but not registered`);
      assert.equal(c.category, 'Headroom');
    }
  });

  it('shows a status-bar item reading Headroom that opens the timeline', async () => {
    const api = await headroom();
    assert.match(api.statusBarItem.text, /Headroom/);
    assert.equal(api.statusBarItem.command, 'headroom.showTimeline');
  });

  it('opens the timeline panel as a webview tab, once', async () => {
    const api = await headroom();
    const isTimeline = (t: vscode.Tab) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('headroom.timeline');
    const timelineTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(isTimeline);
    await vscode.commands.executeCommand('headroom.showTimeline');
    await waitFor(() => timelineTabs().length === 1, 'the timeline tab');
    await vscode.commands.executeCommand('headroom.showTimeline');
    assert.equal(timelineTabs().length, 1, 'a second show reveals the same panel');
    api.panels.live?.dispose();
    await waitFor(() => timelineTabs().length === 0, 'the timeline tab to close');
    assert.equal(api.panels.live, undefined);
  });
});
