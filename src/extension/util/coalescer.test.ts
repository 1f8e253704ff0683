import * as assert from 'node:assert/strict';
import { Coalescer, type CoalescerClock } from './coalescer';

/** A clock that moves only when told, with the timers it was given. */
class FakeClock implements CoalescerClock {
  t = 1_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.next;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = until;
  }
  get pending(): number {
    return this.timers.length;
  }
}

describe('Coalescer', () => {
  it('runs the first event on the next turn and folds a burst into one call per interval', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const c = new Coalescer(() => runs.push(clock.now()), 100, clock);
    c.trigger();
    assert.deepEqual(runs, [], 'never inside trigger');
    clock.advance(0);
    assert.deepEqual(runs, [1000]);
    for (let i = 0; i < 50; i++) {
      c.trigger();
      clock.advance(5);
    }
    // 250 ms of events after a run at 1000: runs at 1100, 1200 and one pending for 1300.
    assert.deepEqual(runs, [1000, 1100, 1200]);
    clock.advance(100);
    assert.deepEqual(runs, [1000, 1100, 1200, 1300]);
    assert.equal(clock.pending, 0, 'no timer once quiet');
  });

  it('flush runs a pending call at once; dispose cancels it and ignores later events', () => {
    const clock = new FakeClock();
    let n = 0;
    const c = new Coalescer(() => n++, 100, clock);
    c.trigger();
    c.flush();
    assert.equal(n, 1);
    c.flush();
    assert.equal(n, 1, 'nothing pending, nothing run');
    c.trigger();
    c.dispose();
    c.trigger();
    clock.advance(1000);
    assert.equal(n, 1);
    assert.equal(clock.pending, 0);
  });
});
