import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { MonitoringSession } from '../../src/engine/session/monitoringSession';
import { SeriesName } from '../../src/engine/store/seriesName';
import { makeTestCgroup } from './cgroupOomHelpers';
import { Allocator, MiB, sleep } from './engine/allocator';

/** `p`, or an error after `ms`: a hung wait must still reach the test's cleanup. The timer goes with the wait (a later test counts timers). */
const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
};

const until = async (ok: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

/**
 * On a hybrid host the v2 hierarchy (/sys/fs/cgroup/unified) has no memory controller, but
 * its cgroups still have memory.pressure: a child cgroup there gives the job a pressure of its own.
 */
function hybridPressureCgroup(): { dir: string; remove(): void } | undefined {
  const unified = '/sys/fs/cgroup/unified';
  if (existsSync('/sys/fs/cgroup/cgroup.controllers') || !existsSync(join(unified, 'memory.pressure'))) return undefined;
  const dir = join(unified, `headroom-test-${process.pid}-psi`);
  mkdirSync(dir);
  return {
    dir,
    remove: () => {
      try {
        rmdirSync(dir);
      } catch (e) {
        throw new Error(`could not remove ${dir}: ${(e as Error).message}`);
      }
    },
  };
}

describe('MonitoringSession in a real memory cgroup (the engine API the editor uses)', function () {
  this.timeout(60_000);
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  it("explains the OOM kill of an attached process from its cgroup's counter, records it, and samples memory pressure of the system and of the job's cgroup", async () => {
    const cg = makeTestCgroup(200 * MiB, 100);
    const psiCg = hybridPressureCgroup();
    const dir = mkdtempSync(join(tmpdir(), 'headroom-oom-session-'));
    const a = new Allocator();
    let session: MonitoringSession | undefined;
    try {
      await a.send('free');
      writeFileSync(cg.procs, String(a.pid));
      if (psiCg) writeFileSync(join(psiCg.dir, 'cgroup.procs'), String(a.pid));
      await a.send('spawn'); // a second process in the tree: the explanation names the biggest
      session = new MonitoringSession('s', 'allocator', 'attach', a.pid, undefined, { intervalMs: 50, gpu: false, pss: 'off', recordingPath: join(dir, 'rec.ndjson') });
      const s = session;
      const ended = new Promise<void>((r) => s.onDidEnd(r));
      s.start();
      await a.send('alloc 60');
      await sleep(600); // a few samples at 60 MB, the cgroup's files found
      const exit = new Promise<NodeJS.Signals | null>((r) => a.proc.once('exit', (_c, sig) => r(sig)));
      a.proc.stdin.write('alloc 300\n'); // over the limit: the kernel kills it, no answer comes
      assert.equal(await within(exit, 20_000, 'the kernel to kill the allocator'), 'SIGKILL');
      await within(ended, 5000, 'the session to end');
      assert.equal(cg.oomKills(), 1);
      const e = s.endExplanation;
      assert.ok(e, 'an ended session has its explanation');
      assert.equal(e.kind, 'oom-kill-cgroup', JSON.stringify(e));
      assert.deepEqual([e.limit, e.limitKind, e.oomKills?.cgroup, e.code, e.signal], [200 * MiB, 'cgroup', 1, undefined, undefined]);
      assert.ok((e.memory ?? 0) >= 60 * MiB, `${e.memory}`);
      assert.equal(e.biggest?.role, `python3 (pid ${a.pid})`);
      assert.match(e.text, /^Killed by the out-of-memory killer at \d+ MB \(cgroup limit 210 MB\); the biggest process was python3 \(pid \d+\)$/);
      const alerts = s.store.events.all().filter((x) => x.kind === 'alert');
      assert.deepEqual(alerts.map((x) => [x.data?.alert, x.label]), [['oom-kill-cgroup', e.text]], 'one marker at the end, for the timeline');
      const rec = readRecording(join(dir, 'rec.ndjson')).records;
      assert.deepEqual(rec.filter((x) => x.type === 'end').map((x) => x.explanation), [JSON.parse(JSON.stringify(e))]);
      if (existsSync('/proc/pressure/memory')) {
        const some = s.store.get(SeriesName.psiSome);
        assert.ok(some && some.count >= 5 && some.min >= 0 && some.max <= 100, 'system PSI, percent per sample');
        assert.ok(rec.some((x) => x.type === 'sample' && Array.isArray(x.psi)));
      }
      if (psiCg || cg.version === 2) {
        assert.ok((s.store.get(SeriesName.cgroupPsiSome)?.count ?? 0) >= 5, "the job's cgroup pressure, from its v2 memory.pressure");
        assert.ok(rec.some((x) => x.type === 'sample' && Array.isArray(x.cgpsi)));
      }
    } finally {
      session?.dispose();
      if (a.proc.exitCode === null && a.proc.signalCode === null) await a.close(); // close() waits for an exit a killed process already made
      await cg.remove();
      if (psiCg) {
        await until(() => readFileSync(join(psiCg.dir, 'cgroup.procs'), 'latin1').trim() === '', 5000, 'the v2 cgroup to empty');
        psiCg.remove();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no pressure series and no error where a job has no cgroup of its own', async () => {
    const a = new Allocator();
    const s = new MonitoringSession('p', 'allocator', 'attach', a.pid, undefined, { intervalMs: 50, gpu: false, pss: 'off' });
    try {
      s.start();
      await sleep(400);
      assert.equal(s.store.get(SeriesName.cgroupPsiSome), undefined, 'the hybrid root is the system: no second series');
    } finally {
      s.dispose();
      await a.close();
    }
    assert.equal(s.endExplanation?.kind, 'none');
    assert.equal(s.endExplanation?.text, 'Ended');
  });
});
