import type { ProtocolRecord } from '../../shared/protocol';
import type { TreeSample } from '../sampling/types';
import { RecordIngest } from '../session/recordIngest';
import { MemoryStore } from '../store/memoryStore';
import { SeriesName } from '../store/seriesName';
import type { AnyRecord, GpuRecord, SampleRecord } from './format';
import { readRecording, type ReadResult } from './recordingReader';

const RECORDING_TYPES = new Set(['sample', 'gpu', 'exit', 'recording']);

/** The log-protocol records stored in a recording (the program's own lines, not the sampler's). */
export function protocolRecords(records: readonly AnyRecord[]): ProtocolRecord[] {
  return records.filter((r) => !RECORDING_TYPES.has(r.type) && typeof r.pid === 'number') as unknown as ProtocolRecord[];
}

/** Fills a store from recording records: samples into series; GPU lines into GPU series. */
export function loadIntoStore(records: readonly AnyRecord[], store = new MemoryStore()): MemoryStore {
  for (const r of records) {
    switch (r.type) {
      case 'sample': {
        const s = r as unknown as SampleRecord;
        const tree: TreeSample = {
          t: s.t,
          rootPid: s.procs?.[0]?.[0] ?? 0,
          rootAlive: true,
          rss: s.rss,
          vms: s.vms,
          pss: s.pss ?? undefined,
          uss: s.uss ?? undefined,
          processes: (s.procs ?? []).map(([pid, ppid, rss, pss, name]) => ({ pid, ppid, rss, vms: 0, shared: 0, pss: pss ?? undefined, name })),
        };
        store.addTreeSample(tree);
        if (s.sys) store.addSystemSample({ t: s.t, ...s.sys, swapTotal: 0, swapUsed: 0, cgroupLimit: s.cg?.limit, cgroupUsage: s.cg?.usage });
        break;
      }
      case 'gpu': {
        const g = r as unknown as GpuRecord;
        for (const [index, used, , util] of g.devices) {
          if (used !== null) store.append(SeriesName.gpuUsed(index), g.t, used);
          if (util !== null) store.append(SeriesName.gpuUtil(index), g.t, util);
        }
        if (g.tree && Number.isFinite(g.tree.used)) store.append(SeriesName.treeGpu, g.t, g.tree.used);
        break;
      }
      default:
        break; // protocol records are turned into events by the protocol layer
    }
  }
  return store;
}

/** A recording read back as a run: its series, events and per-location statistics. */
export interface LoadedRun {
  readonly store: MemoryStore;
  readonly ingest: RecordIngest;
  readonly header: ReadResult['header'];
  readonly errorCount: number;
}

export function loadRun(path: string): LoadedRun {
  const r = readRecording(path);
  const store = loadIntoStore(r.records);
  const ingest = new RecordIngest(store);
  for (const rec of protocolRecords(r.records)) ingest.add(rec);
  return { store, ingest, header: r.header, errorCount: r.errorCount };
}
