import * as assert from 'node:assert/strict';
import { appendSteps, buildStepMap, stepAt, stepX, timeAtX, type StepMap } from './stepAxis';

/** A map from [seconds, step] pairs, origin 0. */
const mapOf = (pairs: [number, number][], jitter?: number): StepMap => buildStepMap(pairs.map(([t]) => t * 1000), pairs.map(([, s]) => s), 0, jitter) as StepMap;

describe('step axis mapping', () => {
  it('maps time to step linearly between step records and clamps outside them', () => {
    const m = mapOf([
      [10, 1],
      [12, 2],
      [13, 6],
    ]);
    assert.deepEqual([stepX(m, 10), stepX(m, 11), stepX(m, 12), stepX(m, 12.5), stepX(m, 13)], [1, 1.5, 2, 4, 6]);
    assert.equal(stepX(m, 0), 1, 'model loading before the first step sits at the first step');
    assert.equal(stepX(m, 99), 6, 'after the last step, at the last step');
    assert.equal(stepAt(m, 12.5), 4, 'the step that had ended then');
    assert.equal(stepAt(m, 11.9), 1);
  });

  it('is monotone: x never goes back as time goes on', () => {
    const m = mapOf([
      [0, 0],
      [1, 3],
      [2, 3],
      [3, 2], // a rank one step behind
      [4, 10],
      [5, 9],
      [6, 11],
    ]);
    let prev = -Infinity;
    for (let s = -1; s <= 7; s += 0.05) {
      const x = stepX(m, s);
      assert.ok(x >= prev - 1e-12, `x(${s}) = ${x} after ${prev}`);
      prev = x;
    }
    assert.equal(m.segments.length, 1, 'a fall within the jitter is not a new numbering');
  });

  it('holds a repeated step flat over time; the view edges take the pause in', () => {
    // Step 5 reported by the batch and again by the epoch's end, then an evaluation (no steps) until 20 s.
    const m = mapOf([
      [1, 1],
      [5, 5],
      [6, 5],
      [20, 5],
      [21, 6],
    ]);
    assert.equal(stepX(m, 10), 5);
    assert.equal(timeAtX(m, 5, 'first'), 5, 'a window starting at step 5 starts when it was reached');
    assert.equal(timeAtX(m, 5, 'last'), 20, 'a window ending at step 5 ends when the axis left it');
    assert.equal(timeAtX(m, 5.5, 'first'), 20.5);
    assert.equal(timeAtX(m, 3, 'first'), 3);
    assert.equal(timeAtX(m, 3, 'last'), 3);
  });

  it('bridges a gap in the records linearly, and says the view runs past the ends', () => {
    const m = mapOf([
      [0, 100],
      [100, 200],
    ]);
    assert.equal(stepX(m, 25), 125);
    assert.equal(timeAtX(m, 150, 'first'), 50);
    assert.equal(timeAtX(m, 50, 'first'), -Infinity, 'left of the first step: everything clamped there is in view');
    assert.equal(timeAtX(m, 100, 'first'), -Infinity);
    assert.equal(timeAtX(m, 250, 'last'), Infinity);
    assert.equal(timeAtX(m, 200, 'last'), Infinity);
  });

  it('a numbering that starts again (a resumed run) goes on to the right with its own step numbers', () => {
    // Steps 1..100 by 100 s; reloaded, resumed from the step-60 checkpoint: 61.. from 120 s.
    const m = mapOf([
      [0, 1],
      [100, 100],
      [120, 61],
      [160, 101],
    ]);
    assert.equal(m.segments.length, 2);
    assert.deepEqual(m.segments[0], { x0: 1, x1: 100, offset: 0 });
    assert.deepEqual(m.segments[1], { x0: 100, x1: 140, offset: 39 });
    assert.equal(stepX(m, 110), 100, 'the reload between the runs takes no room');
    assert.equal(stepX(m, 140), 120, 'x goes on past the first run');
    assert.equal(stepAt(m, 140), 81, 'labelled with the resumed run’s own step');
    assert.equal(stepAt(m, 50), 50);
    assert.equal(stepAt(m, 110), 100, 'during the reload: the last step of the first run');
    assert.equal(timeAtX(m, 120, 'first'), 140);
    assert.equal(timeAtX(m, 100, 'first'), 100, 'the boundary: from the first run’s end');
    assert.equal(timeAtX(m, 100, 'last'), 120, 'to the resumed run’s start');
  });

  it('takes records in time order, and skips what is not a number', () => {
    const m = buildStepMap([3000, 1000, 2000, NaN], [3, 1, 2, 9], 1000) as StepMap;
    assert.deepEqual([...m.t], [0, 1, 2]);
    assert.deepEqual([...m.x], [1, 2, 3]);
    assert.equal(buildStepMap([1, 2], [NaN, Infinity], 0), undefined);
    assert.equal(buildStepMap([], [], 0), undefined);
  });

  it('a single step record maps every moment to it', () => {
    const m = mapOf([[5, 42]]);
    assert.deepEqual([stepX(m, 0), stepX(m, 5), stepX(m, 9)], [42, 42, 42]);
    assert.equal(stepAt(m, 9), 42);
    assert.equal(timeAtX(m, 42, 'first'), -Infinity);
    assert.equal(timeAtX(m, 42, 'last'), Infinity);
  });
});

describe('step track', () => {
  it('appends live records, and past its limit keeps every other one, the ends and both sides of a restart', () => {
    const track = { t: [] as number[], step: [] as number[] };
    const steps = [...Array.from({ length: 11 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 1)];
    appendSteps(track, steps.map((_, i) => i * 1000), steps, 16);
    assert.ok(track.t.length <= 16, `${track.t.length} points kept`);
    assert.deepEqual([track.t[0], track.t[track.t.length - 1]], [0, 20_000]);
    assert.ok(track.step.includes(11) && track.t.includes(10_000), 'the last step before the restart');
    assert.ok(track.t.includes(11_000), 'the first step after it');
    const m = buildStepMap(track.t, track.step, 0) as StepMap;
    assert.equal(m.segments.length, 2, 'the thinned track still starts again');
    assert.equal(stepAt(m, 20), 10);
    // Under the limit nothing is dropped.
    const small = { t: [1], step: [1] };
    appendSteps(small, [2, 3], [2, 3], 16);
    assert.deepEqual(small, { t: [1, 2, 3], step: [1, 2, 3] });
  });
});
