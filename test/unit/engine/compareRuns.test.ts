import * as assert from 'node:assert/strict';
import { commonLabels, compareLocations, firstHitOf } from '../../../src/engine/session/compareRuns';
import { RecordIngest } from '../../../src/engine/session/recordIngest';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import type { ProtocolRecord } from '../../../src/shared/protocol';

const MB = 2 ** 20;

/** A run as the listener would see it: checkpoints at (seconds, line, label, RSS MB). */
function run(points: [number, number, string, number][]): RecordIngest {
  const ing = new RecordIngest(new MemoryStore());
  points.forEach(([t, line, label, rss], seq) =>
    ing.add({ v: 1, type: 'checkpoint', t, pid: 1, seq, file: '/w/train.py', line, label, mem: { rss: rss * MB } } as ProtocolRecord),
  );
  return ing;
}

describe('comparing two runs', () => {
  const a = run([[100, 3, 'start', 100], [101, 8, 'loaded', 300], [102, 12, 'trained', 500]]);
  // B: the same program under another config, started later, loading half as much; it never trained.
  const b = run([[500, 3, 'start', 100], [504, 8, 'loaded', 200], [505, 20, 'exported', 260]]);

  it('matches checkpoints by label and gives B minus A', () => {
    const rows = compareLocations(a.all(), b.all());
    const loaded = rows.find((r) => r.key === 'loaded');
    assert.equal(loaded?.a?.sinceStart, 200 * MB);
    assert.equal(loaded?.b?.sinceStart, 100 * MB);
    assert.equal(loaded?.sinceStartDiff, -100 * MB);
    assert.equal(loaded?.peakDiff, -100 * MB);
    assert.deepEqual(rows.map((r) => r.key), ['start', 'loaded', 'trained', 'exported'], "A's order, then B's extra ones");
    const trained = rows.find((r) => r.key === 'trained');
    assert.ok(trained?.a && !trained.b && trained.sinceStartDiff === undefined, 'a checkpoint only A reached has no difference');
  });

  it('aligns at a checkpoint both runs reached', () => {
    assert.deepEqual(commonLabels(a.all(), b.all()), ['start', 'loaded']);
    const storeOf = (ing: RecordIngest) => (ing as unknown as { store: MemoryStore }).store;
    const ta = firstHitOf(storeOf(a).events, 'loaded');
    const tb = firstHitOf(storeOf(b).events, 'loaded');
    assert.deepEqual([ta, tb], [101_000, 504_000]);
    assert.equal(firstHitOf(storeOf(a).events, 'exported'), undefined);
  });
});
