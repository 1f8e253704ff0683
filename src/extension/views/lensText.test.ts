import * as assert from 'node:assert/strict';
import { RecordIngest } from '../../engine/session/recordIngest';
import { MemoryStore } from '../../engine/store/memoryStore';
import type { ProtocolRecord } from '../../shared/protocol';
import { hoverTable, lensTitle, rankTable } from './lensText';

const MB = 1e6;
const hello = (pid: number, rank: number): ProtocolRecord => ({ v: 1, type: 'hello', t: 1, pid, seq: 0, token: 't', rank, world_size: 3 });
const cp = (pid: number, t: number, line: number, rss: number, label = 'after forward'): ProtocolRecord => ({ v: 1, type: 'checkpoint', t, pid, seq: t, file: '/w/train.py', line, label, mem: { rss } });

describe('CodeLens text', () => {
  it('a single process: its delta, since start, peak and hits', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(cp(7, 1, 3, 1000 * MB, 'start'));
    ing.add(cp(7, 2, 9, 2200 * MB));
    assert.equal(lensTitle(ing.at('/w/train.py', 9)!, 'GB'), 'after forward: +1.20 GB RSS | +1.20 GB since start | peak 2.20 GB | 1 hit');
    assert.equal(rankTable(ing.at('/w/train.py', 9)!, 'GB'), undefined);
  });

  it('ranks of a launch: the largest and smallest delta with their ranks, the outlier flagged, every rank in the hover', () => {
    const ing = new RecordIngest(new MemoryStore());
    const after = [1900, 2100, 4000];
    for (let r = 0; r < 3; r++) {
      ing.add(hello(40 + r, r));
      ing.add(cp(40 + r, 2, 3, 1000 * MB, 'start'));
      ing.add(cp(40 + r, 3, 9, after[r] * MB));
    }
    const s = ing.at('/w/train.py', 9)!;
    assert.equal(lensTitle(s, 'GB'), 'after forward: +3.00 GB RSS max (rank 2) · min +900 MB (rank 0) | ⚠ rank 2 2.00 GB above the others | +3.00 GB since start | peak 4.00 GB | 3 hits');
    const table = rankTable(s, 'GB')!.split('\n');
    assert.equal(table.length, 4);
    assert.match(table[0], /rank +pid +RSS +delta +since start +peak +hits/);
    assert.match(table[1], /^ +0 +40 +1\.90 GB +\+900 MB +\+900 MB +1\.90 GB +1$/);
    assert.match(table[3], /^ +2 +42 +4\.00 GB .*⚠ far above the others$/);
    assert.match(hoverTable(s, 'GB').split('\n')[0], /time +pid +RSS +delta +label/);
  });
});
