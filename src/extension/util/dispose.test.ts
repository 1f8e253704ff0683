import * as assert from 'node:assert/strict';
import { Disposable, disposeAll, toDisposable } from './dispose';

class Owner extends Disposable {
  own(fn: () => void) {
    return this._register(toDisposable(fn));
  }
}

describe('Disposable', () => {
  it('disposes owned items in reverse order, once', () => {
    const order: number[] = [];
    const o = new Owner();
    o.own(() => order.push(1));
    o.own(() => order.push(2));
    o.dispose();
    o.dispose();
    assert.deepEqual(order, [2, 1]);
  });

  it('disposes at once what is registered after dispose', () => {
    const o = new Owner();
    o.dispose();
    let late = false;
    o.own(() => (late = true));
    assert.equal(late, true);
  });

  it('disposeAll runs every item even when one throws, then rethrows', () => {
    let ran = 0;
    const items = [toDisposable(() => ran++), { dispose: () => { throw new Error('boom'); } }, toDisposable(() => ran++)];
    assert.throws(() => disposeAll(items), /boom/);
    assert.equal(ran, 2);
  });
});
