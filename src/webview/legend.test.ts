import * as assert from 'node:assert/strict';
import type { SeriesData } from '../shared/webviewMessages';
import { chipTitle, compareKey, legendEntries, legendSummary } from './legend';
import { applySnapshot, createState } from './state';

const series = (name: string, label: string, hidden?: boolean): SeriesData => ({ name, label, colour: `--c-${name}`, first: 0, hidden, t: new Float64Array([1]), min: new Float64Array([1]), max: new Float64Array([1]) });

describe('series legend', () => {
  const s = createState();
  applySnapshot(s, {
    type: 'snapshot',
    t0: 0,
    t1: 1,
    start: 0,
    end: 1,
    series: [series('tree.rss', 'RSS (tree)'), series('tree.vms', 'VMS (tree)', true), series('sys.used', 'system used')],
    events: [],
    rows: [],
    live: true,
    reporter: 'client',
    sessionName: 'train.py',
  });

  it('has a chip per series of this run, those drawn by default first, shown or hidden as the chart draws them', () => {
    const entries = legendEntries(s, (v) => `colour(${v})`);
    assert.deepEqual(
      entries.map((e) => [e.name, e.label, e.colour, e.hidden]),
      [
        ['tree.rss', 'RSS (tree)', 'colour(--c-tree.rss)', false],
        ['sys.used', 'system used', 'colour(--c-sys.used)', false],
        ['tree.vms', 'VMS (tree)', 'colour(--c-tree.vms)', true],
      ],
    );
    assert.equal(legendSummary(entries), 'Series 2/3');
    assert.equal(chipTitle(entries[0]), 'RSS (tree): click to hide');
    assert.equal(chipTitle(entries[2]), 'VMS (tree): click to show');
  });

  it('follows the toggles without moving a chip', () => {
    s.hiddenSeries.add('tree.rss');
    s.hiddenSeries.add('show:tree.vms');
    assert.deepEqual(
      legendEntries(s, (v) => v).map((e) => `${e.name}${e.hidden ? ' (hidden)' : ''}`),
      ['tree.rss (hidden)', 'sys.used', 'tree.vms'],
    );
    s.hiddenSeries.clear();
  });

  it('adds no chips in compare mode: one letter per run, the whole names in the tooltips', () => {
    assert.deepEqual(compareKey('train.py', undefined), []);
    const key = compareKey('config-a.ndjson (recording)', 'recording-2026-12-02T10-11-12.ndjson');
    assert.deepEqual(
      key.map((k) => [k.key, k.dashed]),
      [
        ['A', false],
        ['B', true],
      ],
    );
    assert.match(key[1].title, /recording-2026-12-02T10-11-12\.ndjson$/);
    assert.match(compareKey(undefined, 'b.ndjson')[0].title, /this run$/);
  });
});
