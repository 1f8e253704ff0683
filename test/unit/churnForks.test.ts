import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Monitor } from '../../src/engine/monitor';
import { readRecording } from '../../src/engine/recording/recordingReader';

/** A parent that forks 1000 short-lived children, 25 at a time, each touching a little memory for 5-30 ms. */
const PARENT = `
import os, random, time
time.sleep(0.3)
random.seed(7)
live = []
for i in range(1000):
    pid = os.fork()
    if pid == 0:
        b = bytearray(random.randint(1, 8) << 20)
        time.sleep(random.uniform(0.005, 0.03))
        os._exit(0)
    live.append(pid)
    if len(live) >= 25:
        os.waitpid(live.pop(0), 0)
for pid in live:
    os.waitpid(pid, 0)
`;

const fds = () => readdirSync('/proc/self/fd').length;
/** Node's live resources by kind (timers, handles, requests), sorted: what must come back to where it was. */
const resources = () => process.getActiveResourcesInfo().sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('churn: a monitored parent forking 1000 short-lived children (real processes)', function () {
  this.timeout(90_000);
  before(function () {
    if (process.platform !== 'linux') this.skip(); // the /proc fd count and the procfs sampler are Linux's
  });

  it("the engine's file descriptors and timers return to their baseline, and problem reports stay bounded", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-churn-'));
    await sleep(50);
    const fdBase = fds();
    const resBase = resources();
    const problems: string[] = [];
    const child = spawn('python3', ['-c', PARENT], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const m = new Monitor(child.pid as number, { intervalMs: 10, pss: 'auto', gpu: false, recordingPath: join(dir, 'rec.ndjson'), onProblem: (p) => problems.push(p) });
    let maxFds = 0;
    let maxProcs = 0;
    m.onTick((t) => {
      maxFds = Math.max(maxFds, fds());
      maxProcs = Math.max(maxProcs, t.tree.processes.length);
    });
    let code: number | null;
    try {
      m.start();
      code = await exited;
      await sleep(100);
    } finally {
      m.stop();
    }
    // Closes and exits complete on later turns; on a loaded machine, some turns later.
    for (let i = 0; i < 30 && (fds() !== fdBase || JSON.stringify(resources()) !== JSON.stringify(resBase)); i++) await sleep(100);
    const seen = m.store.names().filter((n) => /^proc\.\d+\.rss$/.test(n)).length;
    const rec = readRecording(join(dir, 'rec.ndjson'));
    rmSync(dir, { recursive: true, force: true });

    assert.equal(code, 0);
    assert.ok(seen > 40 && maxProcs > 5, `the sampler saw the churn: ${seen} processes, up to ${maxProcs} at once`);
    assert.ok(rec.records.filter((r) => r.type === 'sample').length > 20 && rec.errorCount === 0, 'the recording is whole');
    // A tick reads each live process's stat, statm and children at once: descriptors in flight
    // scale with the tree's size at that moment, never with the children that came and went.
    assert.ok(maxFds <= fdBase + 3 * maxProcs + 16, `open descriptors while sampling: ${maxFds}, baseline ${fdBase}, up to ${maxProcs} processes at once`);
    assert.equal(fds(), fdBase, 'every descriptor closed after stop');
    assert.deepEqual(resources(), resBase, 'every timer and handle gone after stop');
    assert.ok(problems.length <= 3, `problem reports: ${problems.length}\n${problems.slice(0, 10).join('\n')}`);
  });
});
