import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import type { KernelCodeRunner, KernelRunResult } from '../../../src/extension/notebook/notebookKernels';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const NOTEBOOK = join(repo, 'test', 'fixtures', 'workspace', 'analysis.ipynb');
const DRIVER = join(repo, 'test', 'fixtures', 'notebook', 'drive_kernel.py');
const PY = '/usr/bin/python3';

interface Driven {
  pid: number;
  replies: { status: string; count: number; stdout: string }[];
}

/**
 * Runs cells in a real ipykernel the way a notebook front end does (execute_request with
 * `metadata.cellId` = the cell's URI, as VS Code sends it). A stand-in for the front end only:
 * the VS Code Jupyter extension, which would run them, cannot be installed on these machines.
 */
function drive(cells: { id?: string; code: string }[], env: Record<string, string | undefined>, cwd?: string): Promise<Driven> {
  return new Promise((resolve, reject) =>
    execFile(PY, [DRIVER, JSON.stringify(cells)], { env: { ...process.env, HEADROOM_ADDR: undefined, HEADROOM_TOKEN: undefined, ...env }, cwd, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Driven),
    ),
  );
}

const cellRun = (c: vscode.NotebookCell) => ({ id: c.document.uri.toString(), code: c.document.getText() });

async function itemText(cell: vscode.NotebookCell): Promise<string | undefined> {
  const api = await headroom();
  return (await api.notebooks.provideCellStatusBarItems(cell))[0]?.text;
}

describe('notebooks: per-cell figures in the built-in notebook editor, from a real kernel (real editor)', function () {
  this.timeout(240_000);
  let nb: vscode.NotebookDocument;
  let scratch: string;
  const missing = spawnSync(PY, ['-c', 'import ipykernel, jupyter_client'], { encoding: 'utf8' }).stderr.trim();

  before(async function () {
    if (missing) assert.fail(`ipykernel/jupyter_client missing for ${PY} (scripts/ensure-system-deps.sh installs them): ${missing}`);
    await headroom();
    // A copy: the tests edit the notebook, and the editor may save it.
    scratch = mkdtempSync(join(tmpdir(), 'headroom-nb-'));
    copyFileSync(NOTEBOOK, join(scratch, 'analysis.ipynb'));
    nb = await vscode.workspace.openNotebookDocument(vscode.Uri.file(join(scratch, 'analysis.ipynb')));
    await vscode.window.showNotebookDocument(nb);
  });
  after(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  it('shows each cell run on its cell (delta, peak, time; the error of one that raised), CodeLens inside, the kernel in the status bar', async () => {
    const api = await headroom();
    const { env } = await api.sessions.windowEnvironment();
    const before = new Set(api.sessions.all());
    const cells = nb.getCells();
    // A kernel started with the window's environment (as one started in the workspace finds it).
    const driven = await drive(cells.map(cellRun), env);
    assert.deepEqual(driven.replies.map((r) => r.status), ['ok', 'ok', 'ok', 'error']);
    const kernel = await waitFor(() => api.sessions.all().find((s) => !before.has(s) && s.ingest.cells.all().length >= 3), 'the kernel\'s session with its cell runs');
    await waitFor(async () => (await itemText(cells[3])) !== undefined, 'the raising cell\'s figures');
    assert.equal(await itemText(cells[0]), undefined, 'the cell that loaded the extension ran before it reported');
    const alloc = (await itemText(cells[1])) ?? '';
    const mb = Number(/\$\(pulse\) \+(\d+(?:\.\d+)?) MB/.exec(alloc)?.[1]);
    assert.ok(Math.abs(mb - 500) / 500 < 0.1, `a 500 MB cell shows +5xx MB within 10%: ${alloc}`);
    assert.match(alloc, / · \d+(\.\d+)? (ms|s)$/);
    assert.match((await itemText(cells[2])) ?? '', /^\$\(pulse\) -\d+ MB/);
    assert.match((await itemText(cells[3])) ?? '', /^\$\(pulse\) \$\(warning\) /);
    const [item] = await api.notebooks.provideCellStatusBarItems(cells[1]);
    assert.match(String(item.tooltip), new RegExp(`^Headroom · .*\\(pid ${kernel.rootPid}, [^)]+\\): 1 run of this cell`));
    assert.match(String(item.tooltip), /run +RSS Δ +peak RSS +time/);
    assert.deepEqual(item.command && typeof item.command === 'object' ? (item.command.arguments?.[0] as { sessionId: string }).sessionId : undefined, kernel.id);
    // CodeLens on the checkpoint inside the cell, from the kernel's session.
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cells[1].document.uri)) ?? [];
    const lens = lenses.find((l) => l.range.start.line === 3);
    assert.match(lens?.command?.title ?? '', /^allocated: \+5\d\d MB since previous|^allocated: RSS \d/, JSON.stringify(lenses.map((l) => l.command?.title)));
    // The notebook in front: the status bar speaks for its kernel (while it runs; here it already ended).
    assert.ok(api.notebooks.kernelSessionOf(nb) === kernel);
  });

  it('after an edit the cell says its figures are from before; a re-run shows the new ones with the history; a new kernel is a new session', async () => {
    const api = await headroom();
    const { env } = await api.sessions.windowEnvironment();
    const cells = nb.getCells();
    const edit = new vscode.WorkspaceEdit();
    const text = cells[1].document.getText();
    edit.replace(cells[1].document.uri, new vscode.Range(0, 0, cells[1].document.lineCount, 0), text.replace('500_000_000', '300_000_000'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(async () => /\(before edit\)$/.test((await itemText(cells[1])) ?? ''), 'the cell to say its figures are from before the edit');
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', cells[1].document.uri)) ?? [];
    assert.equal(lenses.length, 0, 'no lens points into text that has changed');
    const sessionsBefore = api.sessions.all().length;
    // A restarted kernel is a new process: a session of its own.
    await drive([cellRun(cells[0]), cellRun(cells[1])], env);
    await waitFor(() => api.sessions.all().length > sessionsBefore, 'a new session for the new kernel');
    const after = await waitFor(async () => {
      const t = (await itemText(cells[1])) ?? '';
      return /\+3\d\d MB/.test(t) && !t.includes('before edit') ? t : undefined;
    }, 'the re-run\'s figures');
    assert.match(after, /^\$\(pulse\) \+3\d\d MB/);
    const [item] = await api.notebooks.provideCellStatusBarItems(cells[1]);
    assert.match(String(item.tooltip), /1 run of this cell/, 'the history is the current kernel\'s');
  });

  it('Monitor Notebook Kernel connects a kernel that knew nothing of Headroom (through a stand-in for the Jupyter extension)', async () => {
    const api = await headroom();
    const cells = nb.getCells();
    const outside = mkdtempSync(join(tmpdir(), 'headroom-kernel-')); // no workspace above it: no connection file to find
    // Stand-in for the Jupyter extension's kernel API: runs the code, then the notebook's cell, in a real kernel with no Headroom settings.
    let last: Driven | undefined;
    const standIn: KernelCodeRunner = {
      async run(_uri: vscode.Uri, code: string): Promise<KernelRunResult> {
        last = await drive([{ code }, cellRun(cells[2])], {}, outside);
        return { ok: last.replies[0].status === 'ok', output: last.replies[0].stdout };
      },
    };
    const real = api.kernels.runner;
    api.kernels.runner = standIn;
    try {
      const before = new Set(api.sessions.all());
      const r = (await vscode.commands.executeCommand('headroom.monitorNotebookKernel', nb.uri)) as KernelRunResult;
      assert.equal(r.ok, true, r.reason ?? r.output);
      assert.match(r.output, /Headroom: this kernel reports its cell runs/);
      const s = await waitFor(() => api.sessions.all().find((x: MonitoringSession) => !before.has(x) && x.ingest.cells.all().length > 0), 'the kernel reporting its next cell');
      assert.equal(s.ingest.cells.all()[0].cell.id, cells[2].document.uri.toString());
    } finally {
      api.kernels.runner = real;
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('without the Jupyter extension, says how to load the client by hand', async () => {
    const api = await headroom();
    const r = await api.kernels.monitor(nb.uri, true);
    assert.equal(r.ok, false);
    assert.match(r.reason ?? '', /Jupyter extension .* not installed.*%load_ext headroom/);
  });
});
