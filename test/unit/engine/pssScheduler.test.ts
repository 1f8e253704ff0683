import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costMs, PssScheduler, type PssState } from '../../../src/engine/sampling/pssScheduler';
import { sleep } from './allocator';

const GiB = 2 ** 30;

/** A stand-in /proc with a smaps_rollup for each pid. */
function fakeProc(pids: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'hr-pss-'));
  for (const pid of pids) {
    mkdirSync(join(root, String(pid)));
    writeFileSync(join(root, String(pid), 'smaps_rollup'), `Rss:  ${pid} kB\nPss:  ${pid} kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\nSwap: 0 kB\n`);
  }
  return root;
}

const proc = (pid: number, rss: number): PssState => ({ pid, rss, rssAtRollup: -1, rollupInFlight: false, rollupBlocked: false });

/** Waits until no read is in flight. */
async function settle(ps: PssState[]): Promise<void> {
  for (let i = 0; i < 200 && ps.some((p) => p.rollupInFlight); i++) await sleep(5);
}

describe('PssScheduler', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('in `auto`, reads one process at a time, in turn, each once until its RSS moves', async () => {
    root = fakeProc([1, 2]);
    const ps = [proc(1, 10 * GiB), proc(2, 10 * GiB)];
    const tracked = new Map(ps.map((p) => [p.pid, p]));
    const s = new PssScheduler<PssState>('auto', 1, 60_000, { procRoot: root, isCurrent: () => true, problem: () => undefined });
    s.schedule(Date.now(), tracked);
    s.schedule(Date.now(), tracked); // gated until the first read reports its cost
    assert.deepEqual(ps.map((p) => p.rollupInFlight), [true, false]);
    await settle(ps);
    assert.equal(ps[0].rollup?.pss, 1024);
    s.schedule(Date.now() + 1000, tracked);
    await settle(ps);
    assert.equal(ps[1].rollup?.pss, 2048);
    const at = ps.map((p) => p.rollupAt);
    s.schedule(Date.now() + 1000, tracked);
    assert.ok(ps.every((p) => !p.rollupInFlight), 'neither moved nor old: no read');
    assert.deepEqual(ps.map((p) => p.rollupAt), at);
    ps[1].rss += GiB;
    s.schedule(Date.now() + 1000, tracked);
    assert.deepEqual(ps.map((p) => p.rollupInFlight), [false, true]);
    await settle(ps);
  });

  it('in `on`, reads every process each time, and drops a read whose process is no longer current', async () => {
    root = fakeProc([1, 2]);
    const ps = [proc(1, GiB), proc(2, GiB)];
    const s = new PssScheduler<PssState>('on', 0.02, 10_000, { procRoot: root, isCurrent: (p) => p.pid === 1, problem: () => undefined });
    s.schedule(Date.now(), new Map(ps.map((p) => [p.pid, p])));
    assert.ok(ps.every((p) => p.rollupInFlight));
    await settle(ps);
    assert.equal(ps[0].rollup?.pss, 1024);
    assert.equal(ps[1].rollup, undefined);
  });

  it('charges a read its wall time, capped by the cost model for its size', () => {
    assert.equal(costMs(1, GiB), 1);
    assert.equal(costMs(100, GiB), 15.5);
    assert.equal(costMs(100, 0), 0.5);
  });
});
