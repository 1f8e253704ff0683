import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { freePort } from './metricsHelpers';

// A real Prometheus (Debian's package, installed by scripts/ensure-system-deps.sh) scrapes two
// ranks of a real torchrun, each under its own `headroom run --metrics`, once a second; what
// its HTTP API answers must match what each rank's recording holds.

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const torchrun = join(root, '.venv', 'bin', 'torchrun');
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(port: number, q: string): Promise<Vector[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = (await r.json()) as { status: string; data: { result: Vector[] } };
  assert.equal(j.status, 'success', JSON.stringify(j));
  return j.data.result;
}

describe('a real Prometheus scraping headroom run --metrics on two torchrun ranks', function () {
  this.timeout(90_000);
  let dir: string;
  const children: ChildProcess[] = [];
  before(function () {
    // Not a skip: a machine without Prometheus cannot pass this test, and should say why.
    assert.ok(existsSync(PROMETHEUS) && existsSync(PROMTOOL), `${PROMETHEUS} / ${PROMTOOL} missing: install Debian's prometheus package (scripts/ensure-system-deps.sh does, as root)`);
    assert.ok(existsSync(torchrun), `${torchrun} missing: the project venv with PyTorch (npm test makes it)`);
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'headroom-prom-'));
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds each rank's tree, process and checkpoint series, with values within 5% of its recording, and promtool accepts the textfiles", async () => {
    const [promPort, p0, p1] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'prometheus.yml'),
      // honor_labels: the exporter's own job label (the training job) wins over the scrape job's.
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: headroom\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${p0}', '127.0.0.1:${p1}']\n`,
    );
    const prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(prom);
    let promLog = '';
    prom.stderr?.on('data', (d) => (promLog += d));

    const prog = join(dir, 'rank.py');
    writeFileSync(prog, 'import os, time, headroom\nrank = int(os.environ["RANK"])\nx = b"a" * ((rank + 1) * 100 << 20)\nheadroom.checkpoint("allocated")\ntime.sleep(8)\n');
    // Each rank runs under its own headroom, on the port its LOCAL_RANK picks.
    const perRank = `set -- $PORTS; shift $LOCAL_RANK; exec ${process.execPath} ${cli} run --quiet --out ${dir}/rank$RANK --metrics 127.0.0.1:$1 --metrics-textfile ${dir}/textfiles --metrics-job ddp -- /usr/bin/python3 ${prog}`;
    const job = spawn(torchrun, ['--standalone', '--nproc_per_node=2', '--no-python', 'sh', '-c', perRank], { env: { ...process.env, PORTS: `${p0} ${p1}`, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(job);
    let jobLog = '';
    job.stderr?.on('data', (d) => (jobLog += d));
    const jobExit = new Promise<number | null>((r) => job.once('exit', (c) => r(c)));

    // Wait for both ranks' checkpoint to reach Prometheus, with the allocation in their trees.
    let tree: Vector[] = [];
    let cps: Vector[] = [];
    let procs: Vector[] = [];
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      try {
        cps = await query(promPort, 'headroom_checkpoint_rss_bytes{job="ddp",checkpoint="allocated"}');
        tree = await query(promPort, 'headroom_tree_rss_bytes{job="ddp"}');
        procs = await query(promPort, 'headroom_process_rss_bytes{job="ddp"}');
      } catch {
        continue; // Prometheus still starting
      }
      if (cps.length === 2 && tree.length === 2 && tree.every((v) => Number(v.value[1]) > (Number(v.metric.rank) + 1) * 100 * MiB)) break;
    }
    assert.equal(cps.length, 2, `checkpoint series: ${JSON.stringify(cps)}\nprometheus: ${promLog}\ntorchrun: ${jobLog}`);
    assert.equal(await jobExit, 0, jobLog);

    for (const rank of [0, 1]) {
      const pick = (vs: Vector[]) => vs.filter((v) => v.metric.rank === String(rank));
      const [t] = pick(tree);
      assert.ok(t, `rank ${rank} has a tree series: ${JSON.stringify(tree)}`);
      assert.deepEqual(Object.fromEntries(Object.entries(t.metric).filter(([k]) => k !== '__name__')), { job: 'ddp', host: hostname(), rank: String(rank), local_rank: String(rank), instance: `127.0.0.1:${rank ? p1 : p0}` });
      const recording = readRecording(join(dir, `rank${rank}`, 'recording.ndjson')).records;
      // The recording's sample nearest the moment Prometheus' value was scraped.
      const samples = recording.filter((r) => r.type === 'sample') as unknown as { t: number; rss: number }[];
      const at = Number(t.value[0]) * 1000;
      const near = samples.reduce((a, b) => (Math.abs(b.t - at) < Math.abs(a.t - at) ? b : a));
      const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 0.05 * want, `rank ${rank} ${what}: Prometheus ${got}, recording ${want}`);
      close(Number(t.value[1]), near.rss, 'tree RSS');
      const cp = recording.find((r) => r.type === 'checkpoint' && r.label === 'allocated') as unknown as { mem: { rss: number } };
      close(Number(pick(cps)[0].value[1]), cp.mem.rss, 'checkpoint RSS');
      assert.ok(cp.mem.rss > (rank + 1) * 100 * MiB, `rank ${rank} allocated ${(rank + 1) * 100} MiB: ${cp.mem.rss}`);
      const [p] = pick(procs);
      assert.ok(p && Number(p.metric.pid) > 0, `rank ${rank} process series: ${JSON.stringify(procs)}`);
      close(Number(p.value[1]), near.rss, 'process RSS (the tree is one process)');
    }

    const files = readdirSync(join(dir, 'textfiles')).sort();
    assert.deepEqual(files, ['headroom-ddp-rank0.prom', 'headroom-ddp-rank1.prom']);
    for (const f of files) {
      const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: readFileSync(join(dir, 'textfiles', f)), encoding: 'utf8' });
      assert.equal(check.status, 0, `promtool check metrics ${f}: ${check.stdout}${check.stderr}`);
    }
  });
});
