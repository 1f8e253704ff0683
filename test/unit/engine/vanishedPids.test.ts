import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcfsTreeSampler, vanished } from '../../../src/engine/sampling/procfsTreeSampler';
import { PYTHON } from './allocator';

const FORKY = join(__dirname, '..', '..', 'fixtures', 'procs', 'forky.py');

/** A /proc/<pid>/stat line: state and ppid (fields 3-4), one thread (20), started at tick 1 (22). */
const statLine = (pid: number, ppid: number) => `${pid} (p${pid}) ${['S', ppid, ...Array<number>(15).fill(0), 1, 0, 1].join(' ')}\n`;

const linux = process.platform === 'linux';

describe('vanished processes are not problems; real problems are said once', function () {
  this.timeout(30_000);

  it('tells a process that exited from a file that cannot be opened', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(vanished(err('ESRCH'), true), true);
    assert.equal(vanished(err('ENOENT'), false), true, 'its /proc directory is gone with it');
    assert.equal(vanished(err('ENOENT'), true), false, 'a live process without the file is a problem');
    assert.equal(vanished(err('EACCES'), false), false);
    assert.equal(vanished(err('EMFILE'), true), false);
    assert.equal(vanished(undefined, false), false);
  });

  (linux ? it : it.skip)('samples a fork-heavy program through its whole life, exit included, with no problem', async () => {
    const problems: string[] = [];
    const child = spawn(PYTHON, [FORKY, '1.5'], { stdio: 'ignore' });
    const sampler = new ProcfsTreeSampler(child.pid as number, { pss: 'off', discoveryIntervalMs: 0, onProblem: (m) => problems.push(m) });
    let samples = 0;
    let mostProcesses = 0;
    // Back to back for a second (thousands of discoveries: without the fix, several each run
    // meet a child reaped between reading its stat and opening its statm), then through its exit.
    const busyUntil = Date.now() + 1000;
    while (Date.now() < busyUntil) {
      mostProcesses = Math.max(mostProcesses, sampler.sample().processes.length);
      samples++;
    }
    const timer = setInterval(() => sampler.sample(), 2);
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    clearInterval(timer);
    for (let i = 0; i < 20; i++) sampler.sample(); // and after it ended, as the CLI does
    sampler.dispose();
    assert.ok(samples > 100, `${samples} samples`);
    assert.ok(mostProcesses > 5, `saw at most ${mostProcesses} processes: the children were not seen`);
    assert.deepEqual(problems, []);
  });

  it('says once that a live process has no statm, naming it', () => {
    const proc = mkdtempSync(join(tmpdir(), 'headroom-proc-'));
    try {
      for (const [pid, ppid] of [[100, 1], [101, 100]]) {
        mkdirSync(join(proc, String(pid)));
        writeFileSync(join(proc, String(pid), 'stat'), statLine(pid, ppid));
      }
      writeFileSync(join(proc, '100', 'statm'), '2560 512 256 1 0 300 0\n');
      const problems: string[] = [];
      const sampler = new ProcfsTreeSampler(100, { procRoot: proc, pss: 'off', discoveryIntervalMs: 0, onProblem: (m) => problems.push(m) });
      let s = sampler.sample();
      for (let i = 0; i < 5; i++) s = sampler.sample();
      sampler.dispose();
      assert.deepEqual(s.processes.map((p) => p.pid), [100], 'the root is sampled, the child without statm is not');
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /cannot open the files of pid 101: ENOENT/);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
