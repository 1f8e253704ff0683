// One case of the long-recording benchmark, in a process of its own so its memory is its own:
// prints one JSON line {ms, maxRssMB, heapMB, ...}. Cases:
//   index  PATH   the run opened as the editor and `headroom report` open it (openRun)
//   before PATH   the loader this replaced: each part read whole, its records held, then folded
//   live   HOURS  a simulated live run fed as fast as it goes into one session's store and ingest
import { objectBatch } from '../src/engine/protocol/recordBatch';
import { loadIntoStoreAsync, ingestAsync } from '../src/engine/recording/loadRecordingAsync';
import { openRun } from '../src/engine/recording/openRun';
import { readRecordingAsync } from '../src/engine/recording/recordingReader';
import { findRunFiles } from '../src/engine/recording/runParts';
import { RecordIngest } from '../src/engine/session/recordIngest';
import { MemoryStore, SeriesName } from '../src/engine/store/memoryStore';

const MB = 1024 * 1024;
const gcNow = (): void => (globalThis as { gc?: () => void }).gc?.();
/** The JS heap plus the typed arrays outside it (the store's columns live there). */
const heapMB = (): number => {
  gcNow();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external) / MB;
};

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  const t0 = performance.now();
  if (mode === 'index') {
    const run = await openRun(arg);
    const ms = performance.now() - t0;
    out({ ms, peak: run.store.get(SeriesName.treeRss)?.max, rows: run.ingest.all().length, heapMB: heapMB(), keep: run.store.names().length });
  } else if (mode === 'before') {
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    for (const p of findRunFiles(arg).parts) {
      if (!p.path) continue;
      const read = await readRecordingAsync(p.path);
      await loadIntoStoreAsync(read.records, store);
      await ingestAsync(read.records, (b) => ingest.addBatch(b));
    }
    const ms = performance.now() - t0;
    out({ ms, peak: store.get(SeriesName.treeRss)?.max, rows: ingest.all().length, heapMB: heapMB(), keep: store.names().length });
  } else if (mode === 'live') {
    const hours = Number(arg);
    const store = new MemoryStore();
    const ingest = new RecordIngest(store);
    const heapAt: Record<string, number> = {};
    const start = Date.UTC(2026, 10, 30);
    let seq = 0;
    for (let i = 0; i < hours * 36_000; i++) {
      const t = start + i * 100;
      const processes = Array.from({ length: 9 }, (_, p) => ({ pid: 100 + p, ppid: p ? 100 : 1, rss: 3e8 + ((i * 31 + p) % 1000) * 4096, vms: 0, shared: 0, name: 'w' }));
      store.addTreeSample({ t, rootPid: 100, rootAlive: true, rss: 3e9 + (i % 5000) * 4096, vms: 9e9, processes });
      store.addSystemSample({ t, used: 4e10, available: 2e11, total: 2.56e11, swapTotal: 0, swapUsed: 0 });
      if (i % 10 === 0) ingest.addBatch(objectBatch([{ type: 'checkpoint', v: 1, t: t / 1000, pid: 100, seq: seq++, label: `step ${seq % 500}`, file: '/p/train.py', line: 40 + (seq % 5), mem: { rss: 3e9 } } as never]));
      if ((i + 1) % (6 * 36_000) === 0) heapAt[`${(i + 1) / 36_000}h`] = Math.round(heapMB());
    }
    out({ ms: performance.now() - t0, heapMB: heapMB(), heapAt, storeMB: store.bytes / MB });
  } else throw new Error(`unknown case ${mode}`);
}

function out(o: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ ...o, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

void main();
