import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ProcfsTreeSampler } from '../../../src/engine/sampling/procfsTreeSampler';
import { Allocator, MiB, sleep } from './allocator';

describe('ProcfsTreeSampler (real processes)', function () {
  this.timeout(30_000);
  let a: Allocator;
  let sampler: ProcfsTreeSampler | undefined;
  beforeEach(async () => {
    a = new Allocator();
    await a.send('free'); // the interpreter is up and answering
  });
  afterEach(async () => {
    sampler?.dispose();
    sampler = undefined;
    await a.close();
  });

  it('sees an allocation of 256 MiB within two samples (>= 90%)', async () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'off' });
    const before = sampler.sample().rss;
    await a.send('alloc 256');
    const first = sampler.sample().rss;
    await sleep(100);
    const second = sampler.sample().rss;
    const grown = Math.max(first, second) - before;
    assert.ok(grown >= 0.9 * 256 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  });

  it('sums PSS clearly below RSS for forked workers sharing a buffer', async () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'on', discoveryIntervalMs: 0 });
    const pids = (await a.send('forkshare 128 3')).map(Number);
    let s = sampler.sample();
    const deadline = Date.now() + 10_000;
    // PSS arrives asynchronously; wait until every process of the tree has a reading.
    while ((s.pss === undefined || s.processes.length < 4) && Date.now() < deadline) {
      await sleep(50);
      s = sampler.sample();
    }
    assert.deepEqual(s.processes.map((p) => p.pid).sort(), [a.pid, ...pids].sort());
    assert.ok(s.pss !== undefined, 'PSS read for the whole tree');
    assert.ok(s.rss > 4 * 120 * MiB, `RSS sum ${(s.rss / MiB).toFixed(0)} MiB counts the shared buffer in each process`);
    assert.ok(s.pss < 0.5 * s.rss, `PSS sum ${(s.pss / MiB).toFixed(0)} MiB vs RSS sum ${(s.rss / MiB).toFixed(0)} MiB`);
    assert.ok(s.uss !== undefined && s.uss < s.pss);
  });

  it('past its descriptor cap reads the rest of the tree at each sample, holding no descriptor for them', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const children: number[] = [];
    for (let i = 0; i < 5; i++) children.push(...(await a.send('spawn')).map(Number));
    await sleep(50);
    const baseline = fds();
    const capped = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 0, keepOpenMax: 2 });
    const full = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 0 });
    try {
      const c = capped.sample();
      assert.deepEqual(c.processes.map((p) => p.pid).sort(), [a.pid, ...children].sort(), 'every process of the tree, past the cap too');
      const held = fds() - baseline;
      const f = full.sample();
      assert.ok(held <= 2 * 3, `the capped sampler holds ${held} descriptors for 2 kept-open processes`);
      assert.ok(fds() - baseline - held >= 6 * 2, 'the uncapped one holds at least two per process');
      // The same figures either way, within what moves between two reads.
      for (const p of c.processes) {
        const q = f.processes.find((x) => x.pid === p.pid)!;
        assert.ok(Math.abs(p.rss - q.rss) <= 1 * MiB, `pid ${p.pid}: ${p.rss} vs ${q.rss}`);
      }
      // A process past the cap that exits is dropped like any other.
      const last = children[children.length - 1];
      await a.send(`kill ${last}`);
      const deadline = Date.now() + 2000;
      while (capped.sample().processes.some((p) => p.pid === last)) {
        assert.ok(Date.now() < deadline, 'the killed process is still listed');
        await sleep(50);
      }
    } finally {
      capped.dispose();
      full.dispose();
    }
    assert.equal(fds(), baseline, 'every descriptor closed on dispose');
  });

  it('sees a new child within 1 s and drops a dead one without error', async () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 250 });
    sampler.sample();
    const [child] = (await a.send('spawn')).map(Number);
    const spawned = Date.now();
    while (!sampler.sample().processes.some((p) => p.pid === child)) {
      assert.ok(Date.now() - spawned < 1000, 'child not seen within 1 s');
      await sleep(50);
    }
    const seen = sampler.sample().processes.find((p) => p.pid === child);
    assert.equal(seen?.ppid, a.pid);
    assert.equal(seen?.name, 'sleep');
    await a.send(`kill ${child}`);
    const killed = Date.now();
    while (sampler.sample().processes.some((p) => p.pid === child)) {
      assert.ok(Date.now() - killed < 1000, 'dead child still listed after 1 s');
      await sleep(50);
    }
  });

  it('handles a PID that vanishes between discovery and the next read', async () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 60_000 });
    const [child] = (await a.send('spawn')).map(Number);
    await sleep(50);
    // Force a discovery now so the child is tracked, then kill it before the next read.
    const fresh = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 60_000 });
    try {
      assert.ok(fresh.sample().processes.some((p) => p.pid === child));
      await a.send(`kill ${child}`);
      const after = fresh.sample(); // no rediscovery: the kept-open statm read fails (ESRCH)
      assert.ok(!after.processes.some((p) => p.pid === child));
      assert.ok(after.processes.some((p) => p.pid === a.pid));
      assert.equal(after.rootAlive, true);
    } finally {
      fresh.dispose();
    }
  });

  it('reports the root as gone once it exits, and keeps answering', async () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'off', discoveryIntervalMs: 0 });
    assert.equal(sampler.sample().rootAlive, true);
    await a.close();
    const s = sampler.sample();
    assert.equal(s.rootAlive, false);
    assert.equal(s.processes.length, 0);
    assert.equal(s.rss, 0);
  });

  it('describes a process with its name and command line', () => {
    sampler = new ProcfsTreeSampler(a.pid, { pss: 'off' });
    const d = sampler.describe(a.pid);
    assert.ok(d);
    assert.match(d.cmdline.join(' '), /allocator\.py/);
    assert.equal(sampler.describe(2 ** 22 + 12345), undefined);
  });
});
