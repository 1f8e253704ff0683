import * as assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { runPeakRss } from '../../../src/engine/session/runPeak';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const workspace = join(repo, 'test', 'fixtures', 'workspace');
const MB = 1e6;

/** `+210 MB` / `1.20 GB` / `-3.5 MiB` -> bytes. */
function parseSize(s: string): number {
  const m = /([+-]?[\d.]+) (B|kB|MB|GB|TB|KiB|MiB|GiB)/.exec(s);
  assert.ok(m, `no size in "${s}"`);
  const mult: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };
  return Number(m[1]) * mult[m[2]];
}

async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

async function lensAt(uri: vscode.Uri, line: number, want: RegExp): Promise<string> {
  return waitFor(async () => {
    const l = (await lensesOf(uri)).find((x) => x.range.start.line === line - 1 && want.test(x.command?.title ?? ''));
    return l?.command?.title;
  }, `a CodeLens at line ${line} matching ${want}`, 30_000);
}

async function runScript(file: string, env?: Record<string, string>): Promise<MonitoringSession> {
  const api = await headroom();
  if (env) for (const [k, v] of Object.entries(env)) process.env[k] = v;
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  const session = (await vscode.commands.executeCommand('headroom.runPythonFile', uri)) as MonitoringSession | undefined;
  assert.ok(session, 'a session started');
  assert.equal(api.sessions.focused, session);
  return session;
}

const EXAMPLE = join(repo, 'examples', 'allocate_steps.py');

/**
 * A finished run of the example, so a test that reads one stands alone: an earlier test's
 * run when there is one, else a run of its own.
 */
async function finishedExampleRun(): Promise<MonitoringSession> {
  const api = await headroom();
  const done = api.sessions.all().find((x) => x.source === 'run' && !x.live && x.name === 'allocate_steps.py');
  if (done) return done;
  const session = await runScript(EXAMPLE);
  await waitFor(() => !session.live, 'the example run to end', 60_000);
  return session;
}

/** A recording opened through the command, with its own panel. */
async function openedRecording(): Promise<MonitoringSession> {
  const path = (await finishedExampleRun()).monitor?.recordingPath;
  assert.ok(path, 'the example run left a recording');
  return (await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(path))) as MonitoringSession;
}

describe('in the editor: runs, status bar, CodeLens, cleanup, debug (real editor)', function () {
  this.timeout(120_000);

  before(async () => {
    await vscode.workspace.getConfiguration('headroom').update('python.interpreter', '/usr/bin/python3', vscode.ConfigurationTarget.Global);
  });

  it('runs a plain-Python example: status bar shows its size, CodeLens deltas match what it allocated', async () => {
    const api = await headroom();
    const file = join(repo, 'examples', 'allocate_steps.py');
    const session = await runScript(file);
    // The status bar follows the run with a size while it runs.
    await waitFor(() => /\d+(\.\d+)? (kB|MB|GB)/.test(api.statusBarItem.text), 'a size in the status bar', 20_000);
    // Whose memory it is: the program's name beside the size, and in the accessibility label.
    assert.match(api.statusBarItem.text, /^\$\(pulse\) allocate_steps\.py: \d+(\.\d+)? (kB|MB|GB)/);
    assert.match(api.statusBarItem.accessibilityInformation?.label ?? '', /^Headroom: allocate_steps\.py, \d+(\.\d+)? (kB|MB|GB) RSS, running$/);
    // The records below came through the decode worker, not the extension host's thread.
    assert.equal((await api.sessions.ensureListener()).decodeMode, 'worker');
    const uri = vscode.Uri.file(file);
    const first = await lensAt(uri, 19, /after first 200 MB/);
    const second = await lensAt(uri, 22, /after second 200 MB/);
    const step = 200 * 2 ** 20;
    for (const title of [first, second]) {
      const delta = parseSize(title.split(':')[1]);
      assert.ok(Math.abs(delta - step) / step < 0.1, `lens "${title}" shows ${delta}, want ${step} within 10%`);
      assert.match(title, /since previous \| RSS \d+(\.\d+)? (MB|GB) \| .* \| \d+ hits?/);
    }
    const region = await lensAt(uri, 24, /temporary 300 MB buffer/);
    // The block gives back its 300 MB buffer: it keeps little, and its peak inside shows the buffer.
    const inside = /peak (\+[\d.]+ \w+) inside/.exec(region)?.[1];
    assert.ok(inside && parseSize(inside) > 0.95 * 300 * 2 ** 20, `the region's peak inside holds the 300 MB buffer: ${region}`);
    // Clicking a lens opens the timeline at that checkpoint.
    const lens = (await lensesOf(uri)).find((l) => l.range.start.line === 18);
    assert.equal(lens?.command?.command, 'headroom.showTimeline');
    assert.equal((lens?.command?.arguments?.[0] as { sessionId: string }).sessionId, session.id);
    await waitFor(() => !session.live, 'the run to end', 60_000);
    assert.ok((await lensesOf(uri)).length >= 4, 'CodeLens stays after the run');
    assert.match(api.statusBarItem.text, /allocate_steps\.py: peak \d+(\.\d+)? (MB|GB) \(ended\)/);
    // An ended run's tooltip gives its peak and offers no cleanup.
    // As markdown, text may carry escapes and no-break spaces: read it as a person would.
    const tip = (api.statusBarItem.tooltip as vscode.MarkdownString).value.replace(/&nbsp;|\u00a0/g, ' ').replace(/\\(.)/g, '$1');
    // The run's one peak: the sampled maximum, or what the program reported when that was higher.
    const peak = runPeakRss(session.store, session.ingest) ?? 0;
    assert.ok(peak >= (session.store.get('tree.rss')?.max ?? 0));
    assert.match(tip, /peak RSS: \d/);
    assert.ok(Math.abs(parseSize(/peak RSS: ([\d.]+ \w+)/.exec(tip)?.[1] ?? '') - peak) / peak < 0.01, `the tooltip's peak is the run's peak (${peak})`);
    assert.doesNotMatch(tip, /Force Cleanup/);
    assert.match(api.statusBarItem.accessibilityInformation?.label ?? '', /, ended$/);
  });

  it('switches units without a reload', async () => {
    await finishedExampleRun();
    const file = vscode.Uri.file(EXAMPLE);
    await vscode.workspace.getConfiguration('headroom').update('units', 'GiB', vscode.ConfigurationTarget.Global);
    try {
      await lensAt(file, 19, /MiB since previous/);
    } finally {
      await vscode.workspace.getConfiguration('headroom').update('units', undefined, vscode.ConfigurationTarget.Global);
    }
    await lensAt(file, 19, / MB since previous/);
  });

  it('Force Cleanup frees cached heap in the program and the sampled RSS drops', async () => {
    const file = join(workspace, 'cleanup_target.py');
    const session = await runScript(file);
    await lensAt(vscode.Uri.file(file), 8, /freed but cached/);
    await waitFor(() => session.connections.size > 0, 'the client connection');
    const before = session.monitor?.tick().tree.rss ?? 0;
    const out = (await vscode.commands.executeCommand('headroom.forceCleanup')) as { ok: boolean; message: string; freedRss?: number };
    assert.ok(out.ok, out.message);
    assert.match(out.message, /^Freed [\d.]+ (MB|GB) RSS/);
    assert.ok((out.freedRss ?? 0) > 100 * MB, out.message);
    const after = session.monitor?.tick().tree.rss ?? 0;
    assert.ok(before - after > 100 * MB, `sampled RSS went from ${before} to ${after}`);
    assert.ok(session.store.events.all().some((e) => e.kind === 'cleanup'), 'a cleanup marker on the timeline');
    session.end('test done');
    await vscode.commands.executeCommand('headroom.stopMonitoring');
  });

  it('explains why Force Cleanup cannot act on a process without a client', async () => {
    const api = await headroom();
    const s = await vscode.commands.executeCommand<MonitoringSession>('headroom.attachProcess', process.pid);
    assert.ok(s);
    assert.equal(api.sessions.focused, s);
    const out = (await vscode.commands.executeCommand('headroom.forceCleanup')) as { ok: boolean; message: string };
    assert.equal(out.ok, false);
    assert.match(out.message, /no Headroom client connected/);
    s.end('test done');
  });

  it('shows hostile labels as plain text in CodeLens, hover and tooltip', async () => {
    const api = await headroom();
    const file = join(workspace, 'hostile_labels.py');
    await runScript(file);
    const uri = vscode.Uri.file(file);
    const img = await lensAt(uri, 5, /img/);
    assert.ok(img.startsWith('<img src=x onerror=alert(1)>: '), img);
    const link = await lensAt(uri, 6, /command:/);
    assert.ok(link.startsWith('[x]\u200b(command:workbench'), `link syntax defused: ${link}`);
    const icon = await lensAt(uri, 7, /alert/);
    assert.ok(icon.startsWith('$\u200b(alert)'), 'codicon syntax defused');
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(5, 3))) ?? [];
    const md = hovers.flatMap((h) => h.contents).map((c) => (c as vscode.MarkdownString).value ?? String(c)).join('\n');
    assert.match(md, /\[x\]\u200b\(command:workbench/);
    assert.ok(!/\]\(command:/.test(md), 'no live command link in the hover');
    const tip = api.statusBarItem.tooltip as vscode.MarkdownString;
    assert.ok(typeof tip.isTrusted === 'object' && tip.isTrusted.enabledCommands?.every((c) => c.startsWith('headroom.')), 'only Headroom commands are trusted');
  });

  it('reopens a finished run from its recording, with its samples and CodeLens statistics', async () => {
    const api = await headroom();
    const done = await finishedExampleRun();
    const before = api.sessions.focused;
    const s = await openedRecording();
    assert.equal(s.source, 'recording');
    // A recording takes the status bar only from a run that is no longer live.
    assert.equal(api.sessions.focused, before?.live ? before : s);
    assert.equal(s.store.get('tree.rss')?.count, done?.store.get('tree.rss')?.count);
    const stats = s.ingest.at(join(repo, 'examples', 'allocate_steps.py'), 19);
    assert.equal(stats?.hits, 3);
    assert.ok(Math.abs((stats?.lastDelta ?? 0) - 200 * 2 ** 20) < 20 * 2 ** 20);
  });

  it('gives an opened recording a timeline of its own, and exports CSV rows that are the store\'s samples', async () => {
    const api = await headroom();
    const rec = await openedRecording();
    const panel = await waitFor(() => api.panels.all().find((p) => p.boundSession === rec), 'a panel bound to the recording');
    assert.equal(panel.pinned, rec, 'pinned: it keeps showing the recording whatever is focused');
    await waitFor(() => api.panels.active === panel, 'the new panel to be the active one');
    const out = vscode.Uri.file(join(tmpdir(), `headroom-export-${process.pid}.csv`));
    await vscode.commands.executeCommand('headroom.exportCsv', out);
    const [head, ...rows] = readFileSync(out.fsPath, 'utf8').trim().split('\n');
    rmSync(out.fsPath, { force: true });
    assert.equal(head, 't_ms,tree.rss,tree.pss,tree.vms,sys.used,sys.available');
    const rss = rec.store.get('tree.rss')?.raw(-Infinity, Infinity);
    const sys = rec.store.get('sys.used')?.raw(-Infinity, Infinity);
    assert.ok(rss && sys && rss.t.length > 10, 'the recording has samples');
    assert.equal(rows.length, rss.t.length, 'one row per sample');
    const sysAt = new Map(Array.from(sys.t, (t, i) => [t, sys.v[i]]));
    rows.forEach((row, i) => {
      const c = row.split(',').map(Number);
      assert.equal(c[0], rss.t[i], `time of row ${i}`);
      assert.equal(c[1], rss.v[i], `RSS of row ${i}`);
      assert.equal(c[4], sysAt.get(rss.t[i]), `system used of row ${i}`);
    });
  });

  it('raises one pressure alert, not a storm, and colours the status bar', async () => {
    const api = await headroom();
    const cfg = vscode.workspace.getConfiguration('headroom');
    await cfg.update('alerts.warningPercent', 1, vscode.ConfigurationTarget.Global);
    await cfg.update('alerts.errorPercent', 2, vscode.ConfigurationTarget.Global);
    try {
      const before = api.alerts.shown;
      const s = await vscode.commands.executeCommand<MonitoringSession>('headroom.attachProcess', process.pid);
      await waitFor(() => api.alerts.shown > before, 'an alert');
      await new Promise((r) => setTimeout(r, 1500)); // many more samples above the threshold
      assert.equal(api.alerts.shown, before + 1, 'one alert while usage stays high');
      await waitFor(() => (api.statusBarItem.backgroundColor as unknown as { id?: string } | undefined)?.id === 'statusBarItem.errorBackground', 'the error colour');
      s.end('test done');
    } finally {
      await cfg.update('alerts.warningPercent', undefined, vscode.ConfigurationTarget.Global);
      await cfg.update('alerts.errorPercent', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('monitors a Node debug session (built-in JavaScript debugger) with no user action', async () => {
    const api = await headroom();
    const program = join(workspace, 'debug_target.js');
    const started = Date.now();
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], { type: 'node', request: 'launch', name: 'Headroom node test', program, console: 'internalConsole' }));
    const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'debug' && x.startedAt >= started), 'a debug monitoring session', 30_000);
    const cmd = (s.monitor?.tree.describe(s.rootPid)?.cmdline ?? []).join(' ');
    assert.match(cmd, /node/);
    await waitFor(() => (s.monitor?.last?.tree.rss ?? 0) > 64 * 2 ** 20, 'the debuggee holding 64 MB in the monitored tree', 20_000);
    await waitFor(() => !s.live, 'monitoring to stop with the debug session', 30_000);
  });

  it('monitors a Python (debugpy) debug session and receives its checkpoints with no set-up', async () => {
    const api = await headroom();
    const program = join(workspace, 'debug_target.py');
    await vscode.window.showTextDocument(vscode.Uri.file(program));
    const started = Date.now();
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], { type: 'debugpy', request: 'launch', name: 'Headroom debugpy test', program, python: '/usr/bin/python3', console: 'internalConsole', justMyCode: true }));
    const s = await waitFor(() => api.sessions.all().find((x) => x.source === 'debug' && x.startedAt >= started), 'a debugpy monitoring session', 60_000);
    assert.match((s.monitor?.tree.describe(s.rootPid)?.cmdline ?? []).join(' '), /debug_target\.py/);
    const title = await lensAt(vscode.Uri.file(program), 6, /debuggee allocated 64 MB/);
    // Its only checkpoint is a first reading: the lens gives the RSS there (`...: RSS 90.1 MB | 1 hit`).
    assert.ok(parseSize(/RSS ([\d.]+ \w+)/.exec(title)?.[1] ?? '') > 64 * 2 ** 20, title);
    await waitFor(() => !s.live, 'monitoring to stop with the debug session', 30_000);
  });
});
