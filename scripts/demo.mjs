// The live demo: code-server with the packaged VSIX installed, on the examples/ folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer, repoRoot, startCodeServer } from '../test/rig/codeServer.mjs';

const port = Number(process.env.HEADROOM_DEMO_PORT ?? 8080);
const entry = ensureCodeServer();
const extensionsDir = mkdtempSync(join(tmpdir(), 'headroom-demo-ext-'));
const vsix = join(repoRoot, 'dist-vsix', 'headroom.vsix');
execFileSync(process.execPath, [entry, '--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: 'inherit' });

const server = await startCodeServer({ port, extensionsDir, settings: {
    // The examples folder runs its training demo when it opens (examples/.vscode/tasks.json).
    'task.allowAutomaticTasks': 'on',
    'headroom.python.interpreter': '/usr/bin/python3',
  } });
const url = `${server.url}/?folder=${encodeURIComponent(join(repoRoot, 'examples'))}`;
console.log(`\nHeadroom demo: open ${url}\nThe examples folder starts a PyTorch training run (CPU) with Headroom when it opens: watch the status bar and the CodeLens in train_torch_cpu.py.\n(over SSH: ssh -L ${port}:127.0.0.1:${port} <host>, then open the same URL locally)\nCtrl+C to stop.`);
const stop = async () => {
  await server.stop();
  rmSync(extensionsDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
