import * as assert from 'node:assert/strict';
import { TOOLBAR_BUTTONS, isPressed } from './toolbar';

describe('timeline toolbar', () => {
  it('has one button per action, in the order shown, and Follow and From zero toggle', () => {
    assert.deepEqual(
      TOOLBAR_BUTTONS.map((b) => `${b.action}${b.toggle ? '*' : ''}: ${b.label}`),
      ['follow*: Follow live', 'fromZero*: From zero', 'resetZoom: Reset zoom', 'forceCleanup: Force Cleanup', 'exportCsv: Export CSV', 'exportRecording: Save Recording', 'openRecording: Open Recording', 'compare: Compare…', 'exportPng: Export PNG'],
    );
  });

  it('shows the toggles pressed from the state', () => {
    assert.equal(isPressed({ follow: true, fromZero: false }, 'follow'), true);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'follow'), false);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'fromZero'), true);
    assert.equal(isPressed({ follow: true, fromZero: true }, 'resetZoom'), false);
  });
});
