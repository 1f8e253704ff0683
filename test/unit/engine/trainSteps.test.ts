// The step axis's inputs: each batch and epoch record's global step becomes a point of the
// train.step series, and each batch's peak a point of train.step.peak, in a live session (records
// ingested as they arrive, one by one or in listener batches) and in a recording reopened.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectBatch } from '../../../src/engine/protocol/recordBatch';
import { loadRun } from '../../../src/engine/recording/loadRecording';
import { openRun } from '../../../src/engine/recording/openRun';
import { RecordIngest } from '../../../src/engine/session/recordIngest';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import { SeriesName } from '../../../src/engine/store/seriesName';
import type { ProtocolRecord } from '../../../src/shared/protocol';

const MB = 2 ** 20;
let seq = 0;
const base = (type: string, t: number, pid = 10) => ({ v: 1, type, t, pid, seq: seq++, file: '/w/train.py', line: 40 });

/** A two-epoch run of three steps each, as the trainer callbacks send it. */
function trainingRecords(): ProtocolRecord[] {
  const records: object[] = [];
  let step = 0;
  let t = 100;
  for (const epoch of [0, 1]) {
    records.push({ ...base('epoch_start', t), epoch, step, mem: { rss: 100 * MB } });
    for (let batch = 0; batch < 3; batch++) {
      step++;
      t += 1;
      records.push({ ...base('batch_end', t), epoch, batch, step, loss: 2 / step, mem: { rss: 100 * MB + step * MB }, peak: { rss: 200 * MB + step * MB } });
    }
    t += 0.5;
    records.push({ ...base('epoch_end', t), epoch, step, batches: 3, mem: { rss: 100 * MB } });
  }
  return records as ProtocolRecord[];
}

/** A series as [t (ms), value] pairs. */
function points(store: MemoryStore, name: string): [number, number][] {
  const se = store.get(name);
  if (!se) return [];
  const raw = se.raw(-Infinity, Infinity);
  return [...raw.t].map((t, i) => [t, raw.v[i]]);
}

describe('RecordIngest: training steps', () => {
  it('folds every batch and epoch step into train.step at the record time, and each batch peak into train.step.peak', () => {
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    for (const r of trainingRecords()) ingest.add(r);
    assert.deepEqual(points(store, SeriesName.trainStep), [
      [100_000, 0],
      [101_000, 1],
      [102_000, 2],
      [103_000, 3],
      [103_500, 3],
      [103_500, 3],
      [104_500, 4],
      [105_500, 5],
      [106_500, 6],
      [107_000, 6],
    ]);
    assert.deepEqual(
      points(store, SeriesName.stepPeak).map(([t, v]) => [t, v / MB]),
      [1, 2, 3, 4, 5, 6].map((s) => [s <= 3 ? 100_000 + s * 1000 : 100_500 + s * 1000, 200 + s]),
    );
    // Losses were drawn before steps existed; they stay as they were.
    assert.equal(points(store, SeriesName.lossBatch).length, 6);
  });

  it('the listener batch path gives the same series', () => {
    const one = new MemoryStore();
    const batched = new MemoryStore();
    const records = trainingRecords();
    const a = new RecordIngest(one);
    for (const r of records) a.add(r);
    new RecordIngest(batched).addBatch(objectBatch(records));
    assert.deepEqual(points(batched, SeriesName.trainStep), points(one, SeriesName.trainStep));
    assert.deepEqual(points(batched, SeriesName.stepPeak), points(one, SeriesName.stepPeak));
  });

  it('a batch without step or peak (EpochMonitor) adds neither series; a bad value in a recording is skipped, not stored as NaN', () => {
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    ingest.add({ ...base('batch_end', 1), batch: 0, loss: 1.5, mem: { rss: MB } } as ProtocolRecord);
    ingest.add({ ...base('batch_end', 2), batch: 1, step: 'seven', peak: { rss: null }, mem: { rss: MB } } as unknown as ProtocolRecord);
    assert.equal(store.get(SeriesName.trainStep)?.count ?? 0, 0);
    assert.equal(store.get(SeriesName.stepPeak)?.count ?? 0, 0);
    assert.equal(ingest.failed, 0);
  });

  it('a reopened recording has the same step and peak series as the live session had', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-steps-'));
    try {
      const path = join(dir, 'recording.ndjson');
      const records = trainingRecords();
      const header = { type: 'recording', v: 1, created: 100_000, rootPid: 10, name: 'train.py' };
      writeFileSync(path, [header, ...records].map((r) => JSON.stringify(r)).join('\n') + '\n');
      const live = new MemoryStore();
      const ingest = new RecordIngest(live);
      for (const r of records) ingest.add(r);
      for (const run of [loadRun(path), await openRun(path)]) {
        assert.deepEqual(points(run.store, SeriesName.trainStep), points(live, SeriesName.trainStep));
        assert.deepEqual(points(run.store, SeriesName.stepPeak), points(live, SeriesName.stepPeak));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
