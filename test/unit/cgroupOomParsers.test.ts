import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMemoryEvents, parseOomControl, parseOomKillCount, parsePressure, parseVmstatOomKill, stallPercent } from '../../src/engine/sampling/cgroupParsers';
import { CgroupWatch, jobCgroupFiles } from '../../src/engine/sampling/cgroupWatch';

const FIX = join(__dirname, '..', 'fixtures', 'cgroup');
const fixture = (name: string) => readFileSync(join(FIX, name), 'latin1');

describe('cgroup OOM and PSI parsers (captured files)', () => {
  it('reads v1 memory.oom_control before and after a real OOM kill', () => {
    assert.deepEqual(parseOomControl(fixture('v1-memory.oom_control.txt')), { oomKillDisable: false, underOom: false, oomKill: 0 });
    assert.deepEqual(parseOomControl(fixture('v1-memory.oom_control-after-kill.txt')), { oomKillDisable: false, underOom: false, oomKill: 1 });
    assert.equal(parseOomKillCount(fixture('v1-memory.oom_control-after-kill.txt'), 'memory.oom_control'), 1);
    // Kernels before 4.13 have no oom_kill line: no count, rather than zero.
    assert.deepEqual(parseOomControl('oom_kill_disable 1\nunder_oom 1\n'), { oomKillDisable: true, underOom: true, oomKill: undefined });
    assert.equal(parseOomControl(''), undefined);
  });

  it('reads v2 memory.events (documented format: no v2 memory controller on this machine)', () => {
    assert.deepEqual(parseMemoryEvents(fixture('v2-memory.events.docs-format.txt')), { max: 1207, oom: 3, oomKill: 2, oomGroupKill: 0 });
    assert.equal(parseOomKillCount(fixture('v2-memory.events.docs-format.txt'), 'memory.events'), 2);
    assert.equal(parseMemoryEvents('low 0\nhigh 0\n'), undefined, 'a file without oom lines is not memory.events');
  });

  it('reads oom_kill from a real /proc/vmstat, wherever the line sits', () => {
    assert.equal(parseVmstatOomKill(fixture('vmstat.txt')), 1);
    assert.equal(parseVmstatOomKill('oom_kill 7\nnr_free_pages 1\n'), 7);
    assert.equal(parseVmstatOomKill('nr_free_pages 1\noom_kill_x 3\n'), undefined);
    assert.equal(parseVmstatOomKill('nr_free_pages 1\n'), undefined);
  });

  it('reads PSI files: /proc/pressure/memory, a v2 root and a v2 child cgroup, and the documented example', () => {
    assert.deepEqual(parsePressure(fixture('pressure-memory.txt')), {
      some: { avg10: 0, avg60: 0, avg300: 0, total: 1153 },
      full: { avg10: 0, avg60: 0, avg300: 0, total: 147 },
    });
    assert.equal(parsePressure(fixture('v2-child-memory.pressure.txt'))?.some.total, 707);
    assert.deepEqual(parsePressure(fixture('pressure-memory.docs-format.txt'))?.full, { avg10: 0.23, avg60: 0.16, avg300: 1.08, total: 58464525 });
    assert.deepEqual(parsePressure('some avg10=1.5 avg60=0 avg300=0 total=9\n'), { some: { avg10: 1.5, avg60: 0, avg300: 0, total: 9 }, full: undefined }, 'CPU-style files have no full line');
    assert.equal(parsePressure(''), undefined);
    assert.equal(parsePressure('some avg10=x avg60=0 avg300=0 total=9\n'), undefined);
  });

  it('turns the change of total stall time into percent of the interval', () => {
    assert.equal(stallPercent(1000, 51_000, 100), 50); // 50 ms of stall in 100 ms
    assert.equal(stallPercent(0, 0, 100), 0);
    assert.equal(stallPercent(0, 500_000, 100), 100, 'clamped: several stalled tasks are one stall');
    assert.equal(stallPercent(5, 4, 100), undefined, 'a counter that went back (a cgroup made again)');
    assert.equal(stallPercent(0, 10, 0), undefined);
  });
});

/** A /proc and /sys/fs/cgroup laid out in a temporary directory, one file at a time. */
function fakeRoots() {
  const root = mkdtempSync(join(tmpdir(), 'headroom-cg-'));
  const put = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  };
  return { root, proc: join(root, 'proc'), cg: join(root, 'cg'), put, done: () => rmSync(root, { recursive: true, force: true }) };
}

describe('the job cgroup files and CgroupWatch (laid-out roots)', () => {
  it('finds v2 memory.events and memory.pressure of a pure v2 job', () => {
    const r = fakeRoots();
    try {
      r.put('proc/42/cgroup', '0::/user.slice/job.scope\n');
      r.put('cg/cgroup.controllers', 'cpu memory\n');
      r.put('cg/user.slice/job.scope/memory.events', fixture('v2-memory.events.docs-format.txt'));
      r.put('cg/user.slice/job.scope/memory.pressure', fixture('v2-child-memory.pressure.txt'));
      assert.deepEqual(jobCgroupFiles(r.proc, r.cg, 42), { oomFile: join(r.cg, 'user.slice/job.scope/memory.events'), pressureFile: join(r.cg, 'user.slice/job.scope/memory.pressure') });
      assert.equal(jobCgroupFiles(r.proc, r.cg, 43), undefined, 'a process that is gone has no files');
    } finally {
      r.done();
    }
  });

  it('on a hybrid system takes v1 memory.oom_control, and no cgroup pressure at the v2 root (that is the system\'s)', () => {
    const r = fakeRoots();
    try {
      r.put('proc/42/cgroup', fixture('proc-self-cgroup-hybrid.txt'));
      const v1 = parseOomPath(fixture('proc-self-cgroup-hybrid.txt'));
      r.put(`cg/memory${v1}/memory.oom_control`, fixture('v1-memory.oom_control.txt'));
      r.put('cg/unified/memory.pressure', fixture('v2-memory.pressure.txt'));
      assert.deepEqual(jobCgroupFiles(r.proc, r.cg, 42), { oomFile: join(r.cg, 'memory', v1, 'memory.oom_control'), pressureFile: undefined });
      // A hybrid job in a v2 child cgroup has pressure of its own.
      r.put('proc/44/cgroup', `4:memory:${v1}\n0::/job\n`);
      r.put('cg/unified/job/memory.pressure', fixture('v2-child-memory.pressure.txt'));
      assert.equal(jobCgroupFiles(r.proc, r.cg, 44)?.pressureFile, join(r.cg, 'unified/job/memory.pressure'));
    } finally {
      r.done();
    }
  });

  it('counts kills from the start of monitoring, across a move into another cgroup and the end of the process', () => {
    const r = fakeRoots();
    const oom = (n: number) => `oom_kill_disable 0\nunder_oom 0\noom_kill ${n}\n`;
    try {
      r.put('proc/42/cgroup', '4:memory:/a\n');
      r.put('cg/memory/a/memory.oom_control', oom(5)); // kills before the job started are not its
      r.put('cg/memory/b/memory.oom_control', oom(0));
      r.put('proc/vmstat', 'nr_free_pages 1\noom_kill 10\n');
      const w = new CgroupWatch({ pid: 42, procRoot: r.proc, cgroupRoot: r.cg, refreshMs: 0, vmstatEveryMs: 0 });
      assert.deepEqual(w.sample(1000).oomKills, { cgroup: 0, system: 0 });
      r.put('cg/memory/a/memory.oom_control', oom(6));
      assert.deepEqual(w.sample(1100).oomKills, { cgroup: 1, system: 0 });
      r.put('proc/42/cgroup', '4:memory:/b\n'); // a wrapper moved the job
      assert.deepEqual(w.sample(1200).oomKills, { cgroup: 1, system: 0 });
      assert.equal(w.oomCounterFile, join(r.cg, 'memory/b/memory.oom_control'));
      r.put('cg/memory/b/memory.oom_control', oom(1));
      r.put('proc/vmstat', 'nr_free_pages 1\noom_kill 12\n');
      rmSync(join(r.proc, '42'), { recursive: true }); // the job is gone: its last cgroup still answers
      assert.deepEqual(w.sample(1300, true).oomKills, { cgroup: 2, system: 2 });
      w.dispose();
    } finally {
      r.done();
    }
  });

  it('has no counters and no pressure where the files are not there: absent, not an error', () => {
    const r = fakeRoots();
    try {
      r.put('proc/42/cgroup', '0::/\n');
      const w = new CgroupWatch({ pid: 42, procRoot: r.proc, cgroupRoot: r.cg });
      const s = w.sample(1000);
      assert.deepEqual(s, { t: 1000, oomKills: { cgroup: undefined, system: undefined }, psi: undefined, cgroupPsi: undefined });
      w.dispose();
    } finally {
      r.done();
    }
  });

  it('samples system and cgroup pressure as stall percent between samples', () => {
    const r = fakeRoots();
    const psi = (some: number, full: number) => `some avg10=0.00 avg60=0.00 avg300=0.00 total=${some}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${full}\n`;
    try {
      r.put('proc/42/cgroup', '0::/job\n');
      r.put('cg/cgroup.controllers', 'memory\n');
      r.put('cg/job/memory.pressure', psi(0, 0));
      r.put('proc/pressure/memory', psi(100, 10));
      const w = new CgroupWatch({ pid: 42, procRoot: r.proc, cgroupRoot: r.cg, refreshMs: 60_000 });
      assert.equal(w.sample(1000).psi, undefined, 'the first reading has nothing to compare with');
      r.put('proc/pressure/memory', psi(100 + 20_000, 10 + 5_000));
      r.put('cg/job/memory.pressure', psi(80_000, 0));
      const s = w.sample(1200);
      assert.deepEqual(s.psi, { some: 10, full: 2.5 });
      assert.deepEqual(s.cgroupPsi, { some: 40, full: 0 });
      w.dispose();
    } finally {
      r.done();
    }
  });
});

function parseOomPath(procCgroup: string): string {
  const line = procCgroup.split('\n').find((l) => l.split(':')[1] === 'memory');
  return (line as string).split(':')[2];
}
