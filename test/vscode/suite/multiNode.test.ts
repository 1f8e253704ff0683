import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { rankSpread } from '../../../src/engine/session/rankFigures';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');

describe('Open Multi-Node Run: one recording per node opened as one run (real editor)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-multi-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('draws a line per rank and aggregates the checkpoints across the nodes, max and min with their ranks', async () => {
    const api = await headroom();
    const prog = join(dir, 'train.py');
    writeFileSync(prog, 'import headroom, os, time\nheadroom.checkpoint("start")\nx = bytearray(int(os.environ["MB"]) << 20)\nx[::4096] = b"x" * len(x[::4096])\nheadroom.checkpoint("after forward")\ntime.sleep(0.5)\n');
    // Each "node" runs one rank under its own `headroom run --out` (as a job's launcher would on each machine).
    const record = (rank: number, mb: number) => {
      const out = join(dir, `node${rank}`);
      const env = { ...process.env, RANK: String(rank), LOCAL_RANK: '0', WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '1', MB: String(mb), HEADROOM_ADDR: '', HEADROOM_TOKEN: '' };
      const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', '--out', out, '--quiet', '--', '/usr/bin/python3', prog], { encoding: 'utf8', env });
      assert.equal(r.status, 0, r.stderr);
      return vscode.Uri.file(join(out, 'recording.ndjson'));
    };
    const uris = [record(0, 40), record(1, 160)];
    const s = (await vscode.commands.executeCommand('headroom.openMultiNodeRun', uris)) as MonitoringSession | undefined;
    assert.ok(s, 'the run opened');
    assert.equal(s.source, 'recording');
    assert.match(s.name, /^2 recordings: .* rank 0, .* rank 1$/);
    // A line per rank, each the rank's own process RSS.
    const lines = s.store.names().filter((n) => /^proc\.\d+\.rss$/.test(n));
    assert.equal(lines.length, 2, lines.join(', '));
    // The checkpoint across nodes: rank 1 kept 160 MiB, rank 0 40 MiB.
    const loc = s.ingest.all().find((l) => l.label === 'after forward');
    assert.ok(loc);
    const spread = rankSpread(loc);
    assert.equal(spread?.max.rank, 1);
    assert.equal(spread?.min.rank, 0);
    assert.ok(Math.abs((spread?.max.lastDelta ?? 0) - 160 * 2 ** 20) < 16 * 2 ** 20, String(spread?.max.lastDelta));
    await waitFor(() => api.panels.all().find((p) => p.boundSession === s), 'a timeline of its own');
  });

  it('says which file is not a recording, and opens nothing', async () => {
    const bad = join(dir, 'notes.ndjson');
    writeFileSync(bad, 'hello\n');
    const before = (await headroom()).sessions.all().length;
    const s = await vscode.commands.executeCommand('headroom.openMultiNodeRun', [vscode.Uri.file(bad)]);
    assert.equal(s, undefined);
    assert.equal((await headroom()).sessions.all().length, before);
  });
});
