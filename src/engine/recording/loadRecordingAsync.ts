import { setImmediate as nextTurn } from 'node:timers/promises';
import { objectBatch } from '../protocol/recordBatch';
import { type MemoryStore } from '../store/memoryStore';
import type { AnyRecord } from './format';
import { loadIntoStore, protocolRecords } from './loadRecording';

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
