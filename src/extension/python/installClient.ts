import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { plainLabel } from '../../shared/format';
import type { ConfigService } from '../config';
import { pythonInterpreter } from '../sessions/launchers';
import { pickWheel, pipArgs, pipFailureReason, VERIFY_CODE } from './pipInstall';

/** pip may take a while on a slow disk; past this it is stuck. */
const PIP_TIMEOUT_MS = 180_000;

export interface InstallOutcome {
  readonly ok: boolean;
  readonly interpreter: string;
  readonly message: string;
  /** The installed client's version and location, when it imports. */
  readonly version?: string;
  readonly location?: string;
}

function run(file: string, args: readonly string[], timeout: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout, maxBuffer: 8 << 20, env: { ...process.env, PIP_NO_INPUT: '1' } }, (err, stdout, stderr) => {
      // An exit status is a number; a spawn failure (ENOENT: no such interpreter) a string.
      const status = (err as { code?: unknown } | null)?.code;
      const code = err ? (typeof status === 'number' ? status : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}${err && !stdout && !stderr ? err.message : ''}` });
    });
  });
}

/**
 * "Install Python Client into the Selected Interpreter": pip installs the wheel shipped with the
 * extension into the Python extension's interpreter (else the configured one, else python3), for
 * notebooks and terminals that do not get the bundled client on PYTHONPATH; then checks that
 * `import headroom` works there. pip's output goes to the Headroom log.
 */
export async function installPythonClient(extensionPath: string, config: ConfigService, log: vscode.LogOutputChannel): Promise<InstallOutcome> {
  const interpreter = await pythonInterpreter(vscode.window.activeTextEditor?.document.uri, config.current.pythonInterpreter);
  const dir = join(extensionPath, 'dist', 'python-wheel');
  let wheelName: string | undefined;
  try {
    wheelName = pickWheel(readdirSync(dir));
  } catch {
    wheelName = undefined;
  }
  if (!wheelName) {
    const message = `Headroom: no client wheel in ${dir} (build it with scripts/build-wheel.sh).`;
    void vscode.window.showErrorMessage(message);
    return { ok: false, interpreter, message };
  }
  const wheel = join(dir, wheelName);
  const who = plainLabel(interpreter, 120);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Headroom: installing the Python client into ${who}` }, async () => {
    log.info(`installing ${wheel} into ${interpreter}`);
    const pip = await run(interpreter, pipArgs(wheel), PIP_TIMEOUT_MS);
    log.info(pip.out.trim());
    if (pip.code !== 0) {
      const reason = pipFailureReason(pip.out) ?? 'pip failed: see Headroom: Show Log for its output.';
      const message = `Headroom could not install its client into ${who}: ${reason}`;
      void vscode.window.showErrorMessage(message, 'Show Log').then((pick) => pick && log.show(true));
      return { ok: false, interpreter, message };
    }
    const check = await run(interpreter, ['-c', VERIFY_CODE], 30_000);
    const [version, location] = check.out.trim().split('\n');
    if (check.code !== 0 || !version) {
      const message = `Headroom installed its client into ${who}, but \`import headroom\` fails there: ${plainLabel(check.out.trim().split('\n').pop(), 200)}`;
      void vscode.window.showErrorMessage(message);
      return { ok: false, interpreter, message };
    }
    const message = `Headroom client ${plainLabel(version, 20)} installed into ${who}: \`import headroom\` works in its notebooks and terminals.`;
    void vscode.window.showInformationMessage(message);
    return { ok: true, interpreter, message, version, location };
  });
}
