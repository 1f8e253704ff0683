import * as assert from 'node:assert/strict';
import { CHECKPOINT_COLUMNS, checkpointCell, columnsFor } from './checkpointColumns';
import type { CheckpointRow } from './webviewMessages';

const row: CheckpointRow = { label: 'after load', where: 'train.py:12', file: '/w/train.py', line: 12, kind: 'checkpoint', delta: 1.2e9, sinceStart: -35.2e6, peak: 2.9e9, hits: 12, growth: undefined };

describe('checkpoint columns', () => {
  it('formats each column of a row', () => {
    assert.deepEqual(
      CHECKPOINT_COLUMNS.map((c) => checkpointCell(row, c, 'GB')),
      ['train.py:12', 'after load', 'checkpoint', '+1.20 GB', '-35.2 MB', '2.90 GB', '12', '', ''],
    );
  });

  it('shows the ranks column only when a launch has ranks, with the spread and the outlier', () => {
    const ranked = { ...row, rankMax: 1.2e9, rankMaxOf: 3, rankMin: 0.9e9, rankMinOf: 0, rankOutlier: 3 };
    assert.deepEqual(columnsFor([row]).map((c) => c.key), ['where', 'label', 'kind', 'delta', 'sinceStart', 'peak', 'hits', 'growth']);
    const columns = columnsFor([row, ranked]);
    assert.equal(columns.at(-1)?.title, 'ranks');
    assert.equal(checkpointCell(ranked, columns.at(-1)!, 'GB'), 'max +1.20 GB (rank 3) · min +900 MB (rank 0) · ⚠ rank 3 far above');
    assert.equal(checkpointCell(row, columns.at(-1)!, 'GB'), '');
    const even = { ...row, rankMax: 2.1e6, rankMaxOf: 0, rankMin: 2.1e6, rankMinOf: 0 };
    assert.equal(checkpointCell(even, columns.at(-1)!, 'GB'), '+2.10 MB on every rank');
  });

  it('uses binary units when asked', () => {
    const peak = CHECKPOINT_COLUMNS.find((c) => c.key === 'peak')!;
    assert.equal(checkpointCell({ ...row, peak: 3 * 2 ** 30 }, peak, 'GiB'), '3.00 GiB');
  });

  it('declares each row field at most once, and numbers as numeric', () => {
    const keys = CHECKPOINT_COLUMNS.map((c) => c.key);
    assert.equal(new Set(keys).size, keys.length);
    for (const c of CHECKPOINT_COLUMNS.filter((x) => !x.optional)) assert.equal(c.numeric, typeof row[c.key] === 'number' || c.key === 'growth', c.key);
  });
});
