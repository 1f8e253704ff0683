import * as assert from 'node:assert/strict';
import type { CompareMessage, SeriesData, SnapshotMessage } from '../shared/webviewMessages';
import { buildDatasets } from './datasets';
import { applyAppend, applyCompare, applySnapshot, createState, type TimelineState } from './state';
import { chartX, convertRange, hoverTitle, inSteps, stepsUnavailable, windowOf, xTicks } from './xAxis';

const f64 = (...xs: number[]) => new Float64Array(xs);
const START = 1_000_000;
/** ms since the epoch of `sec` seconds into the session. */
const at = (sec: number) => START + sec * 1000;
const rss: SeriesData = { name: 'tree.rss', label: 'RSS (tree)', colour: '--blue', first: 100, t: f64(at(0), at(5), at(10), at(20)), min: f64(100, 200, 300, 400), max: f64(100, 200, 300, 400) };
/** Steps 1..10 from 10 s to 20 s: loading the model took the first 10 s. */
const steps = { t: f64(...Array.from({ length: 10 }, (_, i) => at(11 + i))), step: f64(...Array.from({ length: 10 }, (_, i) => i + 1)) };

function stateWith(over: Partial<SnapshotMessage> = {}): TimelineState {
  const s = createState();
  applySnapshot(s, { type: 'snapshot', t0: at(0), t1: at(20), start: START, end: at(20), series: [rss], events: [], rows: [], live: true, reporter: 'client', sessionName: 'train.py', steps, ...over });
  return s;
}
const compare = (withSteps: boolean): CompareMessage => ({ type: 'compare', name: 'b.ndjson', offset: 0, alignedAt: '', labels: [], series: [{ ...rss, name: 'compare:tree.rss' }], rows: [], recordingPath: '/b', steps: withSteps ? { t: f64(at(1), at(2)), step: f64(1, 10) } : undefined });

describe('timeline x axis', () => {
  it('is time until Steps is asked for, and steps only where the run has them', () => {
    const s = stateWith();
    assert.equal(inSteps(s), false);
    assert.equal(chartX(s, at(15)), 15);
    s.xAxis = 'steps';
    assert.equal(inSteps(s), true);
    assert.equal(chartX(s, at(15)), 5);
    assert.equal(chartX(s, at(2)), 1, 'before the first step: at the first step');
    const none = stateWith({ steps: undefined });
    none.xAxis = 'steps';
    assert.equal(stepsUnavailable(none), 'none');
    assert.equal(inSteps(none), false);
    assert.equal(chartX(none, at(15)), 15);
  });

  it('compare with a recording without steps turns the step axis off and says why; with steps, each run maps through its own', () => {
    const s = stateWith();
    s.xAxis = 'steps';
    applyCompare(s, compare(false));
    assert.match(stepsUnavailable(s) ?? '', /compared recording has no training steps/);
    assert.equal(inSteps(s), false);
    applyCompare(s, compare(true));
    assert.equal(inSteps(s), true);
    const [a, b] = buildDatasets(s, 100, (v) => v);
    // A's sample at 20 s is at its step 10; B reached step 10 at 2 s, so B's sample at 5 s is at step 10 too.
    assert.deepEqual(a.data.map((p) => p.x), [1, 1, 1, 10]);
    assert.deepEqual(b.data.map((p) => p.x), [1, 10, 10, 10]);
    assert.deepEqual(a.data.map((p) => p.t), [0, 5, 10, 20], 'each point keeps its time for the hover');
    applyCompare(s, undefined);
    assert.equal(inSteps(s), true, 'compare ended: back on steps');
  });

  it('asks the host for the moments a step range shows, the whole clamped start when its left edge is at the first step', () => {
    const s = stateWith();
    s.xAxis = 'steps';
    assert.deepEqual(windowOf(s, 3, 6), { t0: at(13), t1: at(16) });
    assert.deepEqual(windowOf(s, 1, 10), { t0: START, t1: at(20) });
    assert.deepEqual(windowOf(s, 3, 6, false), { t0: at(3), t1: at(6) }, 'in time: seconds');
  });

  it('switching axes keeps the same moments in view', () => {
    const s = stateWith();
    s.xAxis = 'steps';
    assert.deepEqual(convertRange(s, 13, 16, false), { min: 3, max: 6 });
    s.xAxis = 'time';
    assert.deepEqual(convertRange(s, 3, 6, true), { min: 13, max: 16 });
  });

  it('the hover shows the step beside the wall clock, the step first against steps', () => {
    const s = stateWith();
    const clock = new Date(at(15.5)).toLocaleTimeString();
    assert.equal(hoverTitle(s, 15.5), `15.50 s · ${clock} · step 5`);
    s.xAxis = 'steps';
    assert.equal(hoverTitle(s, 15.5), `step 5 · 15.50 s · ${clock}`);
    assert.equal(hoverTitle(stateWith({ steps: undefined }), 15.5), `15.50 s · ${clock}`, 'no steps: no step');
    const loading = new Date(at(2)).toLocaleTimeString();
    assert.equal(hoverTitle(s, 2), `2.00 s · ${loading}`, 'loading the model, before the first step: no step');
  });

  it('labels ticks in steps against steps, in time otherwise', () => {
    const s = stateWith({ steps: { t: f64(at(0), at(20)), step: f64(0, 2000) } });
    const measure = (l: string) => l.length * 6;
    assert.ok(xTicks(s, 0, 20, 600, measure).every((t) => /s$/.test(t.label)));
    s.xAxis = 'steps';
    const ticks = xTicks(s, 0, 2000, 600, measure);
    assert.ok(ticks.length >= 3 && ticks.every((t) => /^step \d{1,3}(,\d{3})*$/.test(t.label)), ticks.map((t) => t.label).join(', '));
  });

  it('live step records extend the map', () => {
    const s = stateWith();
    s.xAxis = 'steps';
    applyAppend(s, { type: 'append', end: at(30), series: [], live: true, reporter: 'client', steps: { t: f64(at(30)), step: f64(30) } });
    assert.equal(chartX(s, at(25)), 20);
  });
});
