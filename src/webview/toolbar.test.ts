import * as assert from 'node:assert/strict';
import { TOOLBAR_BUTTONS, buttonEnabled, isPressed } from './toolbar';

describe('timeline toolbar', () => {
  it('has one button per action, in the order shown, and Follow and Relative to start toggle', () => {
    assert.deepEqual(
      TOOLBAR_BUTTONS.map((b) => `${b.action}${b.toggle ? '*' : ''}: ${b.label}`),
      ['follow*: Follow live', 'fromZero*: Relative to start', 'resetZoom: Reset zoom', 'forceCleanup: Force Cleanup', 'exportCsv: Export CSV', 'exportRecording: Save Recording', 'openRecording: Open Recording', 'compare: Compare…', 'exportPng: Export PNG'],
    );
  });

  it('shows the toggles pressed from the state', () => {
    assert.equal(isPressed({ follow: true, fromZero: false }, 'follow'), true);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'follow'), false);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'fromZero'), true);
    assert.equal(isPressed({ follow: true, fromZero: true }, 'resetZoom'), false);
  });

  it('disables following and cleanup on an ended run or a recording, and says what every button does', () => {
    assert.deepEqual(TOOLBAR_BUTTONS.filter((b) => !buttonEnabled(b.action, false)).map((b) => b.action), ['follow', 'forceCleanup']);
    assert.deepEqual(TOOLBAR_BUTTONS.filter((b) => !buttonEnabled(b.action, true)).map((b) => b.action), []);
    for (const b of TOOLBAR_BUTTONS) assert.ok(b.tip.length > 15 && b.tip !== b.label, `${b.action} has a tooltip of its own`);
  });
});
