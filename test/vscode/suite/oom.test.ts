import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { makeTestCgroup, type TestCgroup } from '../../unit/cgroupOomHelpers';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const GROW = join(repo, 'test', 'fixtures', 'oom', 'grow.py');
const LIMIT = 300 * 2 ** 20;

async function setGuard(mode: 'off' | 'pause' | 'interrupt'): Promise<void> {
  await vscode.workspace.getConfiguration('headroom').update('guard.mode', mode === 'off' ? undefined : mode, vscode.ConfigurationTarget.Global);
  await headroom(); // the guard re-arms on the configuration event
}

/** grow.py run from "Run Command with Headroom": the shell enters the cgroup, then becomes Python (the monitored root). */
async function runInCgroup(cg: TestCgroup, saved: string): Promise<MonitoringSession> {
  const line = `echo $$ > ${cg.procs} && exec /usr/bin/python3 ${GROW} ${saved}`;
  const s = (await vscode.commands.executeCommand('headroom.runCommand', line)) as MonitoringSession | undefined;
  assert.ok(s, 'a session started');
  return s;
}

describe('out of memory: explained when it happens, stopped before it by the guard (real editor, real cgroups)', function () {
  this.timeout(120_000);
  let dir: string;
  let cg: TestCgroup | undefined;
  let n = 100;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-oom-editor-'));
    cg = makeTestCgroup(LIMIT, n++);
  });
  afterEach(async () => {
    await setGuard('off');
    await cg?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run killed by the OOM killer in its cgroup says so: from the cgroup counter, with the limit and the last checkpoint, in a notification and the status bar', async () => {
    const api = await headroom();
    await setGuard('off');
    const s = await runInCgroup(cg as TestCgroup, join(dir, 'saved'));
    await waitFor(() => !s.live, 'the run to end', 90_000);
    assert.equal(s.exitDescription, 'killed by SIGKILL');
    const e = s.endExplanation;
    assert.equal(e?.kind, 'oom-kill-cgroup', JSON.stringify(e));
    assert.match(e?.text ?? '', /^Killed by the out-of-memory killer at \d+ MB \(cgroup limit 315 MB\), [\d.]+ (ms|s) after 'step \d+' \(grow\.py:16\)/);
    const told = await waitFor(() => api.guard.messages.find((m) => m.includes('out-of-memory killer')), 'the notification');
    assert.match(told, /^echo \$\$ > .*: Killed by the out-of-memory killer/);
    if (api.sessions.focused === s) {
      assert.match(api.statusBarItem.text, /\(out of memory\)$/);
      assert.match((api.statusBarItem.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1'), /Killed by the out-of-memory killer/);
    }
    // The timeline's marker: an alert event of the end's kind.
    assert.ok(s.store.events.all().some((ev) => ev.kind === 'alert' && (ev.data as { alert?: string } | undefined)?.alert === 'oom-kill-cgroup'));
  });

  it('with the guard on interrupt, the program gets a KeyboardInterrupt below the limit, saves and exits 0', async () => {
    const api = await headroom();
    await setGuard('interrupt');
    const saved = join(dir, 'saved');
    const s = await runInCgroup(cg as TestCgroup, saved);
    await waitFor(() => !s.live, 'the run to end', 90_000);
    assert.equal(s.exitDescription, 'exited with code 0');
    assert.match(readFileSync(saved, 'utf8'), /^saved after step \d+/);
    assert.equal((cg as TestCgroup).oomKills(), 0, 'stopped before the OOM killer');
    assert.ok(api.guard.messages.some((m) => /^Headroom interrupted .* at \d+ MB of 315 MB \(cgroup limit\)/.test(m)), api.guard.messages.join('\n'));
    assert.ok(s.store.events.all().some((ev) => ev.kind === 'alert' && (ev.data as { alert?: string } | undefined)?.alert === 'guard'), 'the guard marked the timeline');
  });

  it('with the guard on pause, a debugpy session stops (reason pause) below the limit, and continues when told', async () => {
    const api = await headroom();
    await setGuard('pause');
    const c = cg as TestCgroup;
    // An interpreter that enters the cgroup first: the debuggee runs inside it.
    const python = join(dir, 'python-in-cgroup');
    writeFileSync(python, `#!/bin/sh\necho $$ > ${c.procs}\nexec /usr/bin/python3 "$@"\n`);
    chmodSync(python, 0o755);
    const stops: { reason?: string; threadId?: number }[] = [];
    let debugSession: vscode.DebugSession | undefined;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (m.type === 'event' && m.event === 'stopped') {
            debugSession = session;
            stops.push({ reason: m.body?.reason, threadId: m.body?.threadId });
          }
        },
      }),
    });
    try {
      const started = Date.now();
      assert.ok(await vscode.debug.startDebugging(undefined, { type: 'debugpy', request: 'launch', name: 'Headroom guard test', program: GROW, args: [join(dir, 'saved')], python, console: 'internalConsole', justMyCode: true }));
      const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'debug' && x.startedAt >= started), 'the debug session monitored', 60_000);
      await waitFor(() => stops.find((x) => x.reason === 'pause'), 'the guard to pause the debuggee', 90_000);
      assert.equal(c.oomKills(), 0, 'paused before the OOM killer');
      // The editor shows where it stopped: grow.py, at a line of its loop.
      const editor = await waitFor(() => (vscode.window.activeTextEditor?.document.uri.fsPath === GROW ? vscode.window.activeTextEditor : undefined), 'the paused line in view', 30_000);
      assert.ok(editor.selection.active.line >= 11 && editor.selection.active.line <= 15, `paused in the loop: line ${editor.selection.active.line + 1}`);
      assert.ok(s.live, 'the program is alive, paused');
      assert.ok(api.guard.messages.some((m) => /^Paused by Headroom: \d+ MB of 315 MB \(cgroup limit\)/.test(m)), api.guard.messages.join('\n'));
      // The user looks, then continues: the program runs again.
      const rssAtPause = s.monitor?.last?.tree.rss ?? 0;
      await debugSession?.customRequest('continue', { threadId: stops[stops.length - 1].threadId });
      await waitFor(() => !s.live || (s.monitor?.last?.tree.rss ?? 0) > rssAtPause + 10e6, 'the program to run again after continue', 30_000);
    } finally {
      tracker.dispose();
      await vscode.debug.stopDebugging();
    }
  });
});
