import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { treeFromProcessList, type SiProcess } from '../../../src/engine/sampling/siSampler';

describe('systeminformation fallback (captured systeminformation.processes() output)', () => {
  const { rootPid, list } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'proc', 'si-processes.json'), 'utf8')) as {
    rootPid: number;
    list: SiProcess[];
  };

  it('builds the tree under the root, with KiB turned into bytes', () => {
    const t = treeFromProcessList(list, rootPid, 5);
    assert.equal(t.processes[0].pid, rootPid);
    assert.equal(t.processes.length, 3, 'python and its two sleep children');
    assert.ok(t.processes.slice(1).every((p) => p.name === 'sleep' && p.ppid === rootPid));
    assert.equal(t.rss, list.filter((p) => t.processes.some((q) => q.pid === p.pid)).reduce((s, p) => s + p.memRss * 1024, 0));
    assert.ok(t.processes[0].rss > 64 * 1024 * 1024, 'the 64 MiB the root held');
    assert.ok(!t.processes.some((p) => p.name === 'unrelated'));
  });

  it('reports a root that is not in the list as gone', () => {
    const t = treeFromProcessList(list, 4_000_000, 5);
    assert.equal(t.rootAlive, false);
    assert.equal(t.processes.length, 0);
  });
});
