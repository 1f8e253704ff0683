import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const PROGRAM = join(repo, 'test', 'fixtures', 'workspace', 'alloc_sites.py');
const MiB = 2 ** 20;

describe('Show Allocation Sites: the lines that hold the memory, inline and in a view (real editor)', function () {
  this.timeout(120_000);

  it('asks the running program, then shows each known site on its line within 5%, largest first in the view', async () => {
    const api = await headroom();
    process.env.HOLD_S = '20';
    const uri = vscode.Uri.file(PROGRAM);
    const editor = await vscode.window.showTextDocument(uri);
    const s = (await vscode.commands.executeCommand('headroom.runPythonFile', uri)) as MonitoringSession;
    delete process.env.HOLD_S;
    await waitFor(() => s.ingest.lastCheckpoint?.label === 'built', 'the program to build its sites', 60_000);
    const out = (await vscode.commands.executeCommand('headroom.showAllocationSites')) as { ok: boolean; message: string };
    assert.equal(out.ok, true, out.message);
    const readouts = api.allocations.readoutsFor(editor.document);
    const at = (line: number) => readouts.find((r) => r.line === line);
    const within = (line: number, want: number) => {
      const r = at(line);
      assert.ok(r, `a readout on line ${line}: ${JSON.stringify(readouts.map((x) => [x.line, x.size]))}`);
      assert.ok(Math.abs(r.size - want) / want < 0.05, `line ${line}: ${r.size} bytes, want ${want}`);
    };
    within(8, 300 * MiB);
    within(9, 50 * 4 * MiB);
    const strings = at(12);
    assert.ok(strings && strings.size > 20_000 * 1000 && strings.size < 20_000 * 1100, `line 12: ${strings?.size}`);
    // The view lists them, largest first; a row goes to its line.
    const rows = api.allocations.getChildren();
    const sites = rows.filter((r): r is Extract<typeof r, { kind: 'site' }> => r.kind === 'site');
    assert.deepEqual(sites.slice(0, 3).map((r) => r.site.line), [8, 9, 12]);
    assert.ok(!sites.some((r) => r.site.file.startsWith(api.pythonPath)), "Headroom's own lines are not the user's: they sit in a package row");
    // Only lines that hold real memory get an inline readout.
    assert.ok(readouts.filter((r) => r.size >= 2 ** 20).every((r) => [8, 9, 12].includes(r.line)), JSON.stringify(readouts.map((r) => [r.line, r.size])));
    const item = api.allocations.getTreeItem(sites[0]);
    assert.equal(item.label, 'alloc_sites.py:8');
    assert.match(String(item.description), /^holds 3\d\d MB in \d+ blocks?/);
    assert.equal(item.command?.command, 'vscode.open');
    s.end('test');
  });

  it('in a program paused in the debugger, takes the sites in the paused frame', async () => {
    const api = await headroom();
    const started = Date.now();
    let stopped = false;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type?: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped') stopped = true;
        },
      }),
    });
    assert.ok(await vscode.debug.startDebugging(undefined, { type: 'debugpy', request: 'launch', name: 'Headroom sites test', program: PROGRAM, python: '/usr/bin/python3', env: { HOLD_S: '30' }, console: 'internalConsole', justMyCode: true }));
    try {
      const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'debug' && x.startedAt >= started), 'the debug session monitored', 60_000);
      await waitFor(() => s.ingest.lastCheckpoint?.label === 'built', 'the program to build its sites', 60_000);
      const dbg = vscode.debug.activeDebugSession as vscode.DebugSession;
      const threads = ((await dbg.customRequest('threads')) as { threads: { id: number; name: string }[] }).threads;
      await dbg.customRequest('pause', { threadId: (threads.find((t) => t.name === 'MainThread') ?? threads[0]).id });
      await waitFor(() => stopped, 'the debuggee to stop', 15_000);
      api.sessions.focus(s.id, true);
      const out = (await vscode.commands.executeCommand('headroom.showAllocationSites')) as { ok: boolean; message: string };
      assert.equal(out.ok, true, out.message);
      assert.match(out.message, /paused frame/);
      const big = s.ingest.allocations.forFile(PROGRAM).find((r) => r.line === 8);
      assert.ok(big && Math.abs(big.size - 300 * MiB) / (300 * MiB) < 0.05, JSON.stringify(big));
    } finally {
      tracker.dispose();
      await vscode.debug.stopDebugging();
      // The next test starts with no paused program left behind.
      await waitFor(() => api.sessions.all().every((x) => x.source !== 'debug' || !x.live), 'the debug session to end', 30_000).catch(() => undefined);
    }
  });

  it('says why when the program has no client to ask', async () => {
    await headroom();
    const out = (await vscode.commands.executeCommand('headroom.showAllocationSites')) as { ok: boolean; message: string };
    assert.equal(out.ok, false);
    assert.match(out.message, /no running program|no client|did not answer/);
  });
});
