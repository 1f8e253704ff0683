import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, formatDuration, formatPair, formatPercent, plainLabel, roundDecimal, type Units } from './format';

interface Vector {
  fn: 'bytes' | 'pair' | 'duration' | 'percent';
  args: unknown[];
  out?: string;
  error?: string;
  why?: string;
}

const { vectors } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'format', 'vectors.json'), 'utf8')) as { vectors: Vector[] };

/** JSON has no NaN or infinities: the vectors spell them as strings. */
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const arg = (x: unknown): unknown => (typeof x === 'string' && x in SPECIAL ? SPECIAL[x] : x);

/** The formatter a vector names, called with its arguments as given (bad ones included). */
function call(v: Vector): string {
  const a = v.args.map(arg) as [number, ...unknown[]];
  switch (v.fn) {
    case 'bytes':
      return formatBytes(a[0], a[1] as Units | undefined, a[2] as boolean | undefined);
    case 'pair':
      return formatPair(a[0], a[1] as number, a[2] as Units | undefined);
    case 'duration':
      return formatDuration(a[0]);
    case 'percent':
      return formatPercent(a[0]);
  }
}

describe('format (shared vectors, run by the Python client too)', () => {
  it('has vectors for every formatter', () => {
    for (const fn of ['bytes', 'pair', 'duration', 'percent']) assert.ok(vectors.filter((v) => v.fn === fn).length >= 8, fn);
  });

  for (const v of vectors) {
    it(`${v.fn}(${JSON.stringify(v.args).slice(1, -1)}) ${v.error ? `throws (${v.error})` : `is ${JSON.stringify(v.out)}`}`, () => {
      if (v.error) assert.throws(() => call(v), new RegExp(v.error));
      else assert.equal(call(v), v.out, v.why);
    });
  }
});

describe('format', () => {
  it('rounds the shortest decimal form half away from zero, where toFixed rounds the double', () => {
    assert.equal((1.005).toFixed(2), '1.00', 'the premise: 1.005 is stored as 1.00499...');
    assert.equal(roundDecimal(1.005, 2), '101');
    assert.equal(roundDecimal(0.125, 2), '13');
    assert.equal(roundDecimal(2.5, 0), '3');
    assert.equal(roundDecimal(9.995, 2), '1000');
    assert.equal(roundDecimal(1e-7, 3), '0');
    assert.equal(roundDecimal(5e-4, 3), '1');
    assert.equal(roundDecimal(1.5e21, 0), '1500000000000000000000');
    assert.throws(() => roundDecimal(-1, 0), /finite number >= 0/);
    assert.throws(() => roundDecimal(NaN, 0), /finite number >= 0/);
  });

  it('defuses untrusted labels: control characters, codicons, length', () => {
    assert.equal(plainLabel('a\nb\tc'), 'a b c');
    assert.equal(plainLabel('$(alert) hi'), '$\u200b(alert) hi');
    assert.equal(plainLabel('x'.repeat(100), 10), 'xxxxxxxxx…');
    assert.equal(plainLabel('[x](command:workbench.action.terminal.new)'), '[x]\u200b(command:workbench.action.terminal.new)');
    assert.equal(plainLabel('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup stays text; the UI sets it as text');
  });
});
