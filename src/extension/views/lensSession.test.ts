import * as assert from 'node:assert/strict';
import { lensSessionOrder } from './lensSession';

const s = (name: string, live: boolean) => ({ name, live });

describe('which session the lenses speak for', () => {
  it('an opened recording does not take the lenses from a live run', () => {
    const run = s('train.py', true);
    const rec = s('old.ndjson', false);
    assert.deepEqual(lensSessionOrder([run, rec], rec).map((x) => x.name), ['train.py', 'old.ndjson']);
  });

  it('the focused live run before a newer live one, then the newest live', () => {
    const a = s('a', true);
    const b = s('b', true);
    const c = s('c', true);
    assert.deepEqual(lensSessionOrder([a, b, c], a).map((x) => x.name), ['a', 'c', 'b']);
    assert.deepEqual(lensSessionOrder([a, b, c], undefined).map((x) => x.name), ['c', 'b', 'a']);
  });

  it('with nothing live, the focused recording first, then the newest ended', () => {
    const old = s('old run', false);
    const rec = s('rec', false);
    const newer = s('newer run', false);
    assert.deepEqual(lensSessionOrder([old, rec, newer], rec).map((x) => x.name), ['rec', 'newer run', 'old run']);
  });
});
