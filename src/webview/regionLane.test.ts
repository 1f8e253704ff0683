import * as assert from 'node:assert/strict';
import { LANE_HEIGHT, LANE_PADDING, laneRuns, spanTitle } from './regionLane';

describe('region lane', () => {
  it('merges back-to-back regions into one run: a thousand regions cost one rectangle', () => {
    const loop = Array.from({ length: 1000 }, (_, i) => ({ x0: 50 + i * 0.4, x1: 50 + i * 0.4 + 0.3 }));
    assert.deepEqual(laneRuns(loop, 40, 600), [{ x0: 50, x1: 50 + 999 * 0.4 + 1 }]);
  });

  it('keeps regions apart where there is a gap, in order, at least a pixel wide', () => {
    assert.deepEqual(
      laneRuns(
        [
          { x0: 300, x1: 320 },
          { x0: 100, x1: 100.2 },
          { x0: 318, x1: 330 },
        ],
        0,
        1000,
      ),
      [
        { x0: 100, x1: 101 },
        { x0: 300, x1: 330 },
      ],
    );
  });

  it('clips to the plot and drops what lies outside it', () => {
    assert.deepEqual(
      laneRuns(
        [
          { x0: -50, x1: 60 },
          { x0: 700, x1: 900 },
          { x0: 500, x1: 650 },
        ],
        40,
        600,
      ),
      [
        { x0: 40, x1: 60 },
        { x0: 500, x1: 600 },
      ],
    );
  });

  it('is thin: the lane and its gaps take a few pixels of the chart', () => {
    assert.ok(LANE_HEIGHT <= 6 && LANE_PADDING <= 16);
  });

  it('titles a span with its kind, label, duration and memory', () => {
    assert.equal(spanTitle({ t: 1000, tEnd: 2200, kind: 'region', label: 'data loading', delta: 35e6, peak: 1.4e9 }, 'GB'), 'region: data loading · 1.20 s · +35.0 MB · peak 1.40 GB');
    assert.equal(spanTitle({ t: 1000, tEnd: 1010, kind: 'call', label: 'step' }, 'GB'), 'call: step · 10 ms');
  });
});
