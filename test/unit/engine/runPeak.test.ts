import * as assert from 'node:assert/strict';
import { RecordIngest } from '../../../src/engine/session/recordIngest';
import { runPeakRss } from '../../../src/engine/session/runPeak';
import { MemoryStore } from '../../../src/engine/store/memoryStore';
import { SeriesName } from '../../../src/engine/store/seriesName';

const MB = 1e6;

describe("the run's peak RSS", () => {
  it('is the sampled maximum when the program reported nothing higher', () => {
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    for (const [t, v] of [[1, 100], [2, 300], [3, 200]]) store.append(SeriesName.treeRss, t, v * MB);
    ingest.add({ v: 1, type: 'checkpoint', t: 2, pid: 7, seq: 1, file: '/w/a.py', line: 3, mem: { rss: 250 * MB } });
    assert.equal(runPeakRss(store, ingest), 300 * MB);
  });

  it('takes what the program reported when the sampler missed it (a spike inside a block, between samples)', () => {
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    store.append(SeriesName.treeRss, 1, 80 * MB);
    ingest.add({ v: 1, type: 'region_start', t: 1, pid: 7, seq: 1, id: 1, file: '/w/a.py', line: 5, label: 'load', mem: { rss: 80 * MB } });
    ingest.add({ v: 1, type: 'region_end', t: 2, pid: 7, seq: 2, id: 1, file: '/w/a.py', line: 5, label: 'load', mem: { rss: 81 * MB }, duration: 1, peak: { rss: 573 * MB } });
    assert.equal(runPeakRss(store, ingest), 573 * MB);
  });

  it('is undefined with nothing at all', () => {
    const store = new MemoryStore();
    assert.equal(runPeakRss(store, new RecordIngest(store)), undefined);
  });
});
