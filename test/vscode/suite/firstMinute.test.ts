import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import type { SessionsNode } from '../../../src/extension/views/sessionsView';
import { EXTENSION_ID, headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const TWO_PHASES = join(repo, 'test', 'fixtures', 'workspace', 'two_phases.py');
const HELD_LINE = 11; // headroom.checkpoint("phase: held"), 1-based

/** A run of two_phases.py from the command, its environment set for the launch. */
async function runTwoPhases(env: Record<string, string>): Promise<MonitoringSession> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const uri = vscode.Uri.file(TWO_PHASES);
    await vscode.window.showTextDocument(uri);
    const s = (await vscode.commands.executeCommand('headroom.runPythonFile', uri)) as MonitoringSession | undefined;
    assert.ok(s, 'a session started');
    return s;
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

/** Two runs of two_phases.py started at once, with one environment. */
async function runTwoPhasesTwice(env: Record<string, string>): Promise<MonitoringSession[]> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const uri = vscode.Uri.file(TWO_PHASES);
    await vscode.window.showTextDocument(uri);
    const runs = (await Promise.all([vscode.commands.executeCommand('headroom.runPythonFile', uri), vscode.commands.executeCommand('headroom.runPythonFile', uri)])) as (MonitoringSession | undefined)[];
    assert.ok(runs.every(Boolean), 'both started');
    return runs as MonitoringSession[];
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

/** A recording of two_phases.py made by the CLI (another run, other numbers). */
function cliRecording(dir: string, sizeMb: number): string {
  const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', '--out', dir, '--quiet', '--', '/usr/bin/python3', TWO_PHASES], {
    encoding: 'utf8',
    env: { ...process.env, SIZE_MB: String(sizeMb), HOLD_S: '0.3' },
  });
  assert.equal(r.status, 0, r.stderr);
  return join(dir, 'recording.ndjson');
}

async function lensTitlesAt(line: number): Promise<vscode.CodeLens[]> {
  const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(TWO_PHASES))) ?? [];
  return all.filter((l) => l.range.start.line === line - 1);
}

async function hoverAt(line: number): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(TWO_PHASES), new vscode.Position(line - 1, 4))) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (c as vscode.MarkdownString).value ?? String(c))
    .join('\n')
    .replace(/&nbsp;/g, ' ') // appendText keeps spaces and escapes markdown: read it as text
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1');
}

describe('the first minute (real editor)', () => {
  let scratch: string;
  before(() => (scratch = mkdtempSync(join(tmpdir(), 'headroom-first-'))));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('lenses, hover and click speak for one session: an opened recording does not take them from a live run', async () => {
    const api = await headroom();
    const recording = cliRecording(join(scratch, 'rec'), 30);
    const live = await runTwoPhases({ SIZE_MB: '160', HOLD_S: '8' });
    await waitFor(() => live.ingest.at(TWO_PHASES, HELD_LINE) !== undefined || live.ingest.forFile(TWO_PHASES).length > 1, 'the live run to reach "phase: held"', 30_000);
    const opened = (await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(recording))) as MonitoringSession;
    assert.ok(opened);
    assert.equal(api.sessions.focused, live, 'the status bar stays on the live run; the recording has its own panel');
    assert.ok(api.panels.all().some((p) => p.boundSession === opened), 'the recording in a panel of its own');
    // The lenses still show the live run's 160 MiB, and a click opens the live run.
    const lens = await waitFor(async () => (await lensTitlesAt(HELD_LINE)).find((l) => /phase: held/.test(l.command?.title ?? '')), 'the lens at "phase: held"');
    assert.match(lens.command?.title ?? '', /^phase: held: \+1[67]\d MB since previous \| RSS /, lens.command?.title);
    assert.equal((lens.command?.arguments?.[0] as { sessionId: string }).sessionId, live.id);
    assert.match(lens.command?.tooltip ?? '', new RegExp(`From two_phases\\.py \\(pid ${live.rootPid}, running\\)`));
    assert.match(await hoverAt(HELD_LINE), new RegExp(`Headroom · two_phases\\.py \\(pid ${live.rootPid}, running\\): 1 hit of this checkpoint`));
    // Once nothing is live, a recording the user opens takes the focus, and its lenses speak (and say so).
    live.end('stopped by the test');
    await waitFor(() => !live.live, 'the run to end');
    const reopened = (await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(recording))) as MonitoringSession;
    assert.equal(api.sessions.focused, reopened);
    const fromRecording = await waitFor(async () => (await lensTitlesAt(HELD_LINE)).find((l) => (l.command?.arguments?.[0] as { sessionId?: string })?.sessionId === reopened.id), 'the lenses to follow the recording');
    assert.match(fromRecording.command?.title ?? '', /^phase: held: \+3\d(\.\d)? MB since previous/);
    assert.match(await hoverAt(HELD_LINE), /Headroom · recording\.ndjson \(recording\)/);
    // Its lens opens the recording's own panel, not the live one.
    await vscode.commands.executeCommand(fromRecording.command!.command, ...(fromRecording.command!.arguments ?? []));
    await waitFor(() => api.panels.active?.boundSession === reopened, 'the recording\'s panel in front');
  });

  it('the Headroom view lists the window\'s runs and the recent recordings, each with its actions', async () => {
    const api = await headroom();
    const run = await runTwoPhases({ SIZE_MB: '40', HOLD_S: '5' });
    const dir = await waitFor(() => run.monitor?.recordingPath && dirname(run.monitor.recordingPath), 'the run\'s recording path');
    // A recording of another window (here: the CLI's) in the extension's folder is a recent one.
    const other = join(dir, '2000-01-01T00-00-00-000Z-1.ndjson');
    copyFileSync(cliRecording(join(scratch, 'other'), 20), other);
    try {
      await vscode.commands.executeCommand('headroom.sessions.refresh');
      const view = api.sessionsView;
      const rows = await view.getChildren();
      const row = rows.find((n): n is Extract<SessionsNode, { kind: 'session' }> => n.kind === 'session' && n.session === run);
      assert.ok(row, 'the run is listed');
      assert.equal(rows.indexOf(row), rows.filter((n) => n.kind === 'session').length - 1 - api.sessions.all().indexOf(run), 'newest first');
      const item = view.getTreeItem(row);
      assert.equal(item.label, 'two_phases.py');
      assert.match(String(item.description), /^\d+(\.\d+)? MB · running/);
      assert.match(item.contextValue ?? '', /\blive\b/);
      assert.match(item.contextValue ?? '', /\brecorded\b/);
      assert.match(item.contextValue ?? '', /\bprogram\b/);
      assert.equal(item.command?.command, 'headroom.sessions.openTimeline');
      const group = rows.find((n) => n.kind === 'recordings');
      assert.ok(group, 'a Recent recordings group');
      const recent = await view.getChildren(group);
      const entry = recent.find((n): n is Extract<SessionsNode, { kind: 'recording' }> => n.kind === 'recording' && n.entry.path === other);
      assert.ok(entry, `the copied recording is offered: ${recent.map((n) => (n.kind === 'recording' ? basename(n.entry.path) : n.kind)).join(', ')}`);
      assert.equal(view.getTreeItem(entry).label, 'two_phases.py', 'named by its script, not its file name');
      assert.ok(!recent.some((n) => n.kind === 'recording' && n.entry.path === run.monitor?.recordingPath), 'a run of this window is not listed twice');
      // The menus offer exactly what applies: stop and cleanup on a live run only.
      const menus = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.menus['view/item/context'] ?? []) as { command: string; when: string; group: string }[];
      const inlineFor = (contextValue: string) =>
        menus
          .filter((m) => m.group.startsWith('inline'))
          .filter((m) => new RegExp(/viewItem =~ \/(.*)\/$/.exec(m.when)?.[1] ?? '^$').test(contextValue))
          .map((m) => m.command.replace('headroom.sessions.', ''));
      assert.deepEqual(inlineFor(item.contextValue ?? ''), ['openTimeline', 'forceCleanup', 'stop']);
      assert.deepEqual(inlineFor('session ended recorded program'), ['openTimeline', 'compare', 'revealRecording']);
      assert.deepEqual(inlineFor('recordingFile'), ['compare', 'revealRecording']);
      // Its actions act on their row.
      await vscode.commands.executeCommand('headroom.sessions.openTimeline', row);
      await waitFor(() => api.panels.live?.boundSession === run || api.sessions.focused === run, 'the run in the timeline');
      await vscode.commands.executeCommand('headroom.sessions.stop', row);
      await waitFor(() => !run.live, 'Stop to end the run');
      assert.match(String(view.getTreeItem(row).description), /^peak \d+(\.\d+)? MB · stopped/);
      const opened = (await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(entry.entry.path))) as MonitoringSession | undefined;
      assert.equal(opened?.source, 'recording');
    } finally {
      rmSync(other, { force: true });
    }
  });

  it('a new run says so once, and runs that start together share that one notification', async () => {
    const api = await headroom();
    await new Promise((r) => setTimeout(r, 1000)); // earlier starts' notifications are settled
    const before = api.notices.counts.shown + api.notices.counts.quiet;
    // Two starts at once (as a script that launches two runs): one notification, or one logged line while quiet.
    // (One environment for both: two launches saving and restoring it at once would leave it changed.)
    const [a, b] = await runTwoPhasesTwice({ SIZE_MB: '10', HOLD_S: '3' });
    await waitFor(() => api.notices.counts.shown + api.notices.counts.quiet > before, 'the notification', 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(api.notices.counts.shown + api.notices.counts.quiet - before, 1, 'one notification for two starts');
    a.end('test');
    b.end('test');
  });

  it('contributes a walkthrough whose steps open, with their media and completion events real', async () => {
    await headroom();
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { walkthroughs: { id: string; steps: { id: string; media: { markdown: string }; completionEvents: string[]; description: string }[] }[]; commands: { command: string }[] };
    };
    const w = pkg.contributes.walkthroughs.find((x) => x.id === 'headroom.gettingStarted');
    assert.ok(w);
    assert.deepEqual(w.steps.map((s) => s.id), ['run', 'codelens', 'timeline', 'cleanup', 'anywhere']);
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const s of w.steps) {
      assert.ok(existsSync(join(repo, s.media.markdown)), s.media.markdown);
      for (const e of s.completionEvents) {
        const cmd = /^onCommand:(.*)$/.exec(e)?.[1];
        if (cmd) assert.ok(commands.has(cmd), `${s.id}: ${cmd} is a command`);
        else assert.match(e, /^onContext:headroom\.hasCheckpoints$|^onView:headroom\.sessions$/, e);
      }
      for (const m of s.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(commands.has(m[1]), `${s.id} links ${m[1]}`);
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#headroom.gettingStarted`, false);
  });
});
