// Remote ranks over TCP across two network namespaces joined by a veth pair: the window's
// listener (a real ProtocolListener + SessionRouter + RemoteRuns, test/unit/remoteRanksDriver.ts)
// in namespace A on A's veth address, two real Python ranks in namespace B, each with a host
// name of its own (a UTS namespace) so they look like another machine. Needs root (CAP_NET_ADMIN):
// skips, saying so, where it is not.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { DriverReport } from './remoteRanksDriver';

const ROOT = resolve(__dirname, '../..');
const PYTHON_PATH = join(ROOT, 'src/python');
const MB = 1024 * 1024;

/** Why namespaces cannot be made here, or undefined when they can. */
function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root (CAP_NET_ADMIN) to create network namespaces';
  for (const tool of ['ip', 'unshare', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = `hrprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Namespaces A and B joined by a veth pair, 10.201.X.1 (A) and .2 (B); names unique to this run. */
function makeNamespaces(): { a: string; b: string; addrA: string; cleanup: () => void } {
  const id = `${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
  const a = `hrA${id}`;
  const b = `hrB${id}`;
  const net = 1 + Math.floor(Math.random() * 250);
  const cleanup = () => {
    for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('link', 'add', `va${id}`, 'type', 'veth', 'peer', 'name', `vb${id}`);
    ip('link', 'set', `va${id}`, 'netns', a);
    ip('link', 'set', `vb${id}`, 'netns', b);
    ip('-n', a, 'addr', 'add', `10.201.${net}.1/30`, 'dev', `va${id}`);
    ip('-n', b, 'addr', 'add', `10.201.${net}.2/30`, 'dev', `vb${id}`);
    for (const [ns, dev] of [[a, `va${id}`], [b, `vb${id}`]]) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return { a, b, addrA: `10.201.${net}.1`, cleanup };
}

/** Reads the driver's JSON lines, one at a time. */
class Driver {
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiting: ((l: string) => void) | undefined;
  stderr = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (l) => (this.waiting ? (this.waiting(l), (this.waiting = undefined)) : this.queue.push(l)));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  next(timeoutMs = 20_000): Promise<string> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`driver said nothing in ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiting = (l) => {
        clearTimeout(t);
        ok(l);
      };
    });
  }

  async report(): Promise<DriverReport> {
    this.child.stdin.write('report\n');
    return JSON.parse(await this.next()) as DriverReport;
  }
}

// Each rank holds (rank + 1) x 40 MiB at its checkpoint and prints the RSS it measured there.
const RANK_SCRIPT = `
import json, os, sys, time
import headroom
block = bytearray((int(os.environ["RANK"]) + 1) * 40 * 1024 * 1024)
for i in range(0, len(block), 4096):
    block[i] = 1
headroom.checkpoint("after alloc")
with open("/proc/self/statm") as f:
    rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
print(json.dumps({"rss": rss, "pid": os.getpid()}), flush=True)
sys.stdin.read()  # held until the test closes stdin, so both ranks are connected at once
`;

describe('remote ranks across two network namespaces (veth)', function () {
  this.timeout(90_000);
  const why = netnsUnavailable();
  let ns: ReturnType<typeof makeNamespaces> | undefined;
  let driver: Driver | undefined;
  const ranks: ChildProcessWithoutNullStreams[] = [];
  let dir = '';

  before(function () {
    if (why) this.skip();
    try {
      ns = makeNamespaces();
    } catch (e) {
      // Root, but a kernel or container that cannot make a veth pair: a limit of the machine, said as such.
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      console.log(`      skipped: cannot make the namespaces and veth pair here: ${stderr || (e as Error).message}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'hr-remote-'));
    writeFileSync(join(dir, 'train_remote.py'), RANK_SCRIPT);
  });

  after(async () => {
    for (const r of ranks) r.kill('SIGKILL');
    if (driver) {
      driver.child.stdin.end('quit\n');
      await new Promise((r) => setTimeout(r, 300));
      driver.child.kill('SIGKILL');
    }
    ns?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(why ? `skipped: ${why}` : 'groups two ranks of node-b into one remote run with their own memory, and refuses a wrong token', async function () {
    if (why || !ns) this.skip();
    const { a, b, addrA } = ns as NonNullable<typeof ns>;
    driver = new Driver(spawn('ip', ['netns', 'exec', a, process.execPath, '--import', 'tsx', join(ROOT, 'test/unit/remoteRanksDriver.ts'), addrA, '0'], { cwd: ROOT }));
    const { address, token } = JSON.parse(await driver.next()) as { address: string; token: string };
    assert.match(address, new RegExp(`^tcp:${addrA.replace(/\./g, '\\.')}:\\d+$`));

    // Each rank in namespace B with a host name of its own: another machine, as far as its hello says.
    const runRank = (rank: number, tok: string) =>
      spawn('ip', ['netns', 'exec', b, 'unshare', '--uts', 'sh', '-c', 'hostname node-b && exec python3 "$0"', join(dir, 'train_remote.py')], {
        env: { ...process.env, PYTHONPATH: PYTHON_PATH, HEADROOM_ADDR: address, HEADROOM_TOKEN: tok, RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2' },
      });
    const measured = new Map<number, number>();
    for (const rank of [0, 1]) {
      const p = runRank(rank, token);
      ranks.push(p);
      const first = await new Promise<string>((ok, fail) => {
        let err = '';
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        createInterface({ input: p.stdout }).once('line', ok);
        p.once('exit', (code) => fail(new Error(`rank ${rank} exited (${code}) before its checkpoint: ${err}`)));
      });
      measured.set(rank, (JSON.parse(first) as { rss: number }).rss);
    }

    // A third process with a wrong token: refused before it reaches any session, and counted.
    const wrong = runRank(0, 'not-the-token');
    ranks.push(wrong);

    let report: DriverReport | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      report = await driver.report();
      const run = report.runs[0];
      const cp = run?.checkpoints['after alloc'];
      if (report.refused >= 1 && cp && cp['0'] !== undefined && cp['1'] !== undefined) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(report, 'no report');
    assert.ok(report.refused >= 1, `the wrong token is refused (and again at each retry): ${report.problems.join('; ')}`);
    assert.ok(report.problems.some((p) => /refused a connection from 10\.201\.\d+\.2:\d+: wrong token/.test(p)), report.problems.join('; '));
    assert.equal(report.local, 0, 'nothing was taken for a local process');
    assert.equal(report.runs.length, 1, `one run for the job: ${report.runs.map((r) => r.name).join(', ')}`);
    const run = report.runs[0];
    assert.equal(run.name, 'train_remote.py (2 ranks, 1 host)');
    assert.deepEqual(run.hosts, ['node-b']);
    assert.deepEqual(
      run.ranks.map((r) => [r.host, r.rank, r.localRank]).sort(),
      [
        ['node-b', 0, 0],
        ['node-b', 1, 1],
      ],
    );
    for (const rank of [0, 1]) {
      const got = run.checkpoints['after alloc'][String(rank)];
      const want = measured.get(rank) as number;
      // The client's RSS at the checkpoint against the RSS the rank read just after it.
      assert.ok(Math.abs(got - want) < 0.05 * want, `rank ${rank}: reported ${got} vs measured ${want}`);
      const line = run.ranks.find((r) => r.rank === rank);
      assert.ok(line && run.series.includes(`proc.${line.globalPid}.rss`), `rank ${rank} has its own line: ${run.series.join(', ')}`);
    }
    const diff = run.checkpoints['after alloc']['1'] - run.checkpoints['after alloc']['0'];
    assert.ok(diff > 30 * MB && diff < 50 * MB, `rank 1 holds 40 MiB more than rank 0: ${diff}`);
    assert.ok(run.series.includes('tree.rss'), 'the run has a sum line');
  });
});
