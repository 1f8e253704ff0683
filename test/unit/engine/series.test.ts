import * as assert from 'node:assert/strict';
import { ChunkedColumn } from '../../../src/shared/chunkedColumn';
import { EventIndex } from '../../../src/engine/store/eventIndex';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import { FANOUT, Series } from '../../../src/shared/series';

describe('ChunkedColumn', () => {
  it('pushes across chunks, searches, and trims whole chunks', () => {
    const c = new ChunkedColumn();
    for (let i = 0; i < 10_000; i++) c.push(i * 2);
    assert.equal(c.length, 10_000);
    assert.equal(c.get(9_999), 19_998);
    assert.equal(c.lowerBound(101), 51);
    assert.equal(c.upperBound(100), 51);
    c.trimTo(3000);
    assert.ok(c.retained >= 3000 && c.retained < 3000 + 4096);
    assert.equal(c.get(c.first), c.first * 2, 'logical indices survive trimming');
  });
});

describe('Series', () => {
  it('returns raw points when they fit', () => {
    const s = new Series();
    for (let i = 0; i < 100; i++) s.append(i, i * 10);
    const e = s.query(0, 99, 1000);
    assert.equal(e.level, 0);
    assert.equal(e.t.length, 100);
    assert.deepEqual([e.min[42], e.max[42]], [420, 420]);
  });

  it('never returns more than maxPoints and keeps every spike', () => {
    const s = new Series();
    const n = 1_000_000;
    const spikes = new Set([12_345, 500_000, 999_998]);
    for (let i = 0; i < n; i++) s.append(i, spikes.has(i) ? 1e9 : i % 7 === 0 ? -5 : 100);
    for (const maxPoints of [2, 10, 317, 1200, 5000]) {
      const e = s.query(0, n, maxPoints);
      assert.ok(e.t.length <= maxPoints, `${e.t.length} > ${maxPoints}`);
      assert.ok(e.t.length >= Math.min(maxPoints, 2) / 2);
      // The global max and min show in every envelope, at any width.
      assert.equal(Math.max(...e.max), 1e9);
      assert.equal(Math.min(...e.min), -5);
    }
    // A narrow window around one spike still finds it.
    const w = s.query(499_000, 501_000, 50);
    assert.equal(Math.max(...w.max), 1e9);
    assert.ok(w.t.every((t) => t >= 499_000 && t <= 501_000));
  });

  it('includes the unfolded tail of every tier', () => {
    const s = new Series();
    const n = FANOUT ** 3 * 5 + 7; // leaves open buckets at every tier
    for (let i = 0; i < n; i++) s.append(i, i);
    const e = s.query(0, n, 20);
    assert.equal(Math.max(...e.max), n - 1, 'the newest sample is in the envelope');
    assert.equal(Math.min(...e.min), 0);
  });

  it('stays bounded: a day at 10 Hz in a few MB, with the old part still queryable', () => {
    const s = new Series({ rawCapacity: 36_000, tierCapacity: 65_536 });
    const n = 864_000;
    for (let i = 0; i < n; i++) s.append(i * 100, i === 1000 ? 9e9 : (i % 1000) * 1e6);
    assert.ok(s.bytes < 8 * 2 ** 20, `${s.bytes} bytes`);
    assert.equal(s.raw(0, 100_000).t.length, 0, 'old raw samples are gone');
    const e = s.query(0, n * 100, 500);
    assert.ok(e.level > 0 && e.t.length <= 500);
    assert.equal(Math.max(...e.max), 9e9, 'a spike older than the raw tier survives in the min/max tiers');
    assert.equal(s.max, 9e9);
  });

  it('clamps samples that arrive with an earlier time', () => {
    const s = new Series();
    s.append(10, 1);
    s.append(5, 2);
    assert.deepEqual([...s.raw(0, 100).t], [10, 10]);
  });
});

describe('EventIndex', () => {
  it('keeps events in time order when they arrive out of order, with every field', () => {
    const ix = new EventIndex();
    ix.add({ t: 30, kind: 'checkpoint', file: '/a.py', line: 3, label: 'late', pid: 7, rss: 100, delta: -5 });
    ix.add({ t: 10, kind: 'checkpoint', file: '/a.py', line: 3 });
    ix.add({ t: 20, kind: 'cleanup', data: { freed: 42 } });
    ix.add({ t: 5, tEnd: 25, kind: 'region', label: 'load', peak: 900, delta: 0 }); // a region is reported when it ends
    assert.deepEqual(ix.all().map((e) => e.t), [5, 10, 20, 30]);
    assert.deepEqual(ix.range(10, 25).map((e) => e.kind), ['checkpoint', 'cleanup']);
    assert.deepEqual(ix.get(3), { t: 30, kind: 'checkpoint', file: '/a.py', line: 3, label: 'late', pid: 7, rss: 100, delta: -5 });
    assert.deepEqual(ix.get(0), { t: 5, tEnd: 25, kind: 'region', label: 'load', peak: 900, delta: 0 });
    assert.deepEqual(ix.get(2).data, { freed: 42 });
    assert.deepEqual(ix.span(10, 20), { from: 1, to: 3 });
    assert.equal(ix.kindAt(2), 'cleanup');
  });

  it('overwrites the oldest past its capacity and stays ordered across the wrap', () => {
    const ix = new EventIndex(10);
    for (let t = 0; t < 25; t++) ix.add({ t: t * 10, kind: 'checkpoint', line: t + 1 });
    assert.equal(ix.size, 10);
    assert.deepEqual(ix.all().map((e) => e.line), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    ix.add({ t: 195, kind: 'note', label: 'in between' }); // lands inside the wrapped ring
    assert.deepEqual(ix.all().map((e) => e.t), [160, 170, 180, 190, 195, 200, 210, 220, 230, 240]);
    assert.equal(ix.size, 10);
  });

  it('grows to its capacity, keeping the newest, and binary-searches across the ring', () => {
    const ix = new EventIndex(50_000);
    for (let t = 0; t < 300_000; t++) ix.add({ t, kind: 'checkpoint', file: '/c.py', line: (t % 7) + 1, label: `step ${t % 7}` });
    assert.equal(ix.size, 50_000);
    assert.equal(ix.get(ix.size - 1).t, 299_999);
    assert.equal(ix.get(0).t, 250_000);
    assert.deepEqual(ix.span(260_000.5, 260_010), { from: 10_001, to: 10_011 });
  });

  it('sorts in events from far back (a second run over the same times, a long region) on the next read', () => {
    const ix = new EventIndex(100_000);
    for (let t = 0; t < 20_000; t++) ix.add({ t, kind: 'checkpoint', line: 1, data: t === 7 ? { note: 'seven' } : undefined });
    for (let t = 0; t < 20_000; t++) ix.add({ t: t + 0.5, kind: 'checkpoint', line: 2 });
    ix.add({ t: -1, tEnd: 50_000, kind: 'region', label: 'whole run' });
    assert.equal(ix.size, 40_001);
    const all = ix.all();
    assert.equal(all[0].label, 'whole run');
    for (let i = 1; i < all.length; i++) assert.ok(all[i].t >= all[i - 1].t, `order at ${i}`);
    assert.deepEqual(all.slice(1, 5).map((e) => [e.t, e.line]), [[0, 1], [0.5, 2], [1, 1], [1.5, 2]]);
    assert.deepEqual(ix.range(7, 7)[0].data, { note: 'seven' }, 'extra fields move with their event');
    ix.add({ t: 100, kind: 'note' }); // after a sort, nearby disorder is moved into place again
    assert.deepEqual(ix.range(100, 100.5).map((e) => e.kind), ['checkpoint', 'note', 'checkpoint']);
  });

  it('keeps its string table bounded when every label is different', () => {
    const ix = new EventIndex(1000);
    for (let t = 0; t < 20_000; t++) ix.add({ t, kind: 'checkpoint', file: '/d.py', line: 1, label: `batch ${t}` });
    assert.equal(ix.get(999).label, 'batch 19999');
    assert.equal(ix.get(0).label, 'batch 19000');
    assert.equal(ix.get(500).file, '/d.py');
    const table = (ix as unknown as { strings: string[] }).strings.length;
    assert.ok(table <= 2 * 1000 + 1024 + 1, `string table ${table}`);
  });
});

describe('MemoryStore', () => {
  it('ignores non-finite values and names per-process series', () => {
    const st = new MemoryStore();
    st.append('x', 1, NaN);
    assert.equal(st.get('x'), undefined);
    st.addTreeSample({ t: 1, rootPid: 7, rootAlive: true, processes: [{ pid: 7, ppid: 1, name: 'p', rss: 5, vms: 9, shared: 0 }], rss: 5, vms: 9 });
    assert.deepEqual(st.names().sort(), ['proc.7.rss', 'tree.rss', 'tree.vms']);
  });
});
