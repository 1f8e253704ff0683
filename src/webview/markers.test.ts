import * as assert from 'node:assert/strict';
import { checkpointsAsRug, isSpan, markerAt, markerStyle, markerTitle, RUG_SPACING, type MarkerHit } from './markers';

describe('timeline markers', () => {
  it('draws checkpoints orange, cleanups purple, epochs grey and finer', () => {
    assert.deepEqual(markerStyle('checkpoint'), { colour: '--vscode-charts-orange', fallback: '#e80', dash: [4, 3] });
    assert.deepEqual(markerStyle('cleanup'), { colour: '--vscode-charts-purple', fallback: '#a0a', dash: [4, 3] });
    assert.deepEqual(markerStyle('epoch'), { colour: '--vscode-charts-lines', fallback: '#888', dash: [2, 4] });
  });

  it('draws regions and calls with an end as spans, everything else as a line', () => {
    assert.equal(isSpan({ t: 1, tEnd: 2, kind: 'region', label: '' }), true);
    assert.equal(isSpan({ t: 1, tEnd: 2, kind: 'call', label: '' }), true);
    assert.equal(isSpan({ t: 1, kind: 'region', label: '' }), false);
    assert.equal(isSpan({ t: 1, tEnd: 2, kind: 'checkpoint', label: '' }), false);
  });

  it('finds the marker under the pointer; a click needs a source location', () => {
    const hits: MarkerHit[] = [
      { x0: 96, x1: 104, e: { t: 1, kind: 'epoch', label: 'epoch 1' } },
      { x0: 100, x1: 108, e: { t: 2, kind: 'checkpoint', label: 'loaded', file: '/w/prog.py', line: 12 } },
    ];
    assert.equal(markerAt(hits, 95), undefined);
    assert.equal(markerAt(hits, 100)?.e.label, 'epoch 1');
    assert.equal(markerAt(hits, 100, true)?.e.label, 'loaded');
    assert.equal(markerAt(hits, 108)?.e.label, 'loaded');
    assert.equal(markerAt(hits, 97, true), undefined);
  });

  it('draws checkpoints as full-height lines while they are sparse, as a rug at the foot once a loop packs them', () => {
    assert.equal(checkpointsAsRug(0, 800), false);
    assert.equal(checkpointsAsRug(1, 10), false, 'one marker is a line however narrow the plot');
    assert.equal(checkpointsAsRug(5, 800), false, 'the five checkpoints of a script');
    assert.equal(checkpointsAsRug(800 / RUG_SPACING, 800), false);
    assert.equal(checkpointsAsRug(800 / RUG_SPACING + 1, 800), true);
    assert.equal(checkpointsAsRug(50, 950), true, 'a loop reporting every 100 ms, thinned to 50 markers');
    assert.equal(checkpointsAsRug(14, 950), false, 'allocate_steps.py over 7 s');
  });

  it('titles a marker with its kind, label and file name', () => {
    assert.equal(markerTitle({ t: 1, kind: 'checkpoint', label: 'loaded', file: '/w/src/prog.py', line: 12 }), 'checkpoint: loaded (click: prog.py:12)');
    assert.equal(markerTitle({ t: 1, kind: 'checkpoint', label: 'x', file: 'C:\\w\\prog.py', line: 3 }), 'checkpoint: x (click: prog.py:3)');
    assert.equal(markerTitle({ t: 1, kind: 'epoch', label: 'epoch 2' }), 'epoch: epoch 2');
  });
});
