import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalPid, loadMultiRunAsync, localPid, MultiRunError } from '../../src/engine/recording/multiRun';
import { rankSpread } from '../../src/engine/session/rankFigures';
import { SeriesName } from '../../src/engine/store/seriesName';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const torchrun = join(root, '.venv', 'bin', 'torchrun');
const MiB = 2 ** 20;

/** A minimal recording of one node: its header, a sample, and one rank's hello and checkpoint. */
function nodeRecording(host: string, pid: number, rank: number, rss: number, t: number): string {
  const lines = [
    { type: 'recording', v: 1, created: t, rootPid: pid, host, tool: 'headroom-cli/test', part: 0 },
    { type: 'sample', t, rss, vms: rss * 2, procs: [[pid, 1, rss, null, 'python3']] },
    { type: 'hello', t: t / 1000, pid, seq: 0, token: 'x', host, rank, local_rank: 0, world_size: 2, v: 1 },
    { type: 'checkpoint', t: t / 1000 + 0.001, pid, seq: 1, file: '/w/train.py', line: 9, label: 'after forward', mem: { rss, vms: rss * 2 }, v: 1 },
    { type: 'sample', t: t + 100, rss, vms: rss * 2, procs: [[pid, 1, rss, null, 'python3']] },
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

describe('loadMultiRunAsync: several recordings as one run', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-multirun-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps two nodes apart when their ranks have the same pid, orders them by host, and aggregates the checkpoint across ranks', async () => {
    const b = join(dir, 'b.ndjson');
    const a = join(dir, 'a.ndjson');
    writeFileSync(b, nodeRecording('node-b', 4242, 1, 900 * MiB, 1_700_000_000_050));
    writeFileSync(a, nodeRecording('node-a', 4242, 0, 300 * MiB, 1_700_000_000_000));
    const run = await loadMultiRunAsync([b, a]);
    assert.deepEqual(run.parts.map((p) => p.label), ['node-a rank 0', 'node-b rank 1']);
    assert.deepEqual(run.parts.map((p) => [...p.rankPids]), [[[0, 4242]], [[1, 4242]]]);
    assert.deepEqual(run.parts.map((p) => p.store.get(SeriesName.treeRss)?.max), [300 * MiB, 900 * MiB]);
    assert.equal(run.t0, 1_700_000_000_000);
    assert.equal(run.t1, 1_700_000_000_150);
    const [loc] = run.ingest.all();
    assert.equal(loc.label, 'after forward');
    const spread = rankSpread(loc);
    assert.ok(spread, 'two ranks at the checkpoint');
    assert.equal(spread.max.rank, 0); // first hits: each rank's delta is 0, the first wins
    assert.deepEqual(spread.ranks.map((r) => [r.rank, r.lastRss, localPid(r.pid)]), [
      [0, 300 * MiB, { index: 0, pid: 4242 }],
      [1, 900 * MiB, { index: 1, pid: 4242 }],
    ]);
    assert.equal(globalPid(1, 4242), 2 ** 23 + 4242);
  });

  it('refuses what is not a run, naming the file', async () => {
    await assert.rejects(loadMultiRunAsync([]), (e) => e instanceof MultiRunError && /no recordings/.test(e.message));
    const missing = join(dir, 'missing.ndjson');
    await assert.rejects(loadMultiRunAsync([missing]), (e) => e instanceof MultiRunError && e.message.startsWith(`${missing}: cannot read`));
    const junk = join(dir, 'junk.ndjson');
    writeFileSync(junk, '{"type":"sample","t":1,"rss":1,"vms":1}\nnot json\n');
    await assert.rejects(loadMultiRunAsync([junk]), (e) => e instanceof MultiRunError && e.message === `${junk}: not a Headroom recording (no header line)`);
    const a = join(dir, 'a.ndjson');
    writeFileSync(a, nodeRecording('node-a', 1, 0, MiB, 1));
    await assert.rejects(loadMultiRunAsync([a, a]), /listed twice/);
  });

  it('opens the recordings of two real torchrun ranks, each under its own headroom run, as one run', async () => {
    assert.ok(existsSync(torchrun), `${torchrun} missing: the project venv with PyTorch (npm test makes it)`);
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    const prog = join(dir, 'rank.py');
    writeFileSync(prog, 'import os, time, headroom\nrank = int(os.environ["RANK"])\nheadroom.checkpoint("start")\nx = b"a" * ((rank + 1) * 100 << 20)\nheadroom.checkpoint("allocated")\ntime.sleep(0.5)\n');
    const perRank = `exec ${process.execPath} ${cli} run --quiet --out ${dir}/rank$RANK -- /usr/bin/python3 ${prog}`;
    const r = spawnSync(torchrun, ['--standalone', '--nproc_per_node=2', '--no-python', 'sh', '-c', perRank], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 50_000 });
    assert.equal(r.status, 0, r.stderr);
    const run = await loadMultiRunAsync([join(dir, 'rank1', 'recording.ndjson'), join(dir, 'rank0', 'recording.ndjson')]);
    assert.deepEqual(run.parts.map((p) => p.label), [`${hostname()} rank 0`, `${hostname()} rank 1`]);
    const loc = run.ingest.all().find((l) => l.label === 'allocated');
    const spread = loc && rankSpread(loc);
    assert.ok(spread, 'the checkpoint has both ranks');
    assert.equal(spread.max.rank, 1, 'rank 1 allocated more');
    assert.equal(spread.min.rank, 0);
    for (const f of spread.ranks) assert.ok(Math.abs(f.lastDelta - (f.rank + 1) * 100 * MiB) < 0.1 * (f.rank + 1) * 100 * MiB, `rank ${f.rank} delta ${f.lastDelta}`);
    for (const p of run.parts) assert.ok(p.t0 >= run.t0 && p.t1 <= run.t1 && p.t1 > p.t0, `${p.label} within the run's span`);
  });
});
