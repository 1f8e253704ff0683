import * as assert from 'node:assert/strict';
import type { ProtocolRecord } from '../../../src/shared/protocol';
import { BatchDecoder } from '../../../src/engine/protocol/recordBatch';
import { growth, RecordIngest } from '../../../src/engine/session/recordIngest';
import { MemoryStore } from '../../../src/engine/store/memoryStore';

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

  it('reports growth per hit as the slope over the last hits, only while they rise along a line', () => {
    assert.equal(growth([1, 2]), undefined);
    assert.equal(growth([100 * MB, 110 * MB, 120 * MB, 130 * MB]), 10 * MB);
    // Every hit adds the same: exactly that, however many hits and wherever it started.
    const steady = Array.from({ length: 10 }, (_, i) => 500 * MB + i * 62.1 * MB);
    for (let n = 3; n <= 10; n++) assert.ok(Math.abs(growth(steady.slice(0, n))! - 62.1 * MB) < 1, `${n} hits`);
    // One hit a little off the line moves the slope a little, not to another figure.
    const jitter = steady.map((x, i) => (i === 6 ? x - 5 * MB : x));
    assert.ok(Math.abs(growth(jitter)! - 62.1 * MB) < 3 * MB, String(growth(jitter)));
    assert.equal(growth([100 * MB, 110 * MB, 105 * MB, 130 * MB]), undefined, 'scattered hits are not a line');
    assert.equal(growth([130 * MB, 120 * MB, 110 * MB]), undefined, 'falling is not growth');
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

  it('folds a decoded batch into the same statistics, events and series as the records one by one', () => {
    const records: ProtocolRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const pid = i % 3 === 0 ? 11 : 10;
      records.push(cp(i, 3 + (i % 4), (100 + i) * MB, `step ${i % 4}`, i % 5 === 0 ? i * MB : undefined, pid));
      if (i % 50 === 0) records.push({ ...base('region_start', i + 0.5), id: i, file: '/w/train.py', line: 20, label: 'fwd', mem: { rss: 100 * MB } } as ProtocolRecord);
      if (i % 50 === 0) records.push({ ...base('region_end', i + 0.7), id: i, file: '/w/train.py', line: 20, label: 'fwd', duration: 0.2, mem: { rss: 140 * MB } } as ProtocolRecord);
      if (i % 70 === 0) records.push({ ...base('checkpoint', i + 0.8), mem: { rss: 5 * MB } } as ProtocolRecord);
    }
    const one = new RecordIngest(new MemoryStore());
    for (const r of records) one.add(r);
    const batched = new RecordIngest(new MemoryStore());
    const d = new BatchDecoder();
    const text = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    for (let at = 0; at < text.length; at += 4096) batched.addBatch(d.push(text.subarray(at, at + 4096)));
    assert.equal(batched.records, one.records);
    const view = (ing: RecordIngest) => ing.all().map((s) => ({ ...s, ring: s.ring.hits(), ids: undefined }));
    assert.deepEqual(view(batched), view(one));
    assert.deepEqual(batched.lastCheckpoint, one.lastCheckpoint);
    const events = (ing: RecordIngest) => (ing as unknown as { store: MemoryStore }).store.events.all();
    assert.deepEqual(events(batched), events(one));
    assert.ok(events(one).length > 300);
  });

  it('skips a record it cannot ingest, counts it, and ingests the rest of the batch', () => {
    const ing = new RecordIngest(new MemoryStore());
    const d = new BatchDecoder();
    const lines = [cp(1, 3, 10 * MB, 'a'), { ...base('cleanup_result', 2), id: null, duration: 0, actions: [], rss: null }, cp(3, 3, 20 * MB, 'b')].map((r) => JSON.stringify(r));
    ing.addBatch(d.push(Buffer.from(lines.join('\n') + '\n')));
    assert.equal(ing.failed, 1);
    assert.match(ing.lastFailure ?? '', /cleanup_result/);
    assert.equal(ing.at('/w/train.py', 3)?.hits, 2);
    assert.equal(ing.lastCheckpoint?.label, 'b');
  });

  it('maps each file once per batch to its canonical path', () => {
    const ing = new RecordIngest(new MemoryStore());
    const seen: string[] = [];
    const lines = [cp(1, 3, MB, 'a'), cp(2, 4, MB, 'b'), cp(3, 3, MB, 'c')].map((r) => JSON.stringify(r));
    ing.addBatch(new BatchDecoder().push(Buffer.from(lines.join('\n') + '\n')), (f) => {
      seen.push(f);
      return f.replace('/w/', '/real/');
    });
    assert.deepEqual(seen, ['/w/train.py']);
    assert.equal(ing.at('/real/train.py', 3)?.hits, 2);
  });
});
