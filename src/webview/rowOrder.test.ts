import * as assert from 'node:assert/strict';
import type { CheckpointRow } from '../shared/webviewMessages';
import { displayOrder, outOfOrder, rowKey, sortRows } from './rowOrder';

const row = (label: string, sinceStart: number, line = 10): CheckpointRow => ({ label, where: `p.py:${line}`, file: '/w/p.py', line, kind: 'checkpoint', delta: 0, sinceStart, peak: 0, hits: 1 });
const labels = (rows: readonly CheckpointRow[]) => rows.map((r) => r.label);

describe('checkpoint row order', () => {
  const before = [row('a', 300, 1), row('b', 200, 2), row('c', 100, 3)];
  const shown = sortRows(before, 'sinceStart', true).map(rowKey);

  it('sorts when the table is not held', () => {
    const after = [row('a', 100, 1), row('b', 200, 2), row('c', 300, 3)];
    assert.deepEqual(labels(displayOrder(after, shown, false, 'sinceStart', true)), ['c', 'b', 'a']);
  });

  it('keeps every row in its place while held, with its new values', () => {
    const after = [row('a', 100, 1), row('b', 200, 2), row('c', 300, 3)];
    const held = displayOrder(after, shown, true, 'sinceStart', true);
    assert.deepEqual(labels(held), ['a', 'b', 'c']);
    assert.deepEqual(
      held.map((r) => r.sinceStart),
      [100, 200, 300],
    );
    assert.equal(outOfOrder(held, 'sinceStart', true), true, 'the table can say its order is paused');
  });

  it('adds rows new while held after the kept ones, sorted among themselves; drops rows gone', () => {
    const after = [row('a', 100, 1), row('c', 300, 3), row('d', 50, 4), row('e', 900, 5)];
    assert.deepEqual(labels(displayOrder(after, shown, true, 'sinceStart', true)), ['a', 'c', 'e', 'd']);
  });

  it('tells rows apart by location: the same label at two lines is two rows, a new label at one line the same row', () => {
    assert.notEqual(rowKey(row('x', 1, 1)), rowKey(row('x', 1, 2)));
    assert.equal(rowKey(row('alpha', 1, 7)), rowKey(row('beta', 2, 7)));
    const prev = [row('x', 5, 2), row('x', 9, 1)].map(rowKey);
    assert.deepEqual(
      displayOrder([row('x', 9, 1), row('x', 5, 2)], prev, true, 'sinceStart', true).map((r) => r.line),
      [2, 1],
    );
  });

  it('sorts on the first render even when held (nothing shown yet)', () => {
    assert.deepEqual(labels(displayOrder(before, [], true, 'sinceStart', false)), ['c', 'b', 'a']);
  });

  it('is in order when ties are only swapped', () => {
    assert.equal(outOfOrder([row('a', 1, 1), row('b', 1, 2)], 'sinceStart', true), false);
    assert.equal(outOfOrder(sortRows(before, 'sinceStart', true), 'sinceStart', true), false);
  });
});
