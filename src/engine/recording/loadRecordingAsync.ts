import { setImmediate as nextTurn } from 'node:timers/promises';
import { objectBatch } from '../protocol/recordBatch';
import { RecordIngest } from '../session/recordIngest';
import { MemoryStore } from '../store/memoryStore';
import type { AnyRecord } from './format';
import { loadIntoStore, protocolRecords, type LoadedRun } from './loadRecording';
import { readRecordingAsync, type ReadResult } from './recordingReader';

/** Records folded per turn: a few milliseconds of work before other events get the thread. */
const SLICE = 20_000;

/** Fills `store` from recording records a slice per turn. */
export async function loadIntoStoreAsync(records: readonly AnyRecord[], store: MemoryStore): Promise<void> {
  for (let i = 0; i < records.length; i += SLICE) {
    loadIntoStore(records.slice(i, i + SLICE), store);
    await nextTurn();
  }
}

/** Feeds a recording's protocol records to `add` (one batch per slice), a slice per turn. */
export async function ingestAsync(records: readonly AnyRecord[], add: (batch: ReturnType<typeof objectBatch>) => void): Promise<void> {
  const proto = protocolRecords(records);
  for (let i = 0; i < proto.length; i += SLICE) {
    add(objectBatch(proto.slice(i, i + SLICE)));
    await nextTurn();
  }
}

/** `loadRun` without blocking the thread: the extension opens recordings with it. */
export async function loadRunAsync(path: string): Promise<LoadedRun & { read: ReadResult }> {
  const read = await readRecordingAsync(path);
  const store = new MemoryStore();
  await loadIntoStoreAsync(read.records, store);
  const ingest = new RecordIngest(store);
  await ingestAsync(read.records, (b) => ingest.addBatch(b));
  return { store, ingest, header: read.header, errorCount: read.errorCount, read };
}
