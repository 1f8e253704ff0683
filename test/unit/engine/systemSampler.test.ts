import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinuxSystemSampler } from '../../../src/engine/sampling/linuxSystemSampler';
import { parseProcCgroup } from '../../../src/engine/sampling/procfsParsers';
import { Allocator, MiB } from './allocator';

describe('LinuxSystemSampler (real /proc/meminfo and cgroups)', function () {
  this.timeout(20_000);

  it('reports total, available and used = total - available', () => {
    const s = new LinuxSystemSampler();
    try {
      const x = s.sample();
      assert.ok(x && x.total > 0 && x.available > 0 && x.available <= x.total);
      assert.equal(x.used, x.total - x.available);
    } finally {
      s.dispose();
    }
  });

  it('reports the memory limit of the monitored process cgroup and its usage', async function () {
    // A real cgroup with a real 512 MiB limit, made for the test (needs root, as in CI).
    const membership = parseProcCgroup(readFileSync('/proc/self/cgroup', 'latin1'));
    const v2 = membership.unified !== undefined && (() => { try { readFileSync('/sys/fs/cgroup/cgroup.controllers'); return true; } catch { return false; } })();
    const base = v2 ? join('/sys/fs/cgroup', membership.unified as string) : join('/sys/fs/cgroup/memory', membership.memoryV1 ?? '/');
    const dir = join(base, `headroom-test-${process.pid}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(512 * MiB));
    } catch (e) {
      this.skip(); // not root, or the memory controller is not delegated here
      void e;
    }
    const a = new Allocator();
    const s = new LinuxSystemSampler({ pid: a.pid, cgroupRefreshMs: 0 });
    try {
      await a.send('free');
      writeFileSync(join(dir, 'cgroup.procs'), String(a.pid));
      const before = s.sample();
      assert.equal(before?.cgroupLimit, 512 * MiB);
      assert.equal(before?.cgroupPath, dir);
      await a.send('alloc 128');
      const after = s.sample();
      assert.ok(after?.cgroupUsage !== undefined && before?.cgroupUsage !== undefined);
      assert.ok(after.cgroupUsage - before.cgroupUsage > 100 * MiB, `usage grew ${(after.cgroupUsage - before.cgroupUsage) / MiB} MiB`);
    } finally {
      s.dispose();
      await a.close();
      for (let i = 0; i < 20; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  });
});
