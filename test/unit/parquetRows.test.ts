import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AnyRecord } from '../../src/engine/recording/format';
import { RecordingRows, TABLES } from '../../src/engine/recording/parquetRows';
import { params } from './property/arbitraries';

const KINDS = ['sample', 'gpu', 'hello', 'checkpoint', 'region_start', 'region_end', 'call', 'epoch_start', 'epoch_end', 'batch_end', 'oom', 'cleanup_result', 'exit', 'end', 'guard', 'bye', 'other'];

/** Any JSON value a hostile or broken program could put in a field. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER * 4, 1e300),
  fc.string(),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)))), { maxLength: 6 }),
  fc.dictionary(fc.constantFrom('rss', 'used', 'devices', 'kind', 'allocated', 'text', 'kind', 't', 'before', 'after', 'limit'), fc.oneof(fc.integer(), fc.string(), fc.constant(null))),
);

const hostileRecord = fc.record({
  type: fc.constantFrom(...KINDS),
  t: fc.oneof(fc.integer({ min: 0, max: 2e12 }), anyValue),
  pid: anyValue,
  rss: anyValue,
  procs: anyValue,
  devices: anyValue,
  mem: anyValue,
  label: anyValue,
  explanation: anyValue,
  id: anyValue,
  line: anyValue,
});

describe('Parquet rows from hostile records', () => {
  it('never throws; every row has its table\'s columns and a finite time; a record without one is counted', () => {
    fc.assert(
      fc.property(fc.array(hostileRecord, { maxLength: 30 }), (records) => {
        const rows = new RecordingRows();
        let produced = 0;
        for (const r of records) {
          for (const { table, row } of rows.rows(r as unknown as AnyRecord)) {
            produced++;
            assert.equal(row.length, TABLES[table].length, table);
            assert.ok(typeof row[0] === 'number' && Number.isFinite(row[0]), `${table} t ${String(row[0])}`);
          }
        }
        assert.ok(rows.skipped <= records.length && produced >= 0);
      }),
      params(400),
    );
  });

  it('stores what is not of a column\'s kind as null, not as something else', () => {
    const rows = new RecordingRows();
    const [sample, proc] = rows.rows({ type: 'sample', t: 1000, rss: '5', vms: Infinity, procs: [[1, 'x', 3, null, 7], 'junk'] } as unknown as AnyRecord);
    assert.deepEqual(sample.row.slice(0, 6), [1000, undefined, undefined, undefined, undefined, 2]);
    assert.deepEqual(proc.row, [1000, 1, undefined, 3, undefined, undefined]);
    assert.deepEqual(rows.rows({ type: 'checkpoint', t: 'soon', pid: 1, mem: { rss: 1 } } as unknown as AnyRecord), []);
    assert.equal(rows.skipped, 1);
  });

  it('forgets open regions past a bound, so a program that never ends them cannot grow memory', () => {
    const rows = new RecordingRows();
    for (let i = 0; i < 25_000; i++) rows.rows({ type: 'region_start', t: i, pid: 1, id: i, mem: { rss: i } } as unknown as AnyRecord);
    const [end] = rows.rows({ type: 'region_end', t: 30_000, pid: 1, id: 24_999, mem: { rss: 25_000 + 5 } } as unknown as AnyRecord);
    assert.equal(end.row[9], 6, 'the latest region still pairs');
    const [old] = rows.rows({ type: 'region_end', t: 30_001, pid: 1, id: 3, mem: { rss: 9 } } as unknown as AnyRecord);
    assert.equal(old.row[9], undefined, 'an old one was forgotten');
  });
});
