import * as assert from 'node:assert/strict';
import { noCheckpointsText, START_BUTTONS, type Segment } from './emptyState';

const plain = (s: readonly Segment[]) => s.map((x) => (typeof x === 'string' ? x : `\`${x.code}\``)).join('');

describe('empty states', () => {
  it('a program with a client: checkpoints are coming, and how to add them', () => {
    assert.equal(plain(noCheckpointsText('client', true)), 'No checkpoints yet: call `headroom.checkpoint("label")` in your program.');
  });

  it('a process no client speaks for says it will not report, and how it could', () => {
    const live = plain(noCheckpointsText('none', true));
    assert.equal(live, 'This process does not report checkpoints: add `import headroom; headroom.checkpoint("label")` to it, or run it with Headroom.');
    assert.doesNotMatch(live, /yet/);
    assert.match(plain(noCheckpointsText('none', false)), /^This process reported no checkpoints: add `import headroom; headroom\.checkpoint\("label"\)` to it and run it with Headroom\.$/);
  });

  it('a recording has what it has', () => {
    assert.equal(plain(noCheckpointsText('recording', false)), 'This recording has no checkpoints.');
  });

  it('offers the commands under their palette titles', () => {
    assert.deepEqual(
      Object.values(START_BUTTONS).map((b) => b.label),
      ['Run Python File with Headroom', 'Attach to Process...', 'Open Recording...'],
    );
  });
});
