import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { InstallOutcome } from '../../../src/extension/python/installClient';
import { headroom } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

async function withInterpreter<T>(python: string, fn: () => Thenable<T>): Promise<T> {
  const cfg = vscode.workspace.getConfiguration('headroom');
  await cfg.update('python.interpreter', python, vscode.ConfigurationTarget.Global);
  try {
    return await fn();
  } finally {
    await cfg.update('python.interpreter', undefined, vscode.ConfigurationTarget.Global);
  }
}

describe('Install Python Client into the Selected Interpreter (real editor, real pip)', () => {
  let dir: string;
  before(async function () {
    const wheels = existsSync(join(repo, 'dist', 'python-wheel')) ? readdirSync(join(repo, 'dist', 'python-wheel')) : [];
    assert.ok(wheels.some((w) => w.endsWith('.whl')), 'the wheel is built (scripts/build-wheel.sh) before the editor suites');
    dir = mkdtempSync(join(tmpdir(), 'headroom-venv-'));
    this.timeout(120_000);
    // Not execFileSync: this runs on the extension host, which must keep answering meanwhile.
    await promisify(execFile)('/usr/bin/python3', ['-m', 'venv', join(dir, 'venv')]);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('installs the bundled wheel into a clean venv, where `import headroom` then works and reports', async function () {
    this.timeout(180_000);
    await headroom();
    const python = join(dir, 'venv', 'bin', 'python');
    const out = await withInterpreter(python, () => vscode.commands.executeCommand<InstallOutcome>('headroom.installPythonClient'));
    assert.equal(out.ok, true, out.message);
    assert.equal(out.interpreter, python);
    assert.equal(out.version, version, 'the client has the extension\'s version');
    assert.ok(out.location?.startsWith(join(dir, 'venv')), `installed inside the venv: ${out.location}`);
    // Outside any Headroom environment, the installed client runs: a checkpoint with nowhere to report is fine.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const printed = execFileSync(python, ['-c', 'import headroom; headroom.checkpoint("x"); print(headroom.__version__)'], { env, cwd: dir, encoding: 'utf8' });
    assert.equal(printed.trim(), version);
  });

  it('says what to do when the interpreter is managed by the system (PEP 668) and installs nothing', async function () {
    if (!existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED')) this.skip(); // counted as a skip: Debian 12 marks its Python
    this.timeout(120_000);
    const out = await withInterpreter('/usr/bin/python3', () => vscode.commands.executeCommand<InstallOutcome>('headroom.installPythonClient'));
    assert.equal(out.ok, false);
    assert.match(out.message, /managed by the system \(PEP 668\).*virtual environment/);
  });

  it('says so when the interpreter does not exist', async () => {
    const out = await withInterpreter(join(dir, 'no-such-python'), () => vscode.commands.executeCommand<InstallOutcome>('headroom.installPythonClient'));
    assert.equal(out.ok, false);
    assert.match(out.message, /could not install its client/);
  });
});
