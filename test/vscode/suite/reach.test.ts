import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
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

describe('reach: focus (real editor)', function () {
  this.timeout(120_000);

  it('a session the user picked keeps the status bar while a program started in a terminal reports', async () => {
    const api = await headroom();
    await api.reach.whenReady();
    const picked = await vscode.commands.executeCommand<MonitoringSession>('headroom.attachProcess', process.pid);
    assert.ok(picked);
    api.sessions.focus(picked.id, true);
    const started = Date.now();
    const file = join(workspace, 'terminal_target.py');
    const terminal = vscode.window.createTerminal({ name: 'Headroom focus test', cwd: workspace });
    try {
      terminal.sendText(`/usr/bin/python3 ${file}`);
      const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'connected' && x.startedAt >= started), 'the terminal program\'s session', 45_000);
      assert.ok(s.live);
      assert.equal(api.sessions.focused, picked, 'the picked session keeps the focus');
      picked.end('test done');
      await waitFor(() => !s.live, 'the program to end', 30_000);
    } finally {
      terminal.dispose();
      picked.end('test done');
    }
  });
});

describe('reach: programs started outside the editor find the window through its connection file (real editor)', function () {
  this.timeout(120_000);

  /** Runs a script with no Headroom variables (as from tmux or an SSH shell); returns what the client says of itself. */
  async function runOutside(script: string, cwd: string): Promise<{ pid: number; source: string; code: number | null }> {
    const api = await headroom();
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: api.pythonPath };
    delete env.HEADROOM_ADDR;
    delete env.HEADROOM_TOKEN;
    delete env.HEADROOM_LOG;
    const child = spawn('/usr/bin/python3', [script], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    return { pid: child.pid ?? -1, source: /source=(\w+)/.exec(out)?.[1] ?? `(no answer: ${out})`, code };
  }

  const body = [
    'import time, headroom',
    'headroom.checkpoint("outside: start")',
    'held = bytearray(80 << 20)',
    'held[::4096] = b"x" * len(held[::4096])',
    'headroom.checkpoint("outside: 80 MB held")',
    'print("source=" + headroom.diagnostics()["source"], flush=True)',
    'time.sleep(1.5)',
  ].join('\n');

  it('connects a program started by a plain shell in a workspace folder, and never one started outside it', async () => {
    const api = await headroom();
    await api.reach.whenReady();
    const file = api.reach.connectionFile;
    assert.ok(file, 'the window published a connection file');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const inside = join(workspace, '.headroom-outside-test.py');
    const elsewhere = mkdtempSync(join(tmpdir(), 'headroom-elsewhere-'));
    const outsider = join(elsewhere, 'outside.py');
    writeFileSync(inside, body);
    writeFileSync(outsider, body);
    try {
      const started = Date.now();
      const a = await runOutside(inside, workspace);
      assert.equal(a.code, 0);
      assert.equal(a.source, 'window', 'the client found this window');
      const s = api.sessions.all().find((x) => x.source === 'connected' && x.startedAt >= started && x.rootPid === a.pid);
      assert.ok(s, 'a session rooted at the program');
      assert.equal(s.ingest.at(realpathSync(inside), 5)?.hits, 1, 'its checkpoint arrived');
      const b = await runOutside(outsider, elsewhere);
      assert.equal(b.code, 0);
      assert.equal(b.source, 'none', 'outside every workspace folder the client stays silent');
      assert.equal(api.sessions.all().find((x) => x.rootPid === b.pid), undefined, 'no session for a program outside the workspace');
    } finally {
      rmSync(inside, { force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('reach: a torchrun launch typed into a terminal (real torch 2.x, two ranks on gloo; real editor)', function () {
  this.timeout(180_000);

  it('forms one session rooted at the launcher, one line per rank, and aggregated CodeLens with every rank in the hover', async () => {
    const api = await headroom();
    await api.reach.whenReady();
    const torchrun = join(repo, '.venv', 'bin', 'torchrun');
    const script = join(workspace, 'ddp_train.py');
    const uri = vscode.Uri.file(script);
    await vscode.window.showTextDocument(uri);
    const started = Date.now();
    const terminal = vscode.window.createTerminal({ name: 'Headroom torchrun test', cwd: workspace, env: { DDP_STEPS: '12', DDP_PAUSE: '0.5', OMP_NUM_THREADS: '1' } });
    try {
      terminal.sendText(`${torchrun} --nproc_per_node=2 ${script}`);
      const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'connected' && x.startedAt >= started && x.name === 'ddp_train.py (2 ranks)'), 'one session for the launch', 90_000);
      assert.match((s.monitor?.tree.describe(s.rootPid)?.cmdline ?? []).join(' '), /torchrun/, 'rooted at the launcher');
      await waitFor(() => s.ingest.ranks().size === 2, 'both ranks reporting into it', 60_000);
      assert.equal(api.sessions.all().filter((x) => x.startedAt >= started && x.source === 'connected').length, 1, 'the second rank joined, not a session of its own');
      let seen: string[] = [];
      const title = await waitFor(async () => {
        const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
        seen = all.map((l) => `${l.range.start.line}: ${l.command?.title}`);
        return all.find((l) => l.range.start.line === 30 && /(max [+-]?[\d.]+ [kMG]?B \(rank [01]\) · min [+-]?[\d.]+ [kMG]?B \(rank [01]\) since previous|since previous on every rank)/.test(l.command?.title ?? ''))?.command?.title;
      }, 'an aggregated CodeLens at "after step"', 60_000).catch((e: Error) => assert.fail(`${e.message}; the lenses: ${JSON.stringify(seen)}`));
      assert.match(title, /⚠ rank 1 .* above the others/, `rank 1 holds 150 MiB more: ${title}`);
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(30, 5))) ?? [];
      const md = hovers.flatMap((h) => h.contents).map((c) => (c as vscode.MarkdownString).value ?? String(c)).join('\n');
      assert.match(md, /rank +pid +RSS/);
      assert.match(md, /\n +0 +\d+ /);
      assert.match(md, /\n +1 +\d+ .*far above the others/);
      await waitFor(() => (s.monitor?.last?.tree.processes.length ?? 0) >= 3 || !s.live, 'the launcher tree sampled with its ranks');
      assert.ok(s.store.get(`proc.${s.rootPid}.rss`)?.count, 'the launcher itself sampled');
      api.sessions.focus(s.id, true);
      const panel = await vscode.commands.executeCommand<{ boundSession?: unknown }>('headroom.showTimeline', { sessionId: s.id });
      assert.equal(panel?.boundSession, s);
      const { drawnSeries } = await import('../../../src/extension/panel/timelineData');
      await waitFor(() => drawnSeries(s).filter((m) => /^rank [01] RSS/.test(m.label)).length === 2, 'one timeline line per rank', 20_000);
      await waitFor(() => !s.live, 'the launch to end', 90_000);
    } finally {
      terminal.dispose();
    }
  });
});
