import * as assert from 'node:assert/strict';
import type { DeviceMemory } from '../../../src/shared/protocol';
import { cudaReserved, DeviceSeries } from '../../../src/engine/session/deviceSeries';
import { HitRing, RECENT } from '../../../src/engine/session/hitRing';
import { InternedIds } from '../../../src/engine/session/internedIds';
import { LocationTable } from '../../../src/engine/session/locationStats';
import { ProcessTable } from '../../../src/engine/session/processState';
import { KIND_CODE, EventIndex } from '../../../src/engine/store/eventIndex';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import { SeriesName } from '../../../src/engine/store/seriesName';

describe('RecordIngest parts', () => {
  it('HitRing keeps the last RECENT hits, oldest first', () => {
    const ring = new HitRing();
    for (let i = 0; i < RECENT + 3; i++) ring.push(i, 1, 100 + i, 1, i % 2 ? 'odd' : undefined);
    const hits = ring.hits();
    assert.equal(hits.length, RECENT);
    assert.deepEqual(hits.map((h) => h.t), Array.from({ length: RECENT }, (_, k) => k + 3));
    assert.equal(hits[0].label, 'odd');
  });

  it('LocationTable makes one entry per file and line, and a hit updates it', () => {
    const table = new LocationTable();
    const a = table.locate('checkpoint', '/a.py', 3, 1);
    assert.equal(table.locate('checkpoint', '/b.py', 3, 2).file, '/b.py');
    assert.equal(table.locate('checkpoint', '/a.py', 3, 3), a, 'the same line again is the same entry');
    table.touch(a, 'x', 7, 4, 300, 50, 350, 100, undefined, -1);
    table.touch(a, undefined, 7, 5, 250, -50, 250, 100, 8, -1);
    assert.equal(a.ranks, undefined, 'no per-rank figures for a process that is not a rank');
    assert.deepEqual([a.hits, a.label, a.lastDelta, a.sinceStart, a.peak, a.cudaReservedDelta, a.lastT], [2, 'x', -50, 150, 350, 8, 5]);
    assert.deepEqual(table.all().map((s) => s.file).sort(), ['/a.py', '/b.py']);
    assert.equal(table.at('/a.py', 3), a);
    assert.equal(table.forFile('/a.py').length, 1);
  });

  it('ProcessTable takes a process first RSS from its first record that carries memory', () => {
    const procs = new ProcessTable();
    assert.equal(procs.get(1, undefined).firstRss, 0);
    assert.deepEqual([procs.get(1, 500).firstRss, procs.get(1, 900).firstRss], [500, 500]);
    assert.equal(procs.get(2, 70).firstRss, 70, 'another process has its own');
    assert.equal(procs.get(1, undefined).firstRss, 500);
  });

  it('DeviceSeries appends each device to its named series, and cudaReserved sums CUDA only', () => {
    const store = new MemoryStore();
    const devices: DeviceMemory[] = [
      { kind: 'cuda', index: 0, allocated: 1, reserved: 2 },
      { kind: 'cuda', index: 1, allocated: 3, reserved: 4 },
      { kind: 'mps', current: 5, driver: 6 },
      { kind: 'mlx', active: 7, cache: 8 },
    ];
    const series = new DeviceSeries(store);
    series.append(1, devices);
    series.append(2, devices);
    series.append(3, undefined);
    const names = [SeriesName.cudaAllocated(0), SeriesName.cudaReserved(0), SeriesName.cudaAllocated(1), SeriesName.cudaReserved(1), SeriesName.mpsCurrent, SeriesName.mpsDriver, SeriesName.mlxActive, SeriesName.mlxCache];
    assert.deepEqual(store.names().sort(), [...names].sort());
    assert.deepEqual(names.map((n) => [store.get(n)?.count, store.get(n)?.lastValue]), [[2, 1], [2, 2], [2, 3], [2, 4], [2, 5], [2, 6], [2, 7], [2, 8]]);
    assert.equal(cudaReserved(devices), 6);
    assert.equal(cudaReserved([{ kind: 'mps', current: 1 }]), undefined);
    assert.equal(cudaReserved(undefined), undefined);
  });

  it('InternedIds takes its ids again after the string table was compacted', () => {
    const ix = new EventIndex(4);
    const ids = new InternedIds();
    ids.refresh(ix, '/a.py', 'step');
    ix.addRaw(KIND_CODE.checkpoint, 0, NaN, 1, ids.file, 3, ids.label, 10, 0, NaN);
    const epoch = ix.stringEpoch;
    for (let t = 1; t < 3000; t++) ix.add({ t, kind: 'checkpoint', file: '/b.py', line: 1, label: `batch ${t}` });
    assert.notEqual(ix.stringEpoch, epoch, 'the table was compacted');
    ids.refresh(ix, '/a.py', 'step');
    assert.equal(ids.epoch, ix.stringEpoch);
    ix.addRaw(KIND_CODE.checkpoint, 5000, NaN, 1, ids.file, 3, ids.label, 10, 0, NaN);
    const last = ix.get(ix.size - 1);
    assert.deepEqual([last.file, last.label], ['/a.py', 'step']);
  });
});
