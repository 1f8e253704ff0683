import * as assert from 'node:assert/strict';
import { rankSpread } from '../../../src/engine/session/rankFigures';
import { RecordIngest } from '../../../src/engine/session/recordIngest';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import type { ProtocolRecord } from '../../../src/shared/protocol';

const MB = 2 ** 20;
const hello = (pid: number, rank: number, world = 4): ProtocolRecord => ({ v: 1, type: 'hello', t: 1, pid, seq: 0, token: 't', rank, world_size: world });
const cp = (pid: number, t: number, line: number, rss: number): ProtocolRecord => ({ v: 1, type: 'checkpoint', t, pid, seq: t, file: '/w/train.py', line, label: `line ${line}`, mem: { rss } });

describe('per-rank figures of a distributed launch', () => {
  it('keeps each rank apart at a location and finds the largest and smallest delta', () => {
    const ing = new RecordIngest(new MemoryStore());
    // Four ranks start at 1000 MB; at line 20 each grows by a different amount.
    const grow = [900, 1100, 1000, 1200];
    for (let r = 0; r < 4; r++) {
      ing.add(hello(100 + r, r));
      ing.add(cp(100 + r, 2, 10, 1000 * MB));
      ing.add(cp(100 + r, 3, 20, (1000 + grow[r]) * MB));
    }
    const s = ing.at('/w/train.py', 20)!;
    assert.equal(s.hits, 4);
    const spread = rankSpread(s)!;
    assert.deepEqual(spread.ranks.map((f) => [f.rank, f.pid, f.hits, f.lastDelta / MB]), [[0, 100, 1, 900], [1, 101, 1, 1100], [2, 102, 1, 1000], [3, 103, 1, 1200]]);
    assert.deepEqual([spread.max.rank, spread.max.lastDelta / MB, spread.min.rank, spread.min.lastDelta / MB], [3, 1200, 0, 900]);
    // 2200 MB against a median of 2100 MB: 100 MB above, under 15%: not an outlier.
    assert.equal(spread.outlier, undefined);
    assert.deepEqual([...ing.ranks()], [[100, 0], [101, 1], [102, 2], [103, 3]]);
  });

  it('flags one rank far above the others', () => {
    const ing = new RecordIngest(new MemoryStore());
    for (let r = 0; r < 4; r++) {
      ing.add(hello(200 + r, r));
      ing.add(cp(200 + r, 2, 30, (r === 2 ? 3000 : 1000) * MB));
    }
    assert.deepEqual(rankSpread(ing.at('/w/train.py', 30)!)?.outlier, { rank: 2, above: 2000 * MB });
  });

  it('keeps no per-rank figures for programs that are not ranks (no hello rank, or a world of one)', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(hello(300, 0, 1));
    ing.add(cp(300, 2, 5, 100 * MB));
    ing.add(cp(301, 2, 5, 100 * MB));
    assert.equal(ing.at('/w/train.py', 5)?.ranks, undefined);
    assert.equal(rankSpread(ing.at('/w/train.py', 5)!), undefined);
    assert.equal(ing.ranks().size, 0);
  });
});
