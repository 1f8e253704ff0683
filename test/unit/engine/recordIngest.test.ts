import * as assert from 'node:assert/strict';
import type { ProtocolRecord } from '../../../src/shared/protocol';
import { growth, RecordIngest } from '../../../src/extension/engine/session/recordIngest';
import { MemoryStore } from '../../../src/extension/engine/store/memoryStore';

const MB = 2 ** 20;
let seq = 0;
const base = (type: string, t: number, pid = 10) => ({ v: 1, type, t, pid, seq: seq++ });
const cp = (t: number, line: number, rss: number, label?: string, reserved?: number, pid = 10) =>
  ({ ...base('checkpoint', t, pid), file: '/w/train.py', line, label, mem: { rss, devices: reserved === undefined ? undefined : [{ kind: 'cuda', index: 0, allocated: 0, reserved }] } }) as ProtocolRecord;

describe('RecordIngest', () => {
  it('computes delta since the previous checkpoint, since start, peak and hits per line', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(cp(1, 3, 100 * MB, 'start'));
    ing.add(cp(2, 8, 300 * MB, 'loaded'));
    ing.add(cp(3, 3, 250 * MB, 'start'));
    ing.add(cp(4, 8, 400 * MB, 'loaded'));
    const s8 = ing.at('/w/train.py', 8);
    assert.ok(s8);
    assert.deepEqual([s8.hits, s8.lastDelta / MB, s8.sinceStart / MB, s8.peak / MB], [2, 150, 300, 400]);
    assert.equal(ing.at('/w/train.py', 3)?.lastDelta, -50 * MB);
    assert.equal(ing.forFile('/w/train.py').length, 2);
    assert.equal(ing.lastCheckpoint?.label, 'loaded');
  });

  it('reports growth per hit only while the hits keep rising', () => {
    assert.equal(growth([1, 2]), undefined);
    assert.equal(growth([100 * MB, 110 * MB, 120 * MB, 130 * MB]), 10 * MB);
    assert.equal(growth([100 * MB, 110 * MB, 105 * MB, 130 * MB]), undefined);
    assert.equal(growth([100 * MB, 100 * MB + 10, 100 * MB + 20]), undefined, 'noise is not growth');
  });

  it('tracks CUDA reserved deltas and regions with their peak', () => {
    const store = new MemoryStore();
    const ing = new RecordIngest(store);
    ing.add(cp(1, 3, 100 * MB, 'a', 0));
    ing.add(cp(2, 4, 100 * MB, 'b', 800 * MB));
    assert.equal(ing.at('/w/train.py', 4)?.cudaReservedDelta, 800 * MB);
    ing.add({ ...base('region_start', 3), id: 1, file: '/w/train.py', line: 9, label: 'fwd', mem: { rss: 100 * MB } } as ProtocolRecord);
    ing.add({ ...base('region_end', 4), id: 1, file: '/w/train.py', line: 9, label: 'fwd', duration: 1, mem: { rss: 150 * MB }, peak: { rss: 400 * MB } } as ProtocolRecord);
    const r = ing.at('/w/train.py', 9);
    assert.deepEqual([r?.kind, (r?.lastDelta ?? 0) / MB, (r?.peak ?? 0) / MB], ['region', 50, 400]);
    const span = store.events.all().find((e) => e.kind === 'region');
    assert.deepEqual([span?.t, span?.tEnd], [3000, 4000]);
    assert.ok(store.get('torch.cuda:0.reserved'));
  });

  it('keeps processes apart: a worker has its own baseline', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(cp(1, 3, 1000 * MB, 'main', undefined, 1));
    ing.add(cp(2, 3, 50 * MB, 'worker', undefined, 2));
    ing.add(cp(3, 3, 70 * MB, 'worker', undefined, 2));
    const s = ing.at('/w/train.py', 3);
    assert.equal(s?.lastDelta, 20 * MB);
    assert.equal(s?.sinceStart, 20 * MB);
    assert.equal(s?.hits, 3);
  });
});
