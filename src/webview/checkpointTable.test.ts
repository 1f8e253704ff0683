import * as assert from 'node:assert/strict';
import type { CheckpointRow } from '../shared/webviewMessages';
import { CHECKPOINT_COLUMNS, cellText, headerText, isNumeric, nextSort, sortRows, tableText, type CheckpointColumn } from './checkpointTable';

const row = (label: string, sinceStart: number, growth?: number, extra: Partial<CheckpointRow> = {}): CheckpointRow => ({
  label,
  where: `prog.py:${sinceStart}`,
  file: '/w/prog.py',
  line: 10,
  kind: 'checkpoint',
  delta: sinceStart / 2,
  sinceStart,
  peak: 1e9,
  hits: 1,
  growth,
  ...extra,
});
const col = (key: keyof CheckpointRow): CheckpointColumn => CHECKPOINT_COLUMNS.find((c) => c.key === key)!;
const labels = (rows: readonly CheckpointRow[]) => rows.map((r) => r.label);

describe('checkpoint table', () => {
  const rows = [row('b', 300e6, 5e6), row('a', -20e6), row('C', 1.5e9, 35e6), row('d', 0, -1e6)];

  it('sorts numbers by value, descending or ascending, without touching the input', () => {
    assert.deepEqual(labels(sortRows(rows, 'sinceStart', true)), ['C', 'b', 'd', 'a']);
    assert.deepEqual(labels(sortRows(rows, 'sinceStart', false)), ['a', 'd', 'b', 'C']);
    assert.deepEqual(labels(rows), ['b', 'a', 'C', 'd']);
  });

  it('sorts text with localeCompare (case-insensitive order)', () => {
    assert.deepEqual(labels(sortRows(rows, 'label', false)), ['a', 'b', 'C', 'd']);
    assert.deepEqual(labels(sortRows(rows, 'label', true)), ['d', 'C', 'b', 'a']);
  });

  it('counts an absent value as the lowest', () => {
    assert.deepEqual(labels(sortRows(rows, 'growth', true)), ['C', 'b', 'd', 'a']);
    assert.deepEqual(labels(sortRows(rows, 'growth', false)), ['a', 'd', 'b', 'C']);
  });

  it('flips the order on the sorted column, sorts another one descending', () => {
    assert.deepEqual(nextSort({ key: 'peak', desc: true }, 'peak'), { key: 'peak', desc: false });
    assert.deepEqual(nextSort({ key: 'peak', desc: false }, 'peak'), { key: 'peak', desc: true });
    assert.deepEqual(nextSort({ key: 'peak', desc: false }, 'label'), { key: 'label', desc: true });
  });

  it('formats cells: bytes in the units, signed where the column is, text as is, absent as empty', () => {
    const r = row('loaded', 210e6, undefined, { delta: -35.2e6, peak: 1.2e9, hits: 12, where: 'prog.py:19' });
    assert.equal(cellText(r, col('label'), 'GB'), 'loaded');
    assert.equal(cellText(r, col('where'), 'GB'), 'prog.py:19');
    assert.equal(cellText(r, col('delta'), 'GB'), '-35.2 MB');
    assert.equal(cellText(r, col('sinceStart'), 'GB'), '+210 MB');
    assert.equal(cellText(r, col('peak'), 'GB'), '1.20 GB');
    assert.equal(cellText(r, col('peak'), 'GiB'), '1.12 GiB');
    assert.equal(cellText(r, col('hits'), 'GB'), '12');
    assert.equal(cellText(r, col('growth'), 'GB'), '');
    assert.equal(cellText({ ...r, growth: 0 }, col('growth'), 'GB'), '0 B');
  });

  it('marks the sorted header and right-aligns numeric columns', () => {
    assert.equal(headerText(col('peak'), 'peak', true), 'peak ▾');
    assert.equal(headerText(col('peak'), 'peak', false), 'peak ▴');
    assert.equal(headerText(col('peak'), 'label', true), 'peak');
    assert.deepEqual(CHECKPOINT_COLUMNS.filter(isNumeric).map((c) => c.key), ['delta', 'sinceStart', 'peak', 'hits', 'growth']);
  });

  it('copies the table as tab-separated text in its sort order', () => {
    const text = tableText([row('x', 1e6), row('y', 2e6, 3e6)], 'sinceStart', true, 'GB');
    assert.equal(
      text,
      ['where\tlabel\tkind\tdelta\tsince start\tpeak\thits\tgrowth/hit', 'prog.py:2000000\ty\tcheckpoint\t+1.00 MB\t+2.00 MB\t1.00 GB\t1\t+3.00 MB', 'prog.py:1000000\tx\tcheckpoint\t+500 kB\t+1.00 MB\t1.00 GB\t1\t'].join('\n'),
    );
  });
});
