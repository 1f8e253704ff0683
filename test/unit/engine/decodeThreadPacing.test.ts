import * as assert from 'node:assert/strict';
import { DecodeThread } from '../../../src/engine/protocol/decodeThread';
import { recordsOf } from '../../../src/engine/protocol/recordBatch';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the host's thread doing something else */
  }
};

describe('decode thread: a backlog of batches does not hold the host thread', () => {
  it('folds a burst of the worker\'s batches a slice at a time, timers running between, every record in order', async () => {
    const delivered: number[] = [];
    const perTurn: number[] = [0];
    let ended = false;
    const t = new DecodeThread({
      batch: (_id, b) => {
        for (const r of recordsOf(b)) delivered.push(r.seq);
        perTurn[perTurn.length - 1]++;
        busy(5); // folding a batch costs something
      },
      ended: () => (ended = true),
      lost: (why) => assert.fail(why),
    });
    assert.equal(await t.start(), true, 'the worker started');
    const tick = setInterval(() => perTurn.push(0), 1);
    try {
      t.open(1, 4242);
      let seq = 0;
      for (let c = 0; c < 20; c++) {
        let s = '';
        for (let i = 0; i < 50; i++) s += `{"v":1,"type":"checkpoint","t":1764000000.5,"pid":4242,"seq":${seq++},"mem":{"rss":1048576}}\n`;
        t.push(1, Buffer.from(s));
      }
      t.end(1);
      // The worker answers every chunk while this thread is busy: the answers wait on the port together.
      busy(600);
      const deadline = Date.now() + 10_000;
      while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    } finally {
      clearInterval(tick);
      t.dispose();
    }
    assert.ok(ended, 'the connection ended after its batches');
    assert.deepEqual(delivered, Array.from({ length: 1000 }, (_, i) => i), 'every record, in order');
    // 5 ms a batch against an 8 ms slice: two batches a turn; all twenty at once was the stall.
    assert.ok(Math.max(...perTurn) <= 3, `batches folded between two timer turns: ${perTurn.filter((n) => n).join(' ')}`);
    assert.equal(t.pending(1), 0);
  });
});
