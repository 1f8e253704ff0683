import * as assert from 'node:assert/strict';
import { formatStep, layoutStepTicks, stepLabel } from './stepTicks';
import { ticksCollide } from './timeTicks';

/** About what an 11 px UI font measures: 6 px per character. */
const measure = (label: string) => label.length * 6;

describe('step ticks', () => {
  it('labels ticks `step 1,200`', () => {
    assert.deepEqual([stepLabel(5), stepLabel(1200), stepLabel(1_234_567), formatStep(999), formatStep(1000)], ['step 5', 'step 1,200', 'step 1,234,567', '999', '1,000']);
  });

  it('never lets two labels touch, inside the plot, at any width and span', () => {
    const one = [{ x0: 1, x1: 5000, offset: 0 }];
    for (const [min, max] of [
      [1, 20],
      [1, 5000],
      [1200, 1260],
      [0, 3],
      [37.5, 4321.25],
    ]) {
      for (const width of [150, 280, 420, 700, 1200]) {
        const { ticks } = layoutStepTicks(min, max, width, one, measure);
        const where = `${min}..${max} at ${width} px: ${ticks.map((t) => t.label).join(', ')}`;
        assert.ok(!ticksCollide(ticks, 16), `collide: ${where}`);
        assert.ok(ticks.every((t) => t.x0 >= 0 && t.x1 <= width), `inside: ${where}`);
        assert.ok(ticks.every((t) => /^step [1-9][\d,]*$/.test(t.label)), `whole positive steps: ${where}`);
        if (width >= 420 && max - min >= 2) assert.ok(ticks.length >= 2, `some ticks: ${where}`);
      }
    }
  });

  it('takes the smallest round count that fits (1, 2, 5, 10, 20, 25, 50 …), and puts each tick at its step', () => {
    // A 1,200-step run at half width: every 250 steps (four labels), not every 500 (two).
    assert.deepEqual(
      layoutStepTicks(0, 1200, 380, [{ x0: 0, x1: 1200, offset: 0 }], measure).ticks.map((t) => t.label),
      ['step 250', 'step 500', 'step 750', 'step 1,000'],
    );
    const { step, ticks } = layoutStepTicks(0, 1000, 1000, [{ x0: 0, x1: 1000, offset: 0 }], measure);
    assert.equal(step, 100);
    assert.deepEqual(
      ticks.map((t) => [t.value, t.label]),
      [100, 200, 300, 400, 500, 600, 700, 800, 900].map((s) => [s, `step ${s}`]),
    );
    assert.equal(ticks[0].x0 + (ticks[0].x1 - ticks[0].x0) / 2, 100, 'centred on its x');
  });

  it('labels a restarted numbering with its own steps and drops a label that would touch the one before', () => {
    // 1..100, then 1..100 again: x 100..199 (offset 99).
    const segments = [
      { x0: 1, x1: 100, offset: 0 },
      { x0: 100, x1: 199, offset: 99 },
    ];
    const { ticks } = layoutStepTicks(0, 200, 800, segments, measure);
    const labels = ticks.map((t) => t.label);
    assert.ok(!ticksCollide(ticks, 16), labels.join(', '));
    assert.ok(labels.includes('step 100') || labels.includes('step 80'), labels.join(', '));
    const second = ticks.filter((t) => t.value > 100);
    assert.ok(second.length >= 2, labels.join(', '));
    for (const t of second) assert.equal(`step ${t.value - 99}`, t.label, 'the second run’s own number');
  });

  it('has nothing to lay out in an empty view', () => {
    assert.deepEqual(layoutStepTicks(5, 5, 500, [{ x0: 0, x1: 10, offset: 0 }], measure).ticks, []);
    assert.deepEqual(layoutStepTicks(0, 10, 500, [], measure).ticks, []);
  });
});
