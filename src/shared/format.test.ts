import * as assert from 'node:assert/strict';
import { formatBytes, formatPair, plainLabel } from './format';

describe('format', () => {
  it('formats bytes in GB and GiB, signed when asked', () => {
    assert.equal(formatBytes(1.2e9), '1.20 GB');
    assert.equal(formatBytes(800e6, 'GB', true), '+800 MB');
    assert.equal(formatBytes(-35.2e6), '-35.2 MB');
    assert.equal(formatBytes(2 ** 30, 'GiB'), '1.00 GiB');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(NaN), '?');
  });

  it('formats a used/total pair in one unit', () => {
    assert.equal(formatPair(11.8e9, 80e9), '11.8/80 GB');
    assert.equal(formatPair(3.2e9, 24e9), '3.2/24 GB');
  });

  it('defuses untrusted labels: control characters, codicons, length', () => {
    assert.equal(plainLabel('a\nb\tc'), 'a b c');
    assert.equal(plainLabel('$(alert) hi'), '$\u200b(alert) hi');
    assert.equal(plainLabel('x'.repeat(100), 10), 'xxxxxxxxx…');
    assert.equal(plainLabel('[x](command:workbench.action.terminal.new)'), '[x]\u200b(command:workbench.action.terminal.new)');
    assert.equal(plainLabel('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup stays text; the UI sets it as text');
  });
});
