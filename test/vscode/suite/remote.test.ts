import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RemoteRunSession } from '../../../src/engine/session/remoteRunSession';
import { headroom, waitFor } from './util';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

// A rank of "another machine": the hello's host is what socket.gethostname() says, so the
// program names another host; it holds (RANK + 1) x 30 MiB at its checkpoint.
const RANK_SCRIPT = `
import os, socket, sys
socket.gethostname = lambda: "node-remote-1"
import headroom
block = bytearray((int(os.environ["RANK"]) + 1) * 30 * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
headroom.checkpoint("remote held")
print("ready", flush=True)
sys.stdin.read()
`;

/** Says hello on the remote port with `token` as a rank of another host; resolves true if the window kept the connection open. */
function presents(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(JSON.stringify({ v: 1, type: 'hello', t: Date.now() / 1000, pid: 777, seq: 0, token, host: 'node-token-check', argv: ['check.py'] }) + '\n');
    });
    const done = (kept: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(kept);
    };
    const timer = setTimeout(() => done(true), 1500);
    s.once('close', () => done(false));
    s.once('error', () => done(false));
  });
}

const copiedSettings = async () => {
  await vscode.commands.executeCommand('headroom.copyRemoteConnection');
  const m = /^HEADROOM_ADDR=(tcp:127\.0\.0\.1:\d+) HEADROOM_TOKEN=(\S+)$/.exec(await vscode.env.clipboard.readText());
  assert.ok(m, 'the settings were copied');
  return { addr: m[1], token: m[2] };
};

describe('Remote ranks over TCP (real editor, real Python ranks)', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  let dir = '';
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    await vscode.workspace.getConfiguration('headroom').update('remote.listen', undefined, vscode.ConfigurationTarget.Global);
  });

  it('listens when headroom.remote.listen is set, groups two ranks of another host into one run without sampling their pids, and closes when unset', async () => {
    const api = await headroom();
    const port = await freePort();
    await vscode.workspace.getConfiguration('headroom').update('remote.listen', `127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address, 'the remote listener');
    assert.equal(api.remote.address, `tcp:127.0.0.1:${port}`);

    await vscode.commands.executeCommand('headroom.copyRemoteConnection');
    const copied = await vscode.env.clipboard.readText();
    const m = /^HEADROOM_ADDR=(tcp:127\.0\.0\.1:\d+) HEADROOM_TOKEN=(\S+)$/.exec(copied);
    assert.ok(m, `copied: ${copied.replace(/TOKEN=\S+/, 'TOKEN=…')}`);
    assert.equal(m[1], api.remote.address);

    dir = mkdtempSync(join(tmpdir(), 'hr-remote-editor-'));
    writeFileSync(join(dir, 'remote_rank.py'), RANK_SCRIPT);
    const pids: number[] = [];
    for (const rank of [0, 1]) {
      const p = spawn('python3', [join(dir, 'remote_rank.py')], {
        cwd: dir,
        env: { ...process.env, PYTHONPATH: api.pythonPath, HEADROOM_ADDR: m[1], HEADROOM_TOKEN: m[2], RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2' },
      });
      children.push(p);
      pids.push(p.pid as number);
      await new Promise<void>((ok, fail) => {
        let err = '';
        p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        p.stdout?.once('data', () => ok());
        p.once('exit', (code) => fail(new Error(`rank ${rank} exited (${code}): ${err}`)));
      });
    }

    const run = (await waitFor(
      () => api.sessions.all().find((s) => s.name === 'remote_rank.py (2 ranks, 1 host)' && (s.ingest.all().find((l) => l.label === 'remote held')?.ranks?.size ?? 0) === 2),
      'one remote run with both ranks at the checkpoint',
      20_000,
    )) as RemoteRunSession;
    assert.equal(run.live, true);
    assert.equal(run.monitor, undefined, 'nothing of another machine is sampled here');
    assert.ok(!api.sessions.all().some((s) => pids.includes(s.rootPid)), 'no session was rooted at a remote pid');
    const figures = [...(run.ingest.all().find((l) => l.label === 'remote held')?.ranks?.values() ?? [])].sort((a, b) => a.rank - b.rank);
    const diff = figures[1].lastRss - figures[0].lastRss;
    assert.ok(diff > 20 * 2 ** 20 && diff < 40 * 2 ** 20, `rank 1 holds 30 MiB more than rank 0: ${diff}`);
    assert.deepEqual(run.hostNames(), ['node-remote-1']);
    // Recorded where the window keeps its runs, with the ranks' lines, and never the token.
    const rec = run.recordingPath;
    assert.ok(rec && /-remote-.*\.ndjson$/.test(rec), `recorded: ${rec}`);
    await waitFor(() => existsSync(rec) && readFileSync(rec, 'utf8').includes('"type":"sample"'), 'the recording to hold the ranks\' samples', 5000);
    const head = JSON.parse(readFileSync(rec, 'utf8').split('\n')[0]);
    assert.deepEqual([head.type, head.rootPid, head.name], ['recording', 0, 'remote_rank.py (2 ranks)']);
    assert.ok(!readFileSync(rec, 'utf8').includes(m[2]), 'the token is not in the recording');

    await vscode.workspace.getConfiguration('headroom').update('remote.listen', '', vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address === undefined, 'the remote listener to close');
    await waitFor(() => run.connections.size === 0, 'the ranks to be cut off');
  });

  it('keeps one remote token across listening off and on (stored, so ranks outlive a window reload); Reset Remote Token shuts the old one out', async () => {
    const api = await headroom();
    const cfg = vscode.workspace.getConfiguration('headroom');
    const port = await freePort();
    await cfg.update('remote.listen', `127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address === `tcp:127.0.0.1:${port}`, 'the remote listener');
    const first = await copiedSettings();
    const window = await api.sessions.windowEnvironment();
    assert.notEqual(first.token, window.token, 'the remote port has a token of its own, not the window token');
    assert.equal(await presents(port, window.token), false, 'the window token is refused on the remote port');
    assert.equal(await presents(port, first.token), true, 'the remote token is admitted');

    await cfg.update('remote.listen', '', vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address === undefined, 'the remote listener to close');
    await cfg.update('remote.listen', `127.0.0.1:${port}`, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address === `tcp:127.0.0.1:${port}`, 'listening again');
    assert.equal((await copiedSettings()).token, first.token, 'the same token: ranks started with it get back in');

    await vscode.commands.executeCommand('headroom.resetRemoteToken');
    const second = await copiedSettings();
    assert.notEqual(second.token, first.token);
    assert.equal(await presents(port, first.token), false, 'the old token is refused after a reset');
    assert.equal(await presents(port, second.token), true, 'the new one is admitted');
    await cfg.update('remote.listen', '', vscode.ConfigurationTarget.Global);
    await waitFor(() => api.remote.address === undefined, 'the remote listener to close');
  });
});
