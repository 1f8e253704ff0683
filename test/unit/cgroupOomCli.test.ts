import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endText } from '../../src/engine/oom/endExplanation';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { formatBytes } from '../../src/shared/format';
import { escapeHtml } from '../../src/shared/html';
import { makeTestCgroup, type TestCgroup } from './cgroupOomHelpers';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const GROW = join(root, 'test', 'fixtures', 'oom', 'grow.py');
const GROW_PLAIN = join(root, 'test', 'fixtures', 'oom', 'grow_plain.py');
const LIMIT = 300 * 2 ** 20;
const checkpointLine = readFileSync(GROW, 'utf8').split('\n').findIndex((l) => l.includes('# the checkpoint line')) + 1;

/** `headroom run` of a command; its exit code and stderr once it has ended. */
function headroom(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.once('close', (code) => resolve({ code, stderr }));
  });
}

/** The program enters the cgroup as itself (`echo $$`), then becomes Python: the monitored root is the job in the cgroup. */
const inCgroup = (cg: TestCgroup, ...argv: string[]) => ['sh', '-c', `echo $$ > ${cg.procs} && exec /usr/bin/python3 ${argv.join(' ')}`];

describe('OOM in a real memory cgroup: explained, and stopped before it by the guard (headroom run)', function () {
  this.timeout(60_000);
  let dir: string;
  let cg: TestCgroup | undefined;
  let n = 0;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-oom-'));
    cg = makeTestCgroup(LIMIT, n++);
  });
  afterEach(async () => {
    await cg?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a program growing 20 MB a step in a 300 MiB cgroup is killed; the CLI names the OOM killer from the cgroup's counter, the memory, the limit and the last checkpoint", async () => {
    const c = cg as TestCgroup;
    const out = join(dir, 'out');
    const r = await headroom(['run', '--out', out, '--quiet', '--no-gpu', '--', ...inCgroup(c, GROW, join(dir, 'saved'))]);
    assert.equal(r.code, 137, r.stderr);
    assert.equal(c.oomKills(), 1, 'the kernel killed it');
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const e = s.end;
    assert.equal(e.kind, 'oom-kill-cgroup', JSON.stringify(e));
    assert.equal(e.oomKills.cgroup, 1);
    // The job's cgroup, found from the child's /proc/<pid>/cgroup (the CLI's own has no limit).
    assert.deepEqual([e.limit, e.limitKind, e.signal], [LIMIT, 'cgroup', 'SIGKILL']);
    assert.ok(e.memory > 0.85 * LIMIT && e.memory <= LIMIT, `memory at the end ${e.memory}`);
    assert.equal(e.peak, s.peak.cgroup);
    assert.match(e.lastCheckpoint.label, /^step \d+$/);
    assert.equal(e.lastCheckpoint.line, checkpointLine);
    assert.ok(e.lastCheckpoint.secondsBefore >= 0 && e.lastCheckpoint.secondsBefore < 2, `${e.lastCheckpoint.secondsBefore}`);
    const sentence = `Killed by the out-of-memory killer at ${formatBytes(e.memory)} (cgroup limit ${formatBytes(LIMIT)}), `;
    assert.ok(e.text.startsWith(sentence) && e.text.endsWith(` after '${e.lastCheckpoint.label}' (grow.py:${checkpointLine})`), e.text);
    assert.ok(r.stderr.split('\n').includes(e.text), `the summary says it:\n${r.stderr}`);
    assert.ok(!/not by the out-of-memory killer/.test(r.stderr), r.stderr);
    assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes(escapeHtml(e.text)), 'report.html says it');
    const rec = readRecording(join(out, 'recording.ndjson'));
    const end = rec.records.filter((x) => x.type === 'end');
    assert.equal(end.length, 1);
    assert.deepEqual(end[0].explanation, e, 'the recording keeps the explanation');
    // Re-rendered from the recording alone, the report says the same.
    const again = join(dir, 'again');
    const rep = spawnSync(process.execPath, [cli, 'report', join(out, 'recording.ndjson'), '--out', again], { encoding: 'utf8' });
    assert.equal(rep.status, 0, rep.stderr);
    assert.ok(rep.stdout.includes(endText(e)), rep.stdout);
    assert.equal(JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8')).end.kind, 'oom-kill-cgroup');
    if (existsSync('/proc/pressure/memory')) {
      // PSI where the kernel has it: a series (percent), zero or more; absent is a normal state elsewhere.
      assert.ok(s.pressure && s.pressure.some >= 0 && s.pressure.some <= 100, JSON.stringify(s.pressure));
      assert.ok(rec.records.some((x) => x.type === 'sample' && Array.isArray(x.psi)), 'samples carry psi');
    }
  });

  it('with --guard interrupt (95% of the cgroup limit) the program is interrupted through its client, its except KeyboardInterrupt saves, and it exits 0 below the limit', async () => {
    const c = cg as TestCgroup;
    const out = join(dir, 'out');
    const saved = join(dir, 'saved');
    const r = await headroom(['run', '--guard', 'interrupt', '--out', out, '--quiet', '--no-gpu', '--', ...inCgroup(c, GROW, saved)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(saved, 'utf8'), /^saved after step \d+\n$/);
    assert.equal(c.oomKills(), 0, 'never killed');
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(s.guard.mode, 'interrupt');
    assert.equal(s.guard.actions.length, 1, 'one action for one crossing');
    const a = s.guard.actions[0];
    assert.deepEqual([a.how, a.gauge.key, a.gauge.limit, a.gauge.threshold], ['client', 'cgroup', LIMIT, 0.95 * LIMIT]);
    assert.ok(a.gauge.value >= a.gauge.threshold && a.gauge.value < LIMIT, JSON.stringify(a.gauge));
    assert.ok(s.peak.cgroup < LIMIT);
    assert.equal(s.end.kind, 'none');
    assert.match(r.stderr, /headroom: guard: \d+ MB of 315 MB \(cgroup limit\): interrupted pid \d+ \(KeyboardInterrupt through the Headroom client\)/);
    assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes(escapeHtml(a.text)));
    const rec = readRecording(join(out, 'recording.ndjson')).records;
    assert.equal(rec.filter((x) => x.type === 'guard').length, 1, 'the action is in the recording, for the timeline');
    const again = join(dir, 'again');
    assert.equal(spawnSync(process.execPath, [cli, 'report', join(out, 'recording.ndjson'), '--out', again]).status, 0);
    assert.deepEqual(JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8')).guard, { mode: 'interrupt', actions: [a] }, 'read back from the recording, the same action');
  });

  it('with --guard-above and a program without the client, SIGINT goes to the root, and its own handler saves', async () => {
    const c = cg as TestCgroup;
    const out = join(dir, 'out');
    const saved = join(dir, 'saved');
    const r = await headroom(['run', '--guard-above', '150MB', '--out', out, '--quiet', '--no-gpu', '--', ...inCgroup(c, GROW_PLAIN, saved)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(saved, 'utf8'), /^saved at \d+ MB\n$/);
    const a = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).guard.actions;
    assert.equal(a.length, 1);
    assert.deepEqual([a[0].how, a[0].gauge.key, a[0].gauge.threshold], ['signal', 'above', 150e6]);
    assert.equal(c.oomKills(), 0);
  });
});
