import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Monitor } from '../../../src/engine/monitor';
import { loadIntoStore } from '../../../src/engine/recording/loadRecording';
import { readRecording } from '../../../src/engine/recording/recordingReader';
import { SeriesName } from '../../../src/engine/store/memoryStore';
import { Allocator, MiB, sleep } from './allocator';

describe('Monitor (real process, real recording)', function () {
  this.timeout(30_000);

  it('samples a growing process into the store and a recording that loads back the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-mon-'));
    const a = new Allocator();
    await a.send('free');
    const gpu = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi', 'stand-in-nvidia-smi.sh');
    const m = new Monitor(a.pid, { intervalMs: 50, recordingPath: join(dir, 'rec.ndjson'), gpuCommand: gpu, pss: 'off' });
    const ticks: number[] = [];
    m.onTick((t) => ticks.push(t.tree.rss));
    try {
      m.start();
      await sleep(200);
      await a.send('alloc 200');
      await sleep(300);
      await a.close();
      await sleep(200);
      assert.equal(m.last?.tree.rootAlive, false);
    } finally {
      m.stop();
    }
    assert.ok(Math.max(...ticks) - ticks[0] > 180 * MiB);
    assert.ok((m.store.get(SeriesName.treeRss)?.min ?? 0) > 0, 'no zero sample after the process ended');
    assert.equal(readRecording(join(dir, 'rec.ndjson')).records.filter((r) => r.type === 'exit').length, 1);
    const rss = m.store.get(SeriesName.treeRss);
    assert.ok(rss && rss.count >= 10);
    assert.ok(m.store.get(SeriesName.sysUsed));
    assert.ok(m.store.get(SeriesName.gpuUsed(0)), 'GPU series from the stand-in nvidia-smi');
    const rec = readRecording(join(dir, 'rec.ndjson'));
    assert.equal(rec.header?.rootPid, a.pid);
    const loaded = loadIntoStore(rec.records);
    assert.equal(loaded.get(SeriesName.treeRss)?.count, rss.count);
    assert.equal(loaded.get(SeriesName.treeRss)?.max, rss.max);
    rmSync(dir, { recursive: true, force: true });
  });
});
