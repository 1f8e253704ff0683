import * as assert from 'node:assert/strict';
import { CHECKPOINT_COLUMNS, checkpointCell } from './checkpointColumns';
import type { CheckpointRow } from './webviewMessages';

const row: CheckpointRow = { label: 'after load', where: 'train.py:12', file: '/w/train.py', line: 12, kind: 'checkpoint', delta: 1.2e9, sinceStart: -35.2e6, peak: 2.9e9, hits: 12, growth: undefined };

describe('checkpoint columns', () => {
  it('formats each column of a row', () => {
    assert.deepEqual(
      CHECKPOINT_COLUMNS.map((c) => checkpointCell(row, c, 'GB')),
      ['train.py:12', 'after load', 'checkpoint', '+1.20 GB', '-35.2 MB', '2.90 GB', '12', ''],
    );
  });

  it('uses binary units when asked', () => {
    const peak = CHECKPOINT_COLUMNS.find((c) => c.key === 'peak')!;
    assert.equal(checkpointCell({ ...row, peak: 3 * 2 ** 30 }, peak, 'GiB'), '3.00 GiB');
  });

  it('declares each row field at most once, and numbers as numeric', () => {
    const keys = CHECKPOINT_COLUMNS.map((c) => c.key);
    assert.equal(new Set(keys).size, keys.length);
    for (const c of CHECKPOINT_COLUMNS) assert.equal(c.numeric, typeof row[c.key] === 'number' || c.key === 'growth', c.key);
  });
});
