import * as assert from 'node:assert/strict';
import type { EventData, SeriesData } from '../shared/webviewMessages';
import { buildDatasets } from './datasets';
import { isGap, markerTitle } from './markers';
import { breakAtGaps } from './points';
import { applySnapshot, createState } from './state';

const f64 = (...xs: number[]) => new Float64Array(xs);

describe('timeline gaps (a window reloaded while the run went on)', () => {
  it('cuts a line between the points either side of a gap, and only there', () => {
    const pts = [0, 1, 2, 8, 9].map((x) => ({ x, y: x }));
    const out = breakAtGaps(pts, [{ from: 2.5, to: 7.5 }]);
    assert.equal(out.length, 6);
    assert.deepEqual(out.slice(0, 3), pts.slice(0, 3));
    assert.equal(out[3].x, 5);
    assert.ok(Number.isNaN(out[3].y));
    assert.deepEqual(out.slice(4), pts.slice(3));
    // A gap before the first point or after the last cuts nothing; no gaps: the same array.
    assert.deepEqual(breakAtGaps(pts, [{ from: -5, to: -1 }]), pts);
    assert.deepEqual(breakAtGaps(pts, [{ from: 20, to: 30 }]), pts);
    assert.equal(breakAtGaps(pts, []), pts);
  });

  it('draws no series line across a gap event: spanGaps off and a break inside it', () => {
    const state = createState();
    const series: SeriesData = { name: 'rss', label: 'RSS', colour: '--blue', first: 1, t: f64(10_000, 11_000, 20_000, 21_000), min: f64(1, 2, 3, 4), max: f64(1, 2, 3, 4) };
    const gap: EventData = { t: 11_500, tEnd: 19_500, kind: 'gap', label: 'window reloaded' };
    applySnapshot(state, { type: 'snapshot', t0: 10_000, t1: 21_000, start: 10_000, end: 21_000, series: [series], events: [gap], rows: [], live: true, reporter: 'client', sessionName: 'p' });
    const [ds] = buildDatasets(state, 1000, (v) => v);
    assert.equal(ds.spanGaps, false);
    assert.deepEqual(
      ds.data.map((p) => (Number.isNaN(p.y) ? 'break' : p.x)),
      [0, 1, 'break', 10, 11],
    );
    assert.ok(isGap(gap));
    assert.equal(markerTitle(gap), 'gap: window reloaded');
  });

  it('leaves runs without gaps as they were (spanGaps not set)', () => {
    const state = createState();
    const series: SeriesData = { name: 'rss', label: 'RSS', colour: '--blue', first: 1, t: f64(10_000, 11_000), min: f64(1, 2), max: f64(1, 2) };
    applySnapshot(state, { type: 'snapshot', t0: 10_000, t1: 11_000, start: 10_000, end: 11_000, series: [series], events: [{ t: 10_500, kind: 'checkpoint', label: 'a' }], rows: [], live: true, reporter: 'client', sessionName: 'p' });
    assert.equal(buildDatasets(state, 1000, (v) => v)[0].spanGaps, undefined);
  });
});
