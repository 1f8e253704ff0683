import * as assert from 'node:assert/strict';
import type { SnapshotMessage } from '../shared/webviewMessages';
import { envelopePoints } from './points';
import { applyAppend, applySnapshot, clearData, createState, relTime } from './state';

const f64 = (...xs: number[]) => new Float64Array(xs);
const rss = { name: 'tree.rss', label: 'RSS (tree)', colour: '--vscode-charts-blue', first: 100 };
const snapshot = (over: Partial<SnapshotMessage> = {}): SnapshotMessage => ({
  type: 'snapshot',
  t0: 1000,
  t1: 3000,
  start: 1000,
  end: 3000,
  series: [{ ...rss, t: f64(1000, 2000, 3000), min: f64(100, 150, 300), max: f64(100, 200, 300) }],
  events: [],
  rows: [],
  live: true,
  reporter: 'client',
  sessionName: 'prog.py',
  ...over,
});
const pointsOf = (s: ReturnType<typeof createState>, name: string) => {
  const e = s.local.get(name)!.series.query(0, 1e9, 1000);
  return envelopePoints(e.t, e.min, e.max);
};

describe('webview state', () => {
  it('starts following, in GB, sorted by "since start" descending', () => {
    const s = createState();
    assert.equal(s.follow, true);
    assert.equal(s.fromZero, false);
    assert.equal(s.units, 'GB');
    assert.equal(s.sortKey, 'sinceStart');
    assert.equal(s.sortDesc, true);
    assert.equal(s.data, undefined);
  });

  it('keeps a snapshot and a local series per envelope', () => {
    const s = createState();
    applySnapshot(s, snapshot());
    assert.deepEqual([...s.local.keys()], ['tree.rss']);
    assert.equal(s.data?.sessionName, 'prog.py');
    assert.deepEqual(pointsOf(s, 'tree.rss'), [
      { x: 1000, y: 100 },
      { x: 2000, y: 150 },
      { x: 2000, y: 200 },
      { x: 3000, y: 300 },
    ]);
  });

  it('appends live samples, adds a new series only with its meta, and moves the window while following', () => {
    const s = createState();
    applySnapshot(s, snapshot({ events: [{ t: 1500, kind: 'checkpoint', label: 'a' }], threshold: 5e9 }));
    const changed = applyAppend(s, {
      type: 'append',
      end: 4000,
      live: false,
      reporter: 'none',
      series: [
        { name: 'tree.rss', t: f64(3500, 4000), v: f64(310, 320) },
        { name: 'tree.pss', t: f64(4000), v: f64(90), meta: { name: 'tree.pss', label: 'PSS (tree)', colour: '--vscode-charts-green', first: 90 } },
        { name: 'no.meta', t: f64(4000), v: f64(1) },
      ],
    });
    assert.equal(changed, true);
    assert.deepEqual([...s.local.keys()], ['tree.rss', 'tree.pss']);
    assert.deepEqual(pointsOf(s, 'tree.rss').slice(-2), [
      { x: 3500, y: 310 },
      { x: 4000, y: 320 },
    ]);
    assert.deepEqual(pointsOf(s, 'tree.pss'), [{ x: 4000, y: 90 }]);
    assert.equal(s.data?.end, 4000);
    assert.equal(s.data?.t1, 4000);
    assert.equal(s.data?.live, false);
    assert.equal(s.data?.reporter, 'none', 'the append says who reports checkpoints now');
    assert.equal(s.data?.threshold, undefined, 'the append carries the threshold, even none');
    assert.equal(s.data?.events.length, 1, 'markers kept when the append has none');
  });

  it('keeps the window when not following, and the extent never shrinks', () => {
    const s = createState();
    applySnapshot(s, snapshot());
    s.follow = false;
    applyAppend(s, { type: 'append', end: 2500, live: true, reporter: 'client', series: [], rows: [{ label: 'x', where: 'p:1', file: 'p', line: 1, kind: 'checkpoint', delta: 0, sinceStart: 0, peak: 0, hits: 1 }] });
    assert.equal(s.data?.end, 3000);
    assert.equal(s.data?.t1, 3000);
    assert.equal(s.data?.rows.length, 1);
  });

  it('ignores an append before any snapshot', () => {
    const s = createState();
    assert.equal(applyAppend(s, { type: 'append', end: 1, live: true, reporter: 'client', series: [{ name: 'tree.rss', t: f64(1), v: f64(1), meta: rss }] }), false);
    assert.equal(s.local.size, 0);
  });

  it('clears the data and series; times are seconds from the start', () => {
    const s = createState();
    assert.equal(relTime(s, 5000), 0);
    applySnapshot(s, snapshot());
    assert.equal(relTime(s, 3500), 2.5);
    clearData(s);
    assert.equal(s.data, undefined);
    assert.equal(s.local.size, 0);
  });
});
