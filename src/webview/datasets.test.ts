import * as assert from 'node:assert/strict';
import type { CompareMessage, SeriesData } from '../shared/webviewMessages';
import { buildDatasets, formatLoss, isHidden, toggleSeries } from './datasets';
import { applySnapshot, createState } from './state';

const f64 = (...xs: number[]) => new Float64Array(xs);
const series = (name: string, colour: string, hidden?: boolean): SeriesData => ({ name, label: name.toUpperCase(), colour, first: 100, hidden, t: f64(10_000, 12_000), min: f64(100, 300), max: f64(100, 300) });
const colourOf = (v: string) => `colour(${v})`;

function stateWith(...s: SeriesData[]) {
  const state = createState();
  applySnapshot(state, { type: 'snapshot', t0: 10_000, t1: 12_000, start: 10_000, end: 12_000, series: s, events: [], rows: [], live: true, reporter: 'client', sessionName: 'p' });
  return state;
}

const compare = (s: SeriesData[], offset = 0): CompareMessage => ({ type: 'compare', name: 'b.ndjson', offset, alignedAt: '', labels: [], series: s, rows: [], recordingPath: '/b.ndjson' });

describe('timeline datasets', () => {
  it('draws each series in seconds from the start, in its theme colour', () => {
    const ds = buildDatasets(stateWith(series('rss', '--blue')), 1000, colourOf);
    assert.deepEqual(ds, [
      {
        label: 'RSS',
        name: 'rss',
        data: [
          { x: 0, y: 100 },
          { x: 2, y: 300 },
        ],
        borderColor: 'colour(--blue)',
        backgroundColor: 'colour(--blue)',
        hidden: false,
      },
    ]);
  });

  it('draws relative to the first value from zero', () => {
    const s = stateWith(series('rss', '--blue'));
    s.fromZero = true;
    assert.deepEqual(buildDatasets(s, 1000, colourOf)[0].data, [
      { x: 0, y: 0 },
      { x: 2, y: 200 },
    ]);
  });

  it('draws the compared recording dashed after this run, hidden with the series it belongs to', () => {
    const s = stateWith(series('rss', '--blue'), series('vms', '--purple', true));
    s.compare = compare([{ ...series('compare:rss', '--blue'), t: f64(9_000, 11_000) }, series('compare:vms', '--purple')]);
    toggleSeries(s.hiddenSeries, 'rss');
    const ds = buildDatasets(s, 1000, colourOf);
    assert.deepEqual(
      ds.map((d) => [d.name, d.hidden, d.borderDash]),
      [
        ['rss', true, undefined],
        ['vms', true, undefined],
        ['compare:rss', true, [5, 4]],
        ['compare:vms', true, [5, 4]],
      ],
    );
    assert.deepEqual(ds[2].data, [
      { x: -1, y: 100 },
      { x: 1, y: 300 },
    ]);
    toggleSeries(s.hiddenSeries, 'rss');
    assert.deepEqual(
      buildDatasets(s, 1000, colourOf).map((d) => d.hidden),
      [false, true, false, true],
    );
  });

  it('hides a default-hidden series until it is shown; a legend click toggles', () => {
    const hidden = new Set<string>();
    const vms = series('vms', '--purple', true);
    assert.equal(isHidden(vms, hidden), true);
    hidden.add('show:vms');
    assert.equal(isHidden(vms, hidden), false);
    toggleSeries(hidden, 'vms');
    assert.equal(isHidden(vms, hidden), true);
    toggleSeries(hidden, 'vms');
    assert.deepEqual([...hidden], ['show:vms']);
  });

  it('draws a loss against the loss axis, never relative to its first value', () => {
    const s = stateWith(series('rss', '--blue'), { ...series('loss.batch', '--fg'), unit: 'loss', first: 2, min: f64(2.5, 0.5), max: f64(2.5, 0.5) });
    s.fromZero = true;
    const [memory, loss] = buildDatasets(s, 1000, colourOf);
    assert.equal(memory.yAxisID, undefined, 'memory on the bytes axis');
    assert.equal(loss.yAxisID, 'loss');
    assert.deepEqual(loss.data.map((p) => p.y), [2.5, 0.5]);
  });

  it('writes a loss with three significant digits', () => {
    assert.deepEqual([2.3456, 0.012345, 0, 12345.6, 0.0001234, NaN].map(formatLoss), ['2.35', '0.0123', '0', '1.23e+4', '1.23e-4', '?']);
  });

  it('draws nothing without data', () => {
    assert.deepEqual(buildDatasets(createState(), 1000, colourOf), []);
  });
});
