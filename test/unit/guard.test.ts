import * as assert from 'node:assert/strict';
import { parseRunArgs, UsageError } from '../../src/cli/args';
import type { MonitorTick } from '../../src/engine/monitor';
import type { GpuSample } from '../../src/engine/gpu/types';
import type { SystemSample, TreeSample } from '../../src/engine/sampling/types';
import { gaugeText, Guard, guardActionText, guardGauges, type GuardGauge } from '../../src/engine/session/guard';
import { interruptTargets } from '../../src/engine/session/sessionGuard';

const GB = 1e9;
const gauge = (value: number, threshold = 95, key = 'cgroup'): GuardGauge => ({ key, label: key, value, threshold, limit: 100 });

describe('Guard: one action per crossing', () => {
  it('acts when a gauge reaches its threshold, not again until every gauge is back below 90% of it', () => {
    const g = new Guard('interrupt');
    const fed = [80, 94.9, 95, 99, 96, 86, 95, 85, 100].map((v, i) => g.feed(i, [gauge(v)]));
    assert.deepEqual(
      fed.map((d) => d?.t),
      [undefined, undefined, 2, undefined, undefined, undefined, undefined, undefined, 8],
      'acts at 95; 86 is not below 85.5 so 95 again is the same crossing; 85 re-arms; 100 is a new crossing',
    );
    assert.deepEqual(fed[2], { t: 2, mode: 'interrupt', gauge: gauge(95) });
  });

  it('treats several gauges as one crossing, re-armed only when all are low', () => {
    const g = new Guard('pause');
    assert.equal(g.feed(0, [gauge(96), gauge(10, 95, 'gpu:0')])?.gauge.key, 'cgroup');
    assert.equal(g.feed(1, [gauge(96), gauge(99, 95, 'gpu:0')]), undefined, 'the GPU crossing while the cgroup is still high is the same episode');
    assert.equal(g.feed(2, [gauge(50), gauge(90, 95, 'gpu:0')]), undefined);
    assert.equal(g.armed, false);
    g.feed(3, [gauge(50), gauge(10, 95, 'gpu:0')]);
    assert.equal(g.armed, true);
    assert.equal(g.feed(4, [gauge(50), gauge(95, 95, 'gpu:0')])?.gauge.key, 'gpu:0');
  });

  it('decides nothing when off, and nothing without gauges', () => {
    const off = new Guard('off');
    assert.equal(off.feed(0, [gauge(100)]), undefined);
    assert.equal(new Guard('interrupt').feed(0, []), undefined);
  });
});

const tree = (rss: number, pss?: number): TreeSample => ({ t: 1, rootPid: 10, rootAlive: true, processes: [{ pid: 10, ppid: 1, name: 'python3', rss, vms: 0, shared: 0 }], rss, vms: 0, pss });
const sys = (used: number, total: number, cg?: { limit: number; usage: number }): SystemSample => ({ t: 1, total, used, available: total - used, swapTotal: 0, swapUsed: 0, cgroupLimit: cg?.limit, cgroupUsage: cg?.usage });
const gpu = (mine: string[], tree?: number): GpuSample => ({
  t: 1,
  devices: [
    { index: 0, uuid: 'GPU-a', name: 'A', vendor: 'nvidia', memUsed: 70 * GB, memTotal: 80 * GB },
    { index: 1, uuid: 'GPU-b', name: 'B', vendor: 'nvidia', memUsed: 79 * GB, memTotal: 80 * GB },
  ],
  processes: mine.map((u) => ({ pid: 10, gpuUuid: u, usedMemory: GB })),
  tree: tree === undefined ? undefined : { used: tree, source: 'client' },
});

describe('guardGauges: what the guard measures', () => {
  it('watches the cgroup against its limit when the job has one, else the system against its total, at 95%', () => {
    const t: MonitorTick = { tree: tree(GB), system: sys(10 * GB, 32 * GB, { limit: 16 * GB, usage: 15 * GB }) };
    assert.deepEqual(guardGauges(t), [{ key: 'cgroup', label: 'cgroup limit', value: 15 * GB, threshold: 0.95 * 16 * GB, limit: 16 * GB }]);
    assert.deepEqual(guardGauges({ tree: tree(GB), system: sys(10 * GB, 32 * GB) }), [{ key: 'system', label: 'system memory', value: 10 * GB, threshold: 0.95 * 32 * GB, limit: 32 * GB }]);
    assert.equal(guardGauges({ tree: tree(GB), system: sys(1, 100) }, { fraction: 0.5 })[0].threshold, 50);
    assert.deepEqual(guardGauges({ tree: tree(GB) }), [], 'no system sample, nothing to measure against');
  });

  it("adds each GPU the tree uses, and never another job's GPU", () => {
    const t: MonitorTick = { tree: tree(GB), system: sys(GB, 32 * GB), gpu: gpu(['GPU-b']) };
    assert.deepEqual(guardGauges(t).map((g) => [g.key, g.label, g.value, g.limit]), [['system', 'system memory', GB, 32 * GB], ['gpu:1', 'GPU 1', 79 * GB, 80 * GB]]);
    assert.deepEqual(guardGauges({ ...t, gpu: gpu([]) }).map((g) => g.key), ['system']);
    // nvidia-smi cannot see the tree's pids (a container) but the client reports CUDA memory: every GPU counts.
    assert.deepEqual(guardGauges({ ...t, gpu: gpu([], 3 * GB) }).map((g) => g.key), ['system', 'gpu:0', 'gpu:1']);
  });

  it('with an explicit size watches only the tree figure of --type', () => {
    const t: MonitorTick = { tree: tree(3 * GB, 2 * GB), system: sys(20 * GB, 32 * GB, { limit: 16 * GB, usage: 15.5 * GB }), gpu: gpu(['GPU-b']) };
    assert.deepEqual(guardGauges(t, { above: 2.5 * GB }), [{ key: 'above', label: 'tree RSS', value: 3 * GB, threshold: 2.5 * GB }]);
    assert.equal(guardGauges(t, { above: 2.5 * GB, figure: 'pss' })[0].value, 2 * GB);
    assert.deepEqual(guardGauges(t, { above: 2.5 * GB, figure: 'system' })[0], { key: 'above', label: 'system used', value: 20 * GB, threshold: 2.5 * GB });
  });

  it('says what crossed, in the shared formatter', () => {
    assert.equal(gaugeText({ key: 'cgroup', label: 'cgroup limit', value: 15.2 * GB, threshold: 15.2 * GB, limit: 16 * GB }), '15.2 GB of 16.0 GB (cgroup limit)');
    assert.equal(gaugeText({ key: 'above', label: 'tree RSS', value: 210e6, threshold: 200e6 }, 'GiB'), 'tree RSS 200 MiB (threshold 191 MiB)');
    const g = { key: 'above', label: 'tree RSS', value: 210e6, threshold: 200e6 };
    assert.equal(guardActionText({ gauge: g, how: 'client', pids: [42], mode: 'interrupt' }), 'guard: tree RSS 210 MB (threshold 200 MB): interrupted pid 42 (KeyboardInterrupt through the Headroom client)');
    assert.equal(guardActionText({ gauge: g, how: 'signal', pids: [42], mode: 'interrupt' }), 'guard: tree RSS 210 MB (threshold 200 MB): sent SIGINT to pid 42');
    assert.equal(guardActionText({ gauge: g, how: 'none', pids: [], mode: 'pause' }), 'guard: tree RSS 210 MB (threshold 200 MB): could not pause the program (nothing of the monitored tree to act on)');
  });
});

describe('interruptTargets: whom the interrupt goes to', () => {
  const procs = [
    { pid: 1, ppid: 0 }, // torchrun, no client
    { pid: 2, ppid: 1 }, // rank 0
    { pid: 3, ppid: 1 }, // rank 1
    { pid: 4, ppid: 2 }, // rank 0's DataLoader worker
    { pid: 5, ppid: 4 }, // a grandchild
  ];
  it('the top-most connected processes: each rank, not their workers', () => {
    assert.deepEqual(interruptTargets(procs, new Set([2, 3, 4, 5])), [2, 3]);
    assert.deepEqual(interruptTargets(procs, new Set([1, 2, 3])), [1]);
    assert.deepEqual(interruptTargets(procs, new Set([5])), [5]);
    assert.deepEqual(interruptTargets(procs, new Set()), []);
    assert.deepEqual(interruptTargets(procs, new Set([99])), [], 'a connection outside the tree is never a target');
  });
});

describe('headroom run --guard options', () => {
  it('is off by default; a threshold asks for interrupt; --guard off wins', () => {
    assert.equal(parseRunArgs(['--', 'python', 'x.py']).guard, 'off');
    const a = parseRunArgs(['--guard-above', '200MB', '--', 'python', 'x.py']);
    assert.deepEqual([a.guard, a.guardAbove], ['interrupt', 200e6]);
    assert.equal(parseRunArgs(['--guard', 'interrupt', '--', 'x']).guardAbove, undefined);
    assert.equal(parseRunArgs(['--guard', 'off', '--guard-above', '1GB', '--', 'x']).guard, 'off');
    assert.throws(() => parseRunArgs(['--guard', 'pause', '--', 'x']), UsageError);
    assert.throws(() => parseRunArgs(['--guard-above', 'lots', '--', 'x']), /"lots" is not a size/);
  });
});
