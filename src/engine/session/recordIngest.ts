import type { DeviceMemory, NotebookCell, OomRecord, ProtocolRecord } from '../../shared/protocol';
import type { ClientCuda } from '../gpu/types';
import { Cp, type RecordBatch } from '../protocol/recordBatch';
import { KIND_CODE, type EventIndex } from '../store/eventIndex';
import type { MemoryStore } from '../store/memoryStore';
import { SeriesName } from '../store/seriesName';
import { AllocationSites } from './allocations';
import { CellRuns, labelOf } from './cellRuns';
import { cudaReserved, DeviceSeries } from './deviceSeries';
import { LocationTable, type LocationStats } from './locationStats';
import { ProcessTable, type ProcState } from './processState';

// Re-exported: these lived here, and the extension, the CLI and the tests import them from here.
export { HitRing, type Hit } from './hitRing';
export { growth, growthOf, recentHits, type LocationStats } from './locationStats';

const CHECKPOINT = KIND_CODE.checkpoint;

/** The newest checkpoint, kept up to date without an object per record. */
export interface LastCheckpoint {
  t: number;
  pid: number;
  file?: string;
  line?: number;
  label?: string;
}

/** A region's or call's hit: one object per record, as these are rare next to checkpoints. */
interface Span {
  readonly kind: 'region' | 'call';
  /** Start and end, ms. */
  readonly t: number;
  readonly tEnd: number;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly label: string | undefined;
  readonly pid: number;
  /** RSS at the end, its change inside the block, and the highest RSS seen in it. */
  readonly rss: number;
  readonly delta: number;
  readonly peak: number;
  /** Change of CUDA reserved memory inside the block; undefined without CUDA. */
  readonly cudaDelta: number | undefined;
  readonly error: string | undefined;
  /** The notebook cell a region is the run of. */
  readonly cell?: NotebookCell;
}

/**
 * Turns protocol records into store events, device series, and per-location statistics.
 * Pure (no I/O): the extension, the CLI and recordings all feed it. A checkpoint keeps no
 * object alive: its event goes into the index's columns and its hit into the location's ring.
 */
export class RecordIngest {
  private readonly locations = new LocationTable();
  private readonly procs = new ProcessTable();
  private readonly devices: DeviceSeries;
  private readonly events: EventIndex;
  /** Notebook cell runs (regions that carry `cell`), and which run a checkpoint was in. */
  readonly cells = new CellRuns();
  /** The newest allocation sites and live tensors each process sent (`allocations` records). */
  readonly allocations = new AllocationSites();
  /** Records taken in, including those that failed. */
  records = 0;
  /** Records `addBatch` could not ingest, and the first one's reason. */
  failed = 0;
  /** Why the first record that failed did. */
  lastFailure: string | undefined;
  private readonly last: LastCheckpoint = { t: NaN, pid: 0 };
  /** The newest out-of-memory error a client reported (PyTorch, MLX, Python), for the end's explanation. */
  lastOom: OomRecord | undefined;

  constructor(private readonly store: MemoryStore) {
    this.events = store.events;
    this.devices = new DeviceSeries(store);
  }

  /** The newest checkpoint (`t` in milliseconds). */
  get lastCheckpoint(): Readonly<LastCheckpoint> | undefined {
    return Number.isNaN(this.last.t) ? undefined : { ...this.last };
  }

  /** The rank of each process that reported as one of a distributed launch, by pid. */
  ranks(): Map<number, number> {
    return this.procs.ranks();
  }

  /** The LOCAL_RANK and host each rank reported, by pid. */
  rankPlaces(): Map<number, { readonly localRank?: number; readonly host?: string }> {
    return this.procs.rankPlaces();
  }

  /** The newest CUDA figures each connected process reported, per device (the GPU fallback's input). */
  clientCuda(): ClientCuda[] {
    return this.devices.clientCuda();
  }

  /** Statistics of every location in `file`. */
  forFile(file: string): LocationStats[] {
    return this.locations.forFile(file);
  }

  /** Statistics of `file`:`line`, if it was hit. */
  at(file: string, line: number): LocationStats | undefined {
    return this.locations.at(file, line);
  }

  /** Statistics of every location hit so far. */
  all(): LocationStats[] {
    return this.locations.all();
  }

  /**
   * A listener batch: its checkpoint columns folded straight into the store, its other
   * records through `add`. `canonical` maps each file path once per batch. A record that
   * cannot be ingested is counted in `failed` and skipped; the rest of the batch goes on.
   */
  addBatch(b: RecordBatch, canonical?: (file: string) => string): void {
    const c = b.checkpoints;
    const n = c.length / Cp.STRIDE;
    const objects = b.objects;
    const strings = b.strings;
    let files: (string | undefined)[] | undefined;
    let o = 0;
    for (let k = 0; k <= n; k++) {
      while (o < objects.length && b.objectAt[o] === k) {
        const r = objects[o++];
        try {
          this.add(canonical && 'file' in r && typeof r.file === 'string' ? ({ ...r, file: canonical(r.file) } as ProtocolRecord) : r);
        } catch (e) {
          this.failed++;
          this.lastFailure ??= `a ${r.type} record could not be ingested: ${(e as Error)?.message ?? e}`;
        }
      }
      if (k === n) break;
      const at = k * Cp.STRIDE;
      const fileId = c[at + Cp.File];
      let file: string | undefined;
      if (fileId >= 0) {
        if (canonical) {
          files ??= [];
          file = files[fileId] ??= canonical(strings[fileId]);
        } else file = strings[fileId];
      }
      const line = c[at + Cp.Line];
      const labelId = c[at + Cp.Label];
      const pid = c[at + Cp.Pid];
      const rss = c[at + Cp.Rss];
      this.records++;
      this.checkpoint(this.procs.get(pid, rss), c[at + Cp.T] * 1000, pid, file, Number.isNaN(line) ? undefined : line, labelId < 0 ? undefined : strings[labelId], rss, undefined);
    }
  }

  /** One protocol record: its event, series points and location statistics. */
  add(r: ProtocolRecord): void {
    this.records++;
    const tMs = r.t * 1000;
    const p = this.procs.get(r.pid, 'mem' in r && r.mem ? r.mem.rss : undefined);
    switch (r.type) {
      case 'hello':
        if (Number.isInteger(r.rank) && (r.rank as number) >= 0 && (r.world_size ?? 2) > 1) p.rank = r.rank as number;
        p.localRank = r.local_rank;
        p.host = r.host;
        this.events.add({ t: tMs, kind: 'process', pid: r.pid, label: `process ${r.pid} connected`, data: { argv: r.argv, rank: r.rank } });
        break;
      case 'checkpoint':
        this.checkpoint(p, tMs, r.pid, r.file, r.line, r.label, r.mem.rss, r.mem.devices);
        break;
      case 'region_start':
        p.openRegions.set(r.id, { t: tMs, mem: r.mem, file: r.file, line: r.line, label: r.label });
        if (r.cell !== undefined) this.cells.start(r, r.cell);
        this.devices.append(tMs, r.mem.devices, r.pid);
        break;
      case 'region_end': {
        const start = p.openRegions.get(r.id);
        p.openRegions.delete(r.id);
        const t0 = start ? start.t : tMs - r.duration * 1000;
        const delta = start ? r.mem.rss - start.mem.rss : 0;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.devices.append(tMs, r.mem.devices, r.pid);
        const c1 = cudaReserved(r.mem.devices);
        const cuda = start && c1 !== undefined ? c1 - (cudaReserved(start.mem.devices) ?? 0) : undefined;
        if (r.cell !== undefined) this.cells.end(r, r.cell);
        const label = r.label ?? (r.cell && labelOf(r.cell));
        this.span({ kind: 'region', t: t0, tEnd: tMs, file: r.file, line: r.line, label, pid: r.pid, rss: r.mem.rss, delta, peak, cudaDelta: cuda, error: r.error, cell: r.cell }, p);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'call': {
        const delta = r.mem.rss - r.mem0.rss;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.devices.append(tMs, r.mem.devices, r.pid);
        const c1 = cudaReserved(r.mem.devices);
        const c0 = cudaReserved(r.mem0.devices);
        const cudaDelta = c1 !== undefined && c0 !== undefined ? c1 - c0 : undefined;
        this.span({ kind: 'call', t: r.t0 * 1000, tEnd: tMs, file: r.file, line: r.line, label: r.label ?? r.func, pid: r.pid, rss: r.mem.rss, delta, peak, cudaDelta, error: r.error }, p);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'epoch_start':
        this.devices.append(tMs, r.mem.devices, r.pid);
        this.events.add({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch}`, pid: r.pid, file: r.file, line: r.line, rss: r.mem.rss, data: { epoch: r.epoch, phase: 'start' } });
        if (Number.isFinite(r.step)) this.store.append(SeriesName.trainStep, tMs, r.step as number);
        break;
      case 'epoch_end':
        this.devices.append(tMs, r.mem.devices, r.pid);
        this.events.add({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch} end`, pid: r.pid, rss: r.mem.rss, data: { epoch: r.epoch, phase: 'end', loss: r.loss, batches: r.batches } });
        if (r.loss !== undefined) this.store.append(SeriesName.lossEpoch, tMs, r.loss);
        if (Number.isFinite(r.step)) this.store.append(SeriesName.trainStep, tMs, r.step as number);
        break;
      case 'batch_end':
        this.devices.append(tMs, r.mem.devices, r.pid);
        this.store.append(SeriesName.protoRss(r.pid), tMs, r.mem.rss);
        if (r.loss !== undefined) this.store.append(SeriesName.lossBatch, tMs, r.loss);
        if (Number.isFinite(r.step)) this.store.append(SeriesName.trainStep, tMs, r.step as number); // the timeline's step axis
        if (Number.isFinite(r.peak?.rss)) this.store.append(SeriesName.stepPeak, tMs, r.peak?.rss as number);
        break;
      case 'oom':
        this.lastOom = r;
        this.devices.append(tMs, r.mem.devices, r.pid);
        this.events.add({ t: tMs, kind: 'alert', label: r.error, pid: r.pid, file: r.file, line: r.line, rss: r.mem.rss, data: { alert: 'oom-error', framework: r.framework, requested: r.requested, allocator: r.allocator } });
        break;
      case 'allocations':
        this.allocations.add(r);
        break;
      case 'bye':
        this.devices.forget(r.pid);
        break;
      case 'cleanup_result':
        this.events.add({
          t: tMs,
          kind: 'cleanup',
          pid: r.pid,
          label: `cleanup freed ${r.rss.freed} B`,
          delta: -r.rss.freed,
          data: { id: r.id, freed: r.rss.freed, rss: r.rss, devices: r.devices, duration: r.duration, actions: r.actions },
        });
        break;
      default:
        break;
    }
  }

  /** The hot path, one per checkpoint call: no object between it and the columns. */
  private checkpoint(p: ProcState, tMs: number, pid: number, file: string | undefined, line: number | undefined, label: string | undefined, rss: number, devices: readonly DeviceMemory[] | undefined): void {
    const delta = rss - p.lastRss;
    let cudaDelta: number | undefined;
    if (devices !== undefined) {
      this.devices.append(tMs, devices, pid);
      const cuda = cudaReserved(devices);
      const prevCuda = cudaReserved(p.lastDevices);
      if (cuda !== undefined && prevCuda !== undefined) cudaDelta = cuda - prevCuda;
    }
    p.lastRss = rss;
    p.lastDevices = devices;
    const last = this.last;
    last.t = tMs;
    last.pid = pid;
    last.file = file;
    last.line = line;
    last.label = label;
    if (file === undefined || line === undefined) {
      this.events.add({ t: tMs, kind: 'checkpoint', label, file, line, pid, rss, delta });
      return;
    }
    const s = this.locations.locate('checkpoint', file, line, tMs);
    this.locations.touch(s, label, pid, tMs, rss, delta, rss, p.firstRss, cudaDelta, p.rank);
    const ids = s.ids;
    ids.refresh(this.events, s.file, label);
    this.events.addRaw(CHECKPOINT, tMs, NaN, pid, ids.file, line, ids.label, rss, delta, NaN, undefined);
  }

  /** A region or call: its event, and its hit when it has a source location. */
  private span(h: Span, p: ProcState): void {
    const { kind, t, tEnd, file, line, label, pid, rss, delta, peak } = h;
    const data = h.cell !== undefined ? (h.error === undefined ? { cell: h.cell } : { error: h.error, cell: h.cell }) : h.error === undefined ? undefined : { error: h.error };
    if (file === undefined || line === undefined) {
      this.events.add({ t, tEnd, kind, label, file, line, pid, rss, delta, peak, data });
      return;
    }
    const s = this.locations.locate(kind, file, line, tEnd);
    this.locations.touch(s, label, pid, tEnd, rss, delta, peak, p.firstRss, h.cudaDelta, p.rank);
    const ids = s.ids;
    ids.refresh(this.events, s.file, label);
    this.events.addRaw(KIND_CODE[kind], t, tEnd, pid, ids.file, line, ids.label, rss, delta, peak, data);
  }
}
