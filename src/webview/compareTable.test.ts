import * as assert from 'node:assert/strict';
import { COMPARE_COLUMNS, alignOptions, compareCell, compareCellClass, compareHeading, compareRowTexts } from './compareTable';

describe('compare table', () => {
  const row = { key: 'loaded', aSinceStart: 315e6, bSinceStart: 157e6, sinceStartDiff: -158e6, aPeak: 340e6, bPeak: 180e6, peakDiff: -160e6, aHits: 1, bHits: 2 };

  it('formats a matched row: signed differences, plain peaks, counts as numbers', () => {
    assert.deepEqual(compareRowTexts(row, 'GB'), ['loaded', '+315 MB', '+157 MB', '-158 MB', '340 MB', '180 MB', '-160 MB', '1', '2']);
  });

  it('shows a checkpoint only one run has with dashes on the other side', () => {
    assert.deepEqual(compareRowTexts({ key: 'only A', aSinceStart: 2e9, aPeak: 2.5e9, aHits: 3 }, 'GiB'), ['only A', '+1.86 GiB', '–', '–', '2.33 GiB', '–', '–', '3', '–']);
  });

  it('formats one cell by its column', () => {
    const [aSince, , diff, , , , aHits] = COMPARE_COLUMNS;
    assert.equal(compareCell(row, aSince, 'GB'), '+315 MB');
    assert.equal(compareCell({ key: 'k', sinceStartDiff: 0 }, diff, 'GB'), '0 B');
    assert.equal(compareCell({ key: 'k' }, aHits, 'GB'), '–');
  });

  it('marks the difference columns', () => {
    assert.deepEqual(COMPARE_COLUMNS.map(compareCellClass), ['n', 'n', 'n diff', 'n', 'n', 'n diff', 'n', 'n']);
  });

  it('offers the start, then each common label quoted', () => {
    assert.deepEqual(alignOptions([]), [['', 'start']]);
    assert.deepEqual(alignOptions(['start', 'loaded']), [
      ['', 'start'],
      ['start', '“start”'],
      ['loaded', '“loaded”'],
    ]);
  });

  it('names both runs in the heading', () => {
    assert.equal(compareHeading('train.py', 'recording.ndjson'), 'A: train.py · B: recording.ndjson');
    assert.equal(compareHeading(undefined, 'b.ndjson'), 'A: this run · B: b.ndjson');
  });
});
