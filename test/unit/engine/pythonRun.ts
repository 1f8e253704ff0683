import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON } from './allocator';

export const PY_CLIENT = join(__dirname, '..', '..', '..', 'src', 'python');

/** Runs a Python script (Debian's interpreter) with the client on PYTHONPATH and `env`. */
export function runPython(code: string, env: Record<string, string>, name = 'prog'): Promise<{ code: number | null; stdout: string; stderr: string; file: string; pid: number }> {
  const file = join(tmpdir(), `headroom-${name}-${process.pid}-${Date.now()}.py`);
  writeFileSync(file, code);
  const child = spawn(PYTHON, [file], { env: { ...process.env, PYTHONPATH: PY_CLIENT, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (c) => resolve({ code: c, stdout, stderr, file, pid: child.pid as number })));
}
