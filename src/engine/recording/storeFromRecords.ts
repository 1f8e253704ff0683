// Recording records into a store: the one place that says which series a sample, GPU, guard
// or end record feeds (a full load, the index's block summaries and the live path agree).
import type { ProtocolRecord } from '../../shared/protocol';
import type { TreeSample } from '../sampling/types';
import { MemoryStore } from '../store/memoryStore';
import { addPressure } from '../store/pressureSeries';
import { SeriesName } from '../store/seriesName';
import { addGapEvent } from './gapRecord';
import type { AnyRecord, EndRecord, GpuRecord, GuardRecord, SampleRecord } from './format';

export const RECORDING_TYPES = new Set(['sample', 'gpu', 'exit', 'recording', 'end', 'guard', 'detach', 'gap']);

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
          vms: s.vms ?? NaN,
          pss: s.pss ?? undefined,
          uss: s.uss ?? undefined,
          processes: (s.procs ?? []).map(([pid, ppid, rss, pss, name]) => ({ pid, ppid, rss, vms: 0, shared: 0, pss: pss ?? undefined, name })),
        };
        store.addTreeSample(tree);
        if (s.sys) store.addSystemSample({ t: s.t, ...s.sys, swapTotal: 0, swapUsed: 0, cgroupLimit: s.cg?.limit, cgroupUsage: s.cg?.usage });
        if (s.psi || s.cgpsi) addPressure(store, { t: s.t, psi: s.psi && { some: s.psi[0] ?? undefined, full: s.psi[1] ?? undefined }, cgroupPsi: s.cgpsi && { some: s.cgpsi[0] ?? undefined, full: s.cgpsi[1] ?? undefined } });
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
      case 'guard': {
        const g = r as unknown as GuardRecord;
        store.events.add({ t: g.t, kind: 'alert', label: g.text, pid: g.pids?.[0], data: { ...g, alert: 'guard' } });
        break;
      }
      case 'end': {
        const e = (r as unknown as EndRecord).explanation;
        if (e && e.kind !== 'none') store.events.add({ t: e.t, kind: 'alert', label: e.text, data: { alert: e.kind, explanation: e } });
        break;
      }
      case 'gap':
        addGapEvent(store, r); // a window reload: a marked span, no line across it
        break;
      default:
        break; // protocol records are turned into events by the protocol layer
    }
  }
  return store;
}

