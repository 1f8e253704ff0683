import * as assert from 'node:assert/strict';
import { envelopePoints, secondsSince, seriesOf } from './points';

describe('webview points', () => {
  it('draws each column min then max, and one point where they are equal', () => {
    const t = new Float64Array([100, 200, 300]);
    const min = new Float64Array([1, 2, 3]);
    const max = new Float64Array([1, 5, 3]);
    assert.deepEqual(envelopePoints(t, min, max), [
      { x: 100, y: 1 },
      { x: 200, y: 2 },
      { x: 200, y: 5 },
      { x: 300, y: 3 },
    ]);
  });

  it('puts x in seconds from the origin and y relative to the base', () => {
    const t = new Float64Array([1_000_000, 1_000_500, 1_002_000]);
    const min = new Float64Array([500e6, 600e6, 700e6]);
    const max = new Float64Array([500e6, 650e6, 700e6]);
    assert.deepEqual(envelopePoints(t, min, max, 500e6, 1_000_000, 1000), [
      { x: 0, y: 0 },
      { x: 0.5, y: 100e6 },
      { x: 0.5, y: 150e6 },
      { x: 2, y: 200e6 },
    ]);
  });

  it('gives no points for an empty envelope', () => {
    const none = new Float64Array(0);
    assert.deepEqual(envelopePoints(none, none, none, 0, 0, 1000), []);
  });

  it('turns ms since the start into seconds', () => {
    assert.equal(secondsSince(10_000, 12_500), 2.5);
    assert.equal(secondsSince(10_000, 9_000), -1);
  });

  it('keeps an envelope as a series: min, and max where it differs, at each column time', () => {
    const s = seriesOf({ t: [10, 20, 30], min: [4, 1, 7], max: [4, 9, 7] });
    assert.equal(s.count, 4);
    assert.equal(s.firstTime, 10);
    assert.equal(s.lastTime, 30);
    assert.equal(s.min, 1);
    assert.equal(s.max, 9);
    const e = s.query(0, 40, 100);
    assert.deepEqual(envelopePoints(e.t, e.min, e.max), [
      { x: 10, y: 4 },
      { x: 20, y: 1 },
      { x: 20, y: 9 },
      { x: 30, y: 7 },
    ]);
  });
});
