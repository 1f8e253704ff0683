import * as assert from 'node:assert/strict';
import { TOOLBAR_BUTTONS, buttonEnabled, buttonShown, buttonState, buttonTitle, isPressed } from './toolbar';

describe('timeline toolbar', () => {
  it('has one codicon button per action, in groups, and Follow, Relative to start and Steps toggle', () => {
    assert.deepEqual(
      TOOLBAR_BUTTONS.map((b) => `${b.group}/${b.action}${b.toggle ? '*' : ''}: ${b.label}`),
      [
        'view/follow*: Follow live',
        'view/fromZero*: Relative to start',
        'view/steps*: Steps',
        'view/resetZoom: Reset zoom',
        'program/forceCleanup: Force Cleanup',
        'program/compare: Compare…',
        'files/openRecording: Open Recording…',
        'files/exportRecording: Save Recording…',
        'files/exportCsv: Export CSV…',
        'files/exportParquet: Export Parquet…',
        'files/exportPng: Export PNG',
      ],
    );
    assert.equal(new Set(TOOLBAR_BUTTONS.map((b) => b.icon)).size, TOOLBAR_BUTTONS.length, 'no two buttons look alike');
    assert.ok(TOOLBAR_BUTTONS.every((b) => /^[a-z-]+$/.test(b.icon)));
  });

  it('shows the toggles pressed from the state', () => {
    assert.equal(isPressed({ follow: true, fromZero: false }, 'follow'), true);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'follow'), false);
    assert.equal(isPressed({ follow: false, fromZero: true }, 'fromZero'), true);
    assert.equal(isPressed({ follow: true, fromZero: true }, 'resetZoom'), false);
    assert.equal(isPressed({ follow: true, fromZero: true }, 'steps'), false);
    assert.equal(isPressed({ follow: true, fromZero: true, steps: true }, 'steps'), true);
  });

  it('disables following and cleanup on an ended run or a recording, and says why', () => {
    assert.deepEqual(TOOLBAR_BUTTONS.filter((b) => !buttonEnabled(b.action, false)).map((b) => b.action), ['follow', 'forceCleanup']);
    assert.deepEqual(TOOLBAR_BUTTONS.filter((b) => !buttonEnabled(b.action, true)).map((b) => b.action), []);
    const cleanup = TOOLBAR_BUTTONS.find((b) => b.action === 'forceCleanup')!;
    assert.match(buttonTitle(cleanup, false), /^Force Cleanup: .* \(needs a running program\)$/);
  });

  it('shows Steps only for a run with steps; disabled, it says why', () => {
    const steps = TOOLBAR_BUTTONS.find((b) => b.action === 'steps')!;
    const follow = TOOLBAR_BUTTONS.find((b) => b.action === 'follow')!;
    assert.equal(buttonShown(steps, { name: 'a', live: true, stepsWhy: 'none' }), false, 'no steps: no button');
    assert.equal(buttonShown(steps, { name: 'a', live: true }), true);
    assert.equal(buttonShown(follow, { name: 'a', live: true, stepsWhy: 'none' }), true, 'the other buttons stay');
    assert.deepEqual(buttonState(steps, { name: 'a', live: false }), { enabled: true }, 'a recording has its steps');
    const why = 'the compared recording has no training steps to line it up by';
    const state = buttonState(steps, { name: 'a', live: true, stepsWhy: why });
    assert.deepEqual(state, { enabled: false, why });
    assert.equal(buttonTitle(steps, state.enabled, state.why), `Steps: ${steps.tip} (${why})`);
    assert.deepEqual(buttonState(follow, { name: 'a', live: false }), { enabled: false });
  });

  it('titles every button with its name and what it does', () => {
    for (const b of TOOLBAR_BUTTONS) {
      assert.ok(b.tip.length > 15 && b.tip !== b.label, `${b.action} has a tooltip of its own`);
      assert.equal(buttonTitle(b, true), `${b.label}: ${b.tip}`);
    }
  });
});
