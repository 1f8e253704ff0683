import * as assert from 'node:assert/strict';
import { RecordIngest } from '../../engine/session/recordIngest';
import { MemoryStore } from '../../engine/store/memoryStore';
import type { ProtocolRecord } from '../../shared/protocol';
import { hoverTable, lensTitle, rankTable } from './lensText';

const MB = 1e6;
const hello = (pid: number, rank: number): ProtocolRecord => ({ v: 1, type: 'hello', t: 1, pid, seq: 0, token: 't', rank, world_size: 3 });
const cp = (pid: number, t: number, line: number, rss: number, label = 'after forward'): ProtocolRecord => ({ v: 1, type: 'checkpoint', t, pid, seq: t, file: '/w/train.py', line, label, mem: { rss } });

describe('CodeLens text', () => {
  it('a single process: its delta since the previous checkpoint, RSS, since start and hits', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(cp(7, 1, 3, 1000 * MB, 'start'));
    ing.add(cp(7, 2, 9, 2200 * MB));
    assert.equal(lensTitle(ing.at('/w/train.py', 9)!, 'GB'), 'after forward: +1.20 GB since previous | RSS 2.20 GB | +1.20 GB since start | 1 hit');
    assert.equal(rankTable(ing.at('/w/train.py', 9)!, 'GB'), undefined);
  });

  it('a first reading shows the RSS it found, never "0 B" that reads as empty memory', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add(cp(7, 1, 3, 512 * MB, 'start'));
    const title = lensTitle(ing.at('/w/train.py', 3)!, 'GB');
    assert.equal(title, 'start: RSS 512 MB | 1 hit');
    assert.doesNotMatch(title, /\b0 B\b/);
  });

  it('a block that climbed and came back down shows its peak inside as a delta', () => {
    const ing = new RecordIngest(new MemoryStore());
    ing.add({ v: 1, type: 'region_start', t: 1, pid: 7, seq: 1, id: 1, file: '/w/train.py', line: 20, label: 'load', mem: { rss: 1000 * MB } });
    ing.add({ v: 1, type: 'region_end', t: 2, pid: 7, seq: 2, id: 1, file: '/w/train.py', line: 20, label: 'load', mem: { rss: 1000 * MB }, duration: 1, peak: { rss: 1315 * MB } });
    assert.equal(lensTitle(ing.at('/w/train.py', 20)!, 'GB'), 'load: 0 B kept by block, peak +315 MB inside | RSS 1.00 GB | 1 hit');
  });

  it('a call that keeps nothing while RSS rises from call to call says the growth is outside it, at the steady slope', () => {
    const ing = new RecordIngest(new MemoryStore());
    for (let i = 0; i < 6; i++) {
      const rss = (500 + 62.1 * i) * MB;
      ing.add({ v: 1, type: 'call', t: i + 1.5, t0: i + 1, pid: 7, seq: i, file: '/w/train.py', line: 30, func: 'step', mem0: { rss }, mem: { rss } });
    }
    const title = lensTitle(ing.at('/w/train.py', 30)!, 'GB');
    assert.match(title, /^step: 0 B kept per call \| RSS 811 MB \| 6 hits \| rising \+62\.1 MB\/hit outside the call$/);
  });

  it('a checkpoint whose every hit adds the same reports exactly that growth', () => {
    const ing = new RecordIngest(new MemoryStore());
    for (let i = 0; i < 8; i++) ing.add(cp(7, i + 1, 12, (1000 + 64 * i) * MB, 'epoch done'));
    assert.match(lensTitle(ing.at('/w/train.py', 12)!, 'GB'), /\| 8 hits \| rising \+64\.0 MB\/hit$/);
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
    assert.equal(lensTitle(s, 'GB'), 'after forward: max +3.00 GB (rank 2) · min +900 MB (rank 0) since previous | ⚠ rank 2 2.00 GB above the others | RSS 4.00 GB | +3.00 GB since start | 3 hits');
    const table = rankTable(s, 'GB')!.split('\n');
    assert.equal(table.length, 4);
    assert.match(table[0], /rank +pid +RSS +delta +since start +peak +hits/);
    assert.match(table[1], /^ +0 +40 +1\.90 GB +\+900 MB +\+900 MB +1\.90 GB +1$/);
    assert.match(table[3], /^ +2 +42 +4\.00 GB .*⚠ far above the others$/);
    assert.match(hoverTable(s, 'GB').split('\n')[0], /time +pid +RSS +delta +label/);
  });
});
