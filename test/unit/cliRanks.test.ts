import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const torchrun = join(root, '.venv', 'bin', 'torchrun');
const MiB = 2 ** 20;

interface RankRow {
  readonly rank: number;
  readonly pid: number;
  readonly lastDelta: number;
  readonly hits: number;
  readonly peak: number;
}

describe('headroom run -- torchrun (a real two-rank DDP run on gloo)', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    assert.ok(existsSync(torchrun), `${torchrun} is missing: run scripts/ensure-venv.sh (the test command does)`);
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'headroom-ranks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('samples the launcher tree and gives a per-rank peak table and per-rank checkpoint rows', () => {
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [cli, 'run', '--quiet', '--out', out, '--', torchrun, '--nproc_per_node=2', join(root, 'test', 'fixtures', 'workspace', 'ddp_train.py')], {
      encoding: 'utf8',
      env: { ...process.env, DDP_STEPS: '4', OMP_NUM_THREADS: '1' },
      timeout: 170_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // Both ranks, each its own process, with rank 1's extra 150 MiB in its own peak.
    assert.deepEqual(s.ranks.map((x: { rank: number }) => x.rank), [0, 1]);
    const [r0, r1] = s.ranks;
    assert.notEqual(r0.pid, r1.pid);
    assert.ok(r1.peakRss - r0.peakRss > 120 * MiB, `rank 1 holds 150 MiB more: ${r0.peakRss} vs ${r1.peakRss}`);
    // The launcher's tree was sampled: the tree's peak covers both ranks together.
    assert.ok(s.peak.rss > r0.peakRss + r1.peakRss - 50 * MiB, `tree peak ${s.peak.rss} covers both ranks`);
    const step = s.checkpoints.find((c: { label: string }) => c.label === 'after step');
    assert.equal(step.hits, 8, 'four steps on each of two ranks');
    assert.deepEqual(step.ranks.map((x: RankRow) => [x.rank, x.hits]), [[0, 4], [1, 4]]);
    assert.deepEqual(step.ranks.map((x: RankRow) => x.pid), [r0.pid, r1.pid]);
    assert.equal(step.rankOutlier, 1, 'rank 1 stands far above rank 0');
    assert.ok(step.ranks[1].peak - step.ranks[0].peak > 120 * MiB);
    assert.match(r.stderr, /rank +pid +peak RSS\n[- ]+\n +0 +\d+ +\d+ MB\n +1 +\d+ +\d+ MB/);
    assert.match(r.stderr, /after step .* (max [+-]?[\d.]+ [kMG]?B \(rank [01]\) · min [+-]?[\d.]+ [kMG]?B \(rank [01]\)|[+-]?[\d.]+ [kMG]?B on every rank) · ⚠ rank 1 far above/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<table class="ranks">/);
    assert.match(html, /<th>ranks<\/th>/);
    assert.match(html, /<table class="by-rank">/);
    assert.equal((html.match(/<tr><td>ddp_train\.py:31<\/td><td>after step<\/td><td class="n">[01]<\/td>/g) ?? []).length, 2, 'a row per rank at "after step"');
  });
});
