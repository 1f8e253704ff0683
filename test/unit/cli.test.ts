import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSize } from '../../src/cli/args';
import { readRecording } from '../../src/engine/recording/recordingReader';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const MiB = 2 ** 20;

function headroom(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('headroom CLI (real programs)', function () {
  this.timeout(120_000);
  let dir: string;
  const script = (name: string, code: string) => {
    const p = join(dir, name);
    writeFileSync(p, code);
    return p;
  };
  before(function () {
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records a program and reports peaks and checkpoint deltas within 10% of what it allocated', () => {
    const p = script('alloc.py', 'import headroom, time\nheadroom.checkpoint("start")\nx = b"a" * (300 << 20)\nheadroom.checkpoint("after 300 MiB")\ntime.sleep(0.4)\n');
    const out = join(dir, 'out');
    const r = headroom(['run', '--out', out, '--quiet', '--', '/usr/bin/python3', p]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.ok(s.peak.rss > 300 * MiB && s.peak.rss < 1.1 * (300 * MiB + 40 * MiB), `peak RSS ${s.peak.rss}`);
    const cp = s.checkpoints.find((c: { label: string }) => c.label === 'after 300 MiB');
    assert.ok(Math.abs(cp.lastDelta - 300 * MiB) / (300 * MiB) < 0.1, `delta ${cp.lastDelta}`);
    assert.match(r.stderr, /after 300 MiB\s+checkpoint\s+\+3\d\d MB/);
    for (const f of ['recording.ndjson', 'samples.csv', 'report.html']) assert.ok(existsSync(join(out, f)), f);
    const csv = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 't_ms,tree.rss,tree.pss,tree.vms,sys.used,sys.available');
    assert.ok(csv.length > 3);
    assert.ok(Math.max(...csv.slice(1).map((l) => Number(l.split(',')[1]))) === s.peak.rss, 'the CSV rows match the summary');
  });

  it('passes the exit code through', () => {
    assert.equal(headroom(['run', '--quiet', '--no-gpu', '--', 'sh', '-c', 'exit 7']).code, 7);
    assert.equal(headroom(['run', '--quiet', '--', 'sh', '-c', 'exit 0']).code, 0);
    const missing = headroom(['run', '--quiet', '--', '/nonexistent/program']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /cannot run \/nonexistent\/program/);
  });

  it('fails with --fail-above when the peak exceeds it, saying so', () => {
    const p = script('big.py', 'x = b"b" * (200 << 20)\nimport time; time.sleep(0.3)\n');
    const over = headroom(['run', '--quiet', '--fail-above', '100MiB', '--', '/usr/bin/python3', p]);
    assert.equal(over.code, 3);
    assert.match(over.stderr, /peak RSS 2\d\d MB exceeded --fail-above 105 MB/);
    assert.equal(headroom(['run', '--quiet', '--fail-above', '2GB', '--', '/usr/bin/python3', p]).code, 0);
    // PSS of the run's own tree (system memory also moves with everything else on the machine).
    const fromZero = headroom(['run', '--quiet', '--from-zero', '--type', 'pss', '--fail-above', '150MB', '--', '/usr/bin/python3', p]);
    assert.equal(fromZero.code, 3, fromZero.stderr);
    assert.match(fromZero.stderr, /peak PSS \d+ MB exceeded --fail-above 150 MB/);
    assert.equal(headroom(['run', '--quiet', '--from-zero', '--fail-above', '300MB', '--', '/usr/bin/python3', p]).code, 0);
  });

  it('reports a child killed by SIGKILL with its last checkpoint, and the recording stays readable', () => {
    const p = script('oom.py', 'import headroom, os, signal, time\nx = b"c" * (50 << 20)\nheadroom.checkpoint("loaded the batch")\ntime.sleep(0.3)\nos.kill(os.getpid(), signal.SIGKILL)\n');
    const out = join(dir, 'killed');
    const r = headroom(['run', '--out', out, '--quiet', '--', '/usr/bin/python3', p]);
    assert.equal(r.code, 137);
    assert.match(r.stderr, /killed by SIGKILL .*last checkpoint it reached was "loaded the batch" at .*oom\.py:3/);
    const rec = readRecording(join(out, 'recording.ndjson'));
    assert.ok(rec.header && rec.records.some((x) => x.type === 'sample'));
    assert.ok(rec.records.some((x) => x.type === 'checkpoint' && x.label === 'loaded the batch'));
    assert.equal(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).signal, 'SIGKILL');
  });

  it('re-renders reports from a recording and compares two runs per checkpoint', () => {
    const mk = (mib: number) => script(`run${mib}.py`, `import headroom\nheadroom.checkpoint("start")\nx = b"d" * (${mib} << 20)\nheadroom.checkpoint("loaded")\n`);
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    assert.equal(headroom(['run', '--out', a, '--quiet', '--', '/usr/bin/python3', mk(50)]).code, 0);
    assert.equal(headroom(['run', '--out', b, '--quiet', '--', '/usr/bin/python3', mk(150)]).code, 0);
    const again = join(dir, 'again');
    const rep = headroom(['report', join(a, 'recording.ndjson'), '--out', again]);
    assert.equal(rep.code, 0, rep.stderr);
    assert.ok(existsSync(join(again, 'report.html')));
    const cmp = headroom(['compare', join(a, 'recording.ndjson'), join(b, 'recording.ndjson')]);
    assert.equal(cmp.code, 0, cmp.stderr);
    const line = cmp.stdout.split('\n').find((l) => l.startsWith('loaded'));
    assert.ok(line, cmp.stdout);
    const diff = /\+(\d+) MB/.exec(line.split(/\s{2,}/)[3] ?? '');
    assert.ok(diff && Math.abs(Number(diff[1]) - 104.9) < 10.5, `B - A for "loaded": ${line}`);
  });

  it('says how to use it when the arguments are wrong', () => {
    const r = headroom(['run', '--fail-above', 'lots', '--', 'true']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /"lots" is not a size/);
    assert.equal(headroom(['frobnicate']).code, 2);
    assert.deepEqual([parseSize('4GB'), parseSize('3.5GiB'), parseSize('800M'), parseSize('12')], [4e9, 3.5 * 2 ** 30, 8e8, 12]);
  });
});
