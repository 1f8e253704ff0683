import type { EndExplanation } from '../oom/endExplanation';
import { RecordIngest } from '../session/recordIngest';
import type { MemoryStore } from '../store/memoryStore';
import type { EndRecord } from './format';
import { readRecording, type ReadResult } from './recordingReader';
import { loadIntoStore, protocolRecords } from './storeFromRecords';

export { loadIntoStore, protocolRecords } from './storeFromRecords';

/** A recording read back as a run: its series, events and per-location statistics. */
export interface LoadedRun {
  readonly store: MemoryStore;
  readonly ingest: RecordIngest;
  readonly header: ReadResult['header'];
  readonly errorCount: number;
  /** How the run ended, as explained when it did (the recording's `end` record). */
  readonly end?: EndExplanation;
}

export function loadRun(path: string): LoadedRun {
  const r = readRecording(path);
  const store = loadIntoStore(r.records);
  const ingest = new RecordIngest(store);
  for (const rec of protocolRecords(r.records)) ingest.add(rec);
  let end: EndExplanation | undefined;
  for (const x of r.records) if (x.type === 'end') end = (x as unknown as EndRecord).explanation ?? end;
  return { store, ingest, header: r.header, errorCount: r.errorCount, end };
}
