import * as assert from 'node:assert/strict';
import { layoutTimeTicks, tickLabel, ticksCollide, TICK_GAP } from './timeTicks';

/** About what 11px UI text measures: 6.5 px a character. */
const measure = (label: string) => label.length * 6.5;

describe('time axis ticks', () => {
  it('labels in the coarsest unit the step allows', () => {
    assert.equal(tickLabel(0.5, 0.5), '0.5s');
    assert.equal(tickLabel(0.25, 0.05), '0.25s');
    assert.equal(tickLabel(15, 5), '15s');
    assert.equal(tickLabel(90, 30), '1m 30s');
    assert.equal(tickLabel(120, 30), '2m');
    assert.equal(tickLabel(65.5, 0.5), '1m 05.5s');
    assert.equal(tickLabel(3900, 300), '1h 05m');
    assert.equal(tickLabel(7200, 3600), '2h');
    assert.equal(tickLabel(1.5 * 86400, 12 * 3600), '1d 12h');
    assert.equal(tickLabel(-10, 5), '−10s');
  });

  it('never labels the origin', () => {
    const { ticks } = layoutTimeTicks(0, 37, 600, measure);
    assert.ok(ticks.length >= 3, JSON.stringify(ticks));
    assert.ok(ticks.every((t) => t.value !== 0 && !/^0(\.0+)?s$|0 ms/.test(t.label)));
  });

  // Ranges a run is seen at: a blip, a short script, a long training, a panned window, a zoom into a long run.
  const ranges: [number, number][] = [
    [0, 0.2],
    [0, 1],
    [0, 37],
    [0, 600],
    [0, 5 * 3600],
    [0, 3 * 86400],
    [12.3, 48.9],
    [3595, 3605],
    [-4, 30],
  ];

  for (let width = 300; width <= 1400; width += 100) {
    it(`keeps every label inside the plot and apart at ${width} px`, () => {
      for (const [min, max] of ranges) {
        const { ticks } = layoutTimeTicks(min, max, width, measure);
        const where = `${min}..${max} s at ${width} px: ${ticks.map((t) => t.label).join(', ')}`;
        // A 10 s window an hour in has long labels: one tick is all 300 px hold apart.
        assert.ok(ticks.length >= (width >= 500 ? 2 : 1), `enough ticks, ${where}`);
        assert.equal(ticksCollide(ticks, TICK_GAP), false, where);
        assert.ok(ticks.every((t) => t.x0 >= 0 && t.x1 <= width), `inside the plot, ${where}`);
        assert.ok(ticks.every((t) => t.value >= min && t.value <= max), where);
        assert.equal(new Set(ticks.map((t) => t.label)).size, ticks.length, `no two labels alike, ${where}`);
      }
    });
  }

  it('uses more ticks as the plot widens, never so many they crowd', () => {
    const narrow = layoutTimeTicks(0, 600, 300, measure).ticks.length;
    const wide = layoutTimeTicks(0, 600, 1400, measure).ticks.length;
    assert.ok(wide > narrow, `${narrow} at 300 px, ${wide} at 1400 px`);
    assert.ok(wide <= 1400 / 60, `${wide} ticks at 1400 px`);
  });

  it('has nothing to lay out for an empty range or plot', () => {
    assert.deepEqual(layoutTimeTicks(5, 5, 600, measure).ticks, []);
    assert.deepEqual(layoutTimeTicks(0, 10, 0, measure).ticks, []);
  });

  it('tells colliding boxes from ones apart', () => {
    assert.equal(ticksCollide([{ x0: 0, x1: 10 }, { x0: 9, x1: 20 }]), true);
    assert.equal(ticksCollide([{ x0: 30, x1: 40 }, { x0: 0, x1: 10 }]), false);
    assert.equal(ticksCollide([{ x0: 0, x1: 10 }, { x0: 20, x1: 30 }], 16), true);
  });
});
