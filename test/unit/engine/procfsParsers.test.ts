import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseCgroupLimit,
  parseChildren,
  parseCmdline,
  parseMeminfo,
  parseProcCgroup,
  parseProcStat,
  parseSmapsRollup,
  parseStatm,
} from '../../../src/engine/sampling/procfsParsers';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', 'proc', name), 'latin1');

describe('procfs parsers (captured real /proc contents)', () => {
  it('statm: pages of size, resident, shared', () => {
    const s = parseStatm(fixture('statm.txt'));
    assert.ok(s && s.sizePages > s.residentPages && s.residentPages > 0);
    assert.deepEqual(parseStatm('2540 1024 512 3 0 900 0\n'), { sizePages: 2540, residentPages: 1024, sharedPages: 512 });
    assert.equal(parseStatm(''), undefined);
    assert.equal(parseStatm('x y z'), undefined);
  });

  it('stat: a comm holding spaces and parentheses', () => {
    const s = parseProcStat(fixture('stat-comm-with-parens.txt'));
    assert.equal(s?.comm, 'py (wrk) 1');
    assert.equal(s?.state, 'R');
    assert.ok(s && s.ppid > 0 && s.startTime > 0);
    assert.equal(parseProcStat('garbage'), undefined);
    assert.equal(parseProcStat('12 (x) S 1'), undefined, 'truncated line');
  });

  it('children and cmdline', () => {
    assert.deepEqual(parseChildren('123 456 \n'), [123, 456]);
    assert.deepEqual(parseChildren(''), []);
    assert.deepEqual(parseCmdline(Buffer.from('python3\0train.py\0--lr\x000.1\0')), ['python3', 'train.py', '--lr', '0.1']);
  });

  it('meminfo in bytes, with an estimate where MemAvailable is missing', () => {
    const m = parseMeminfo(fixture('meminfo.txt'));
    assert.ok(m && m.total > m.available && m.available > 0);
    assert.equal(m.total % 1024, 0);
    const old = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n');
    assert.equal(old?.available, 400 * 1024);
    assert.equal(parseMeminfo('nonsense'), undefined);
  });

  it('smaps_rollup: PSS, USS = private clean + dirty', () => {
    const r = parseSmapsRollup(fixture('smaps_rollup.txt'));
    assert.ok(r && r.pss > 0 && r.rss >= r.pss && r.pss >= r.uss);
    const text = 'Rss: 100 kB\nPss: 60 kB\nPrivate_Clean: 10 kB\nPrivate_Dirty: 30 kB\nSwap: 5 kB\n';
    assert.deepEqual(parseSmapsRollup(text), { rss: 102400, pss: 61440, uss: 40960, swap: 5120 });
  });

  it('/proc/<pid>/cgroup: v1 hybrid (captured here) and v2', () => {
    const v1 = parseProcCgroup(fixture('cgroup-v1-hybrid.txt'));
    assert.ok(v1.memoryV1 !== undefined);
    assert.equal(v1.unified, '/');
    assert.deepEqual(parseProcCgroup('0::/user.slice/user-1000.slice/session-2.scope\n'), {
      unified: '/user.slice/user-1000.slice/session-2.scope',
      memoryV1: undefined,
    });
  });

  it('cgroup limits: max, v1 "unlimited", and a real limit', () => {
    assert.equal(parseCgroupLimit('max\n'), undefined);
    assert.equal(parseCgroupLimit('9223372036854771712\n'), undefined);
    assert.equal(parseCgroupLimit('17179869184\n'), 16 * 2 ** 30);
    assert.equal(parseCgroupLimit(''), undefined);
  });
});
