import type { DeviceMemory, MemorySnapshot, ProtocolRecord } from '../../shared/protocol';
import { Cp, type RecordBatch } from '../protocol/recordBatch';
import { KIND_CODE, type EventIndex } from '../store/eventIndex';
import type { MemoryStore } from '../store/memoryStore';

const RECENT = 10;
const CHECKPOINT = KIND_CODE.checkpoint;
const GROWTH_WINDOW = 5;
const GROWTH_MIN_BYTES = 1 << 20;

/** One hit of a location, for hovers. */
export interface Hit {
  readonly t: number;
  readonly pid: number;
  readonly rss: number;
  readonly delta: number;
  readonly label?: string;
}

/** The last hits of one location, in columns: recording a hit allocates nothing. */
export class HitRing {
  private readonly t = new Float64Array(RECENT);
  private readonly rss = new Float64Array(RECENT);
  private readonly delta = new Float64Array(RECENT);
  private readonly pid = new Int32Array(RECENT);
  private readonly label: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private next = 0;
  size = 0;

  push(t: number, pid: number, rss: number, delta: number, label: string | undefined): void {
    const i = this.next;
    this.t[i] = t;
    this.pid[i] = pid;
    this.rss[i] = rss;
    this.delta[i] = delta;
    this.label[i] = label;
    this.next = i + 1 === RECENT ? 0 : i + 1;
    if (this.size < RECENT) this.size++;
  }

  /** Oldest first. */
  hits(): Hit[] {
    const out: Hit[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + RECENT) % RECENT;
      out.push({ t: this.t[i], pid: this.pid[i], rss: this.rss[i], delta: this.delta[i], label: this.label[i] });
    }
    return out;
  }
}

/** What CodeLens shows for one source line. Bytes. */
export interface LocationStats {
  readonly file: string;
  readonly line: number;
  readonly kind: 'checkpoint' | 'region' | 'call';
  label?: string;
  hits: number;
  /** RSS delta of the last hit: since the previous checkpoint (checkpoints), inside the block (regions, calls). */
  lastDelta: number;
  /** RSS at the last hit minus the process's first reading. */
  sinceStart: number;
  lastRss: number;
  /** Highest RSS seen at (or inside) this location. */
  peak: number;
  /** Delta of CUDA reserved memory at the last hit, summed over devices; undefined without CUDA. */
  cudaReservedDelta?: number;
  /** The last few hits: read with `recentHits`. */
  readonly ring: HitRing;
  lastT: number;
}

type TrackedLocation = LocationStats & { ids: InternedIds };

/** The event index's ids of a location's file and of the label it last had, kept so a hit looks up no string. */
interface InternedIds {
  epoch: number;
  file: number;
  labelText: string | undefined;
  label: number;
}

/** The last hits of a location, oldest first. */
export function recentHits(s: LocationStats): Hit[] {
  return s.ring.hits();
}

/** Bytes per hit while the last hits keep growing; undefined when not growing. Computed when read. */
export function growthOf(s: LocationStats): number | undefined {
  return growth(recentHits(s).map((h) => h.rss));
}

export interface LastCheckpoint {
  t: number;
  pid: number;
  file?: string;
  line?: number;
  label?: string;
}

interface ProcState {
  firstRss: number;
  lastRss: number;
  lastDevices?: readonly DeviceMemory[];
  openRegions: Map<number, { t: number; mem: MemorySnapshot; file?: string; line?: number; label?: string }>;
}


const cudaReserved = (devices?: readonly DeviceMemory[]) => {
  let sum = 0;
  let any = false;
  for (const d of devices ?? []) {
    if (d.kind === 'cuda') {
      sum += d.reserved;
      any = true;
    }
  }
  return any ? sum : undefined;
};

/**
 * Turns protocol records into store events, device series, and per-location statistics.
 * Pure (no I/O): the extension, the CLI and recordings all feed it. A checkpoint keeps no
 * object alive: its event goes into the index's columns and its hit into the location's ring.
 */
export class RecordIngest {
  /** file -> line -> stats: no string key is built per record. */
  private readonly locations = new Map<string, Map<number, TrackedLocation>>();
  private readonly procs = new Map<number, ProcState>();
  private readonly events: EventIndex;
  private lastFile: string | undefined;
  private lastPid = -1;
  private lastProc: ProcState | undefined;
  private lastLines: Map<number, TrackedLocation> | undefined;
  records = 0;
  /** Records `addBatch` could not ingest, and the first one's reason. */
  failed = 0;
  lastFailure: string | undefined;
  private readonly last: LastCheckpoint = { t: NaN, pid: 0 };

  constructor(private readonly store: MemoryStore) {
    this.events = store.events;
  }

  /** The newest checkpoint (`t` in milliseconds). */
  get lastCheckpoint(): Readonly<LastCheckpoint> | undefined {
    return Number.isNaN(this.last.t) ? undefined : { ...this.last };
  }

  /** Statistics of every location in `file`. */
  forFile(file: string): LocationStats[] {
    return [...(this.locations.get(file)?.values() ?? [])];
  }

  at(file: string, line: number): LocationStats | undefined {
    return this.locations.get(file)?.get(line);
  }

  all(): LocationStats[] {
    const out: LocationStats[] = [];
    for (const lines of this.locations.values()) for (const s of lines.values()) out.push(s);
    return out;
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
      this.checkpoint(this.proc(pid, rss), c[at + Cp.T] * 1000, pid, file, Number.isNaN(line) ? undefined : line, labelId < 0 ? undefined : strings[labelId], rss, undefined);
    }
  }

  add(r: ProtocolRecord): void {
    this.records++;
    const tMs = r.t * 1000;
    const p = this.proc(r.pid, 'mem' in r && r.mem ? r.mem.rss : undefined);
    switch (r.type) {
      case 'hello':
        this.events.add({ t: tMs, kind: 'process', pid: r.pid, label: `process ${r.pid} connected`, data: { argv: r.argv, rank: r.rank } });
        break;
      case 'checkpoint':
        this.checkpoint(p, tMs, r.pid, r.file, r.line, r.label, r.mem.rss, r.mem.devices);
        break;
      case 'region_start':
        p.openRegions.set(r.id, { t: tMs, mem: r.mem, file: r.file, line: r.line, label: r.label });
        this.deviceSeries(tMs, r.mem.devices);
        break;
      case 'region_end': {
        const start = p.openRegions.get(r.id);
        p.openRegions.delete(r.id);
        const t0 = start ? start.t : tMs - r.duration * 1000;
        const delta = start ? r.mem.rss - start.mem.rss : 0;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.deviceSeries(tMs, r.mem.devices);
        const c1 = cudaReserved(r.mem.devices);
        const cuda = start && c1 !== undefined ? c1 - (cudaReserved(start.mem.devices) ?? 0) : undefined;
        this.point('region', t0, tMs, r.file, r.line, r.label, r.pid, r.mem.rss, delta, peak, p, cuda, r.error);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'call': {
        const delta = r.mem.rss - r.mem0.rss;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.deviceSeries(tMs, r.mem.devices);
        const c1 = cudaReserved(r.mem.devices);
        const c0 = cudaReserved(r.mem0.devices);
        this.point('call', r.t0 * 1000, tMs, r.file, r.line, r.label ?? r.func, r.pid, r.mem.rss, delta, peak, p, c1 !== undefined && c0 !== undefined ? c1 - c0 : undefined, r.error);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'epoch_start':
        this.deviceSeries(tMs, r.mem.devices);
        this.events.add({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch}`, pid: r.pid, file: r.file, line: r.line, rss: r.mem.rss, data: { epoch: r.epoch, phase: 'start' } });
        break;
      case 'epoch_end':
        this.deviceSeries(tMs, r.mem.devices);
        this.events.add({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch} end`, pid: r.pid, rss: r.mem.rss, data: { epoch: r.epoch, phase: 'end', loss: r.loss, batches: r.batches } });
        if (r.loss !== undefined) this.store.append('loss.epoch', tMs, r.loss);
        break;
      case 'batch_end':
        this.deviceSeries(tMs, r.mem.devices);
        this.store.append(`proto.${r.pid}.rss`, tMs, r.mem.rss);
        if (r.loss !== undefined) this.store.append('loss.batch', tMs, r.loss);
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

  /** Process `pid`'s state; `rss` (when the record carries memory) is its first reading if none came before. */
  private proc(pid: number, rss: number | undefined): ProcState {
    if (pid === this.lastPid && this.lastProc !== undefined && this.lastProc.firstRss !== 0) return this.lastProc;
    let p = this.procs.get(pid);
    if (!p) {
      p = { firstRss: rss ?? 0, lastRss: rss ?? 0, openRegions: new Map() };
      this.procs.set(pid, p);
    } else if (p.firstRss === 0 && rss !== undefined) {
      p.firstRss = p.lastRss = rss;
    }
    this.lastPid = pid;
    this.lastProc = p;
    return p;
  }

  /** The hot path, one per checkpoint call: no object between it and the columns. */
  private checkpoint(p: ProcState, tMs: number, pid: number, file: string | undefined, line: number | undefined, label: string | undefined, rss: number, devices: readonly DeviceMemory[] | undefined): void {
    const delta = rss - p.lastRss;
    let cudaDelta: number | undefined;
    if (devices !== undefined) {
      this.deviceSeries(tMs, devices);
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
    const s = this.locate('checkpoint', file, line, tMs);
    this.touch(s, label, pid, tMs, rss, delta, rss, p, cudaDelta);
    this.emit(s, CHECKPOINT, tMs, NaN, pid, line, label, rss, delta, NaN, undefined);
  }

  private deviceSeries(tMs: number, devices: readonly DeviceMemory[] | undefined): void {
    if (devices === undefined) return;
    for (const d of devices) {
      const i = d.index ?? 0;
      if (d.kind === 'cuda') {
        this.store.append(`torch.cuda:${i}.allocated`, tMs, d.allocated);
        this.store.append(`torch.cuda:${i}.reserved`, tMs, d.reserved);
      } else if (d.kind === 'mps') {
        this.store.append('torch.mps.current', tMs, d.current);
        if (d.driver !== undefined) this.store.append('torch.mps.driver', tMs, d.driver);
      } else if (d.kind === 'mlx') {
        this.store.append('mlx.active', tMs, d.active);
        if (d.cache != null) this.store.append('mlx.cache', tMs, d.cache);
      }
    }
  }

  /** A region or call: its event, and its hit when it has a source location. */
  private point(
    kind: 'region' | 'call',
    t: number,
    tEnd: number,
    file: string | undefined,
    line: number | undefined,
    label: string | undefined,
    pid: number,
    rss: number,
    delta: number,
    peak: number,
    p: ProcState,
    cudaDelta: number | undefined,
    error: string | undefined,
  ): void {
    const data = error === undefined ? undefined : { error };
    if (file === undefined || line === undefined) {
      this.events.add({ t, tEnd, kind, label, file, line, pid, rss, delta, peak, data });
      return;
    }
    const s = this.locate(kind, file, line, tEnd);
    this.touch(s, label, pid, tEnd, rss, delta, peak, p, cudaDelta);
    this.emit(s, KIND_CODE[kind], t, tEnd, pid, line, label, rss, delta, peak, data);
  }

  /** The statistics of `file`:`line`, made on its first hit. */
  private locate(kind: LocationStats['kind'], file: string, line: number, t: number): TrackedLocation {
    // Comparing a freshly parsed path with the previous one costs less than hashing it.
    let lines = this.lastLines;
    if (file !== this.lastFile || lines === undefined) {
      lines = this.locations.get(file);
      if (!lines) this.locations.set(file, (lines = new Map()));
      this.lastFile = file;
      this.lastLines = lines;
    }
    let s = lines.get(line);
    if (!s) {
      s = { file, line, kind, hits: 0, lastDelta: 0, sinceStart: 0, lastRss: 0, peak: 0, ring: new HitRing(), lastT: t, ids: { epoch: -1, file: -1, labelText: undefined, label: -1 } };
      lines.set(line, s);
    }
    return s;
  }

  /** One hit of `s`: `t` is when it ended, `peak` the highest RSS seen in it. */
  private touch(s: TrackedLocation, label: string | undefined, pid: number, t: number, rss: number, delta: number, peak: number, p: ProcState, cudaDelta: number | undefined): void {
    s.hits++;
    if (label !== undefined) s.label = label;
    s.lastDelta = delta;
    s.lastRss = rss;
    s.sinceStart = rss - p.firstRss;
    if (peak > s.peak) s.peak = peak;
    s.cudaReservedDelta = cudaDelta;
    s.lastT = t;
    s.ring.push(t, pid, rss, delta, label);
  }

  /** The hit's event, with the location's interned file and label ids (taken again only when stale). */
  private emit(s: TrackedLocation, kind: number, t: number, tEnd: number, pid: number, line: number, label: string | undefined, rss: number, delta: number, peak: number, data: Readonly<Record<string, unknown>> | undefined): void {
    const ids = s.ids;
    const events = this.events;
    if (ids.epoch !== events.stringEpoch || label !== ids.labelText) {
      // Interning may compact the table and renumber: take both ids again until it did not.
      do {
        ids.epoch = events.stringEpoch;
        ids.labelText = label;
        ids.label = events.intern(label);
        ids.file = events.intern(s.file);
      } while (ids.epoch !== events.stringEpoch);
    }
    events.addRaw(kind, t, tEnd, pid, ids.file, line, ids.label, rss, delta, peak, data);
  }
}

/** Bytes per hit when the last hits rise steadily (each at least as high as the one before). */
export function growth(rss: readonly number[]): number | undefined {
  const w = rss.slice(-GROWTH_WINDOW);
  if (w.length < 3) return undefined;
  for (let i = 1; i < w.length; i++) if (w[i] < w[i - 1]) return undefined;
  const total = w[w.length - 1] - w[0];
  if (total < GROWTH_MIN_BYTES) return undefined;
  return total / (w.length - 1);
}
