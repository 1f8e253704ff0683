import type { DeviceMemory, MemorySnapshot, ProtocolRecord } from '../../../shared/protocol';
import type { TimelineEvent } from '../store/eventIndex';
import type { MemoryStore } from '../store/memoryStore';

/** One hit of a location, for hovers. */
export interface Hit {
  readonly t: number;
  readonly pid: number;
  readonly rss: number;
  readonly delta: number;
  readonly label?: string;
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
  /** The last few hits, oldest first: read with `recentHits`. */
  readonly ring: Hit[];
  ringNext: number;
  lastT: number;
}

/** The last hits of a location, oldest first. */
export function recentHits(s: LocationStats): Hit[] {
  return s.ring.length < RECENT ? s.ring.slice() : [...s.ring.slice(s.ringNext), ...s.ring.slice(0, s.ringNext)];
}

/** Bytes per hit while the last hits keep growing; undefined when not growing. Computed when read. */
export function growthOf(s: LocationStats): number | undefined {
  return growth(recentHits(s).map((h) => h.rss));
}

interface ProcState {
  firstRss: number;
  lastRss: number;
  lastDevices?: readonly DeviceMemory[];
  openRegions: Map<number, { t: number; mem: MemorySnapshot; file?: string; line?: number; label?: string }>;
}

const RECENT = 10;
const GROWTH_WINDOW = 5;
const GROWTH_MIN_BYTES = 1 << 20;

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
 * Pure (no I/O): the extension, the CLI and recordings all feed it.
 */
export class RecordIngest {
  /** file -> line -> stats: no string key is built per record. */
  private readonly locations = new Map<string, Map<number, LocationStats>>();
  private readonly procs = new Map<number, ProcState>();
  records = 0;
  /** The newest checkpoint record (its `t` in seconds). */
  lastCheckpoint: Extract<ProtocolRecord, { type: 'checkpoint' }> | undefined;

  constructor(private readonly store: MemoryStore) {}

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

  add(r: ProtocolRecord): void {
    this.records++;
    const tMs = r.t * 1000;
    const p = this.proc(r);
    switch (r.type) {
      case 'hello':
        this.event({ t: tMs, kind: 'process', pid: r.pid, label: `process ${r.pid} connected`, data: { argv: r.argv, rank: r.rank } });
        break;
      case 'checkpoint': {
        const delta = r.mem.rss - p.lastRss;
        const cuda = cudaReserved(r.mem.devices);
        const prevCuda = cudaReserved(p.lastDevices);
        this.deviceSeries(tMs, r.mem);
        this.event({ t: tMs, kind: 'checkpoint', label: r.label, file: r.file, line: r.line, pid: r.pid, data: { rss: r.mem.rss, delta } });
        if (r.file && r.line) this.hit('checkpoint', r.file, r.line, r.label, r.pid, tMs, r.mem.rss, delta, r.mem.rss, p, cuda !== undefined && prevCuda !== undefined ? cuda - prevCuda : undefined);
        p.lastRss = r.mem.rss;
        p.lastDevices = r.mem.devices;
        this.lastCheckpoint = r;
        break;
      }
      case 'region_start':
        p.openRegions.set(r.id, { t: tMs, mem: r.mem, file: r.file, line: r.line, label: r.label });
        this.deviceSeries(tMs, r.mem);
        break;
      case 'region_end': {
        const start = p.openRegions.get(r.id);
        p.openRegions.delete(r.id);
        const t0 = start ? start.t : tMs - r.duration * 1000;
        const delta = start ? r.mem.rss - start.mem.rss : 0;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.deviceSeries(tMs, r.mem);
        this.event({ t: t0, tEnd: tMs, kind: 'region', label: r.label, file: r.file, line: r.line, pid: r.pid, data: { delta, peak, error: r.error } });
        const cuda = start && cudaReserved(r.mem.devices) !== undefined ? (cudaReserved(r.mem.devices) as number) - (cudaReserved(start.mem.devices) ?? 0) : undefined;
        if (r.file && r.line) this.hit('region', r.file, r.line, r.label, r.pid, tMs, r.mem.rss, delta, peak, p, cuda);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'call': {
        const delta = r.mem.rss - r.mem0.rss;
        const peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
        this.deviceSeries(tMs, r.mem);
        this.event({ t: r.t0 * 1000, tEnd: tMs, kind: 'call', label: r.label, file: r.file, line: r.line, pid: r.pid, data: { delta, peak, error: r.error } });
        const c1 = cudaReserved(r.mem.devices);
        const c0 = cudaReserved(r.mem0.devices);
        if (r.file && r.line) this.hit('call', r.file, r.line, r.label ?? r.func, r.pid, tMs, r.mem.rss, delta, peak, p, c1 !== undefined && c0 !== undefined ? c1 - c0 : undefined);
        p.lastRss = r.mem.rss;
        break;
      }
      case 'epoch_start':
        this.deviceSeries(tMs, r.mem);
        this.event({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch}`, pid: r.pid, file: r.file, line: r.line, data: { epoch: r.epoch, phase: 'start' } });
        break;
      case 'epoch_end':
        this.deviceSeries(tMs, r.mem);
        this.event({ t: tMs, kind: 'epoch', label: `epoch ${r.epoch} end`, pid: r.pid, data: { epoch: r.epoch, phase: 'end', loss: r.loss, batches: r.batches } });
        if (r.loss !== undefined) this.store.append('loss.epoch', tMs, r.loss);
        break;
      case 'batch_end':
        this.deviceSeries(tMs, r.mem);
        this.store.append(`proto.${r.pid}.rss`, tMs, r.mem.rss);
        if (r.loss !== undefined) this.store.append('loss.batch', tMs, r.loss);
        break;
      case 'cleanup_result':
        this.event({
          t: tMs,
          kind: 'cleanup',
          pid: r.pid,
          label: `cleanup freed ${r.rss.freed} B`,
          data: { id: r.id, freed: r.rss.freed, rss: r.rss, devices: r.devices, duration: r.duration, actions: r.actions },
        });
        break;
      default:
        break;
    }
  }

  private proc(r: ProtocolRecord): ProcState {
    let p = this.procs.get(r.pid);
    if (!p) {
      const rss = 'mem' in r && r.mem ? r.mem.rss : 0;
      p = { firstRss: rss, lastRss: rss, openRegions: new Map() };
      this.procs.set(r.pid, p);
    } else if (p.firstRss === 0 && 'mem' in r && r.mem) {
      p.firstRss = p.lastRss = r.mem.rss;
    }
    return p;
  }

  private event(e: TimelineEvent): void {
    this.store.events.add(e);
  }

  private deviceSeries(tMs: number, mem: MemorySnapshot): void {
    for (const d of mem.devices ?? []) {
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

  private hit(
    kind: LocationStats['kind'],
    file: string,
    line: number,
    label: string | undefined,
    pid: number,
    t: number,
    rss: number,
    delta: number,
    peak: number,
    p: ProcState,
    cudaDelta: number | undefined,
  ): void {
    let lines = this.locations.get(file);
    if (!lines) this.locations.set(file, (lines = new Map()));
    let s = lines.get(line);
    if (!s) {
      s = { file, line, kind, label, hits: 0, lastDelta: 0, sinceStart: 0, lastRss: 0, peak: 0, ring: [], ringNext: 0, lastT: t };
      lines.set(line, s);
    }
    s.hits++;
    s.label = label ?? s.label;
    s.lastDelta = delta;
    s.lastRss = rss;
    s.sinceStart = rss - p.firstRss;
    s.peak = Math.max(s.peak, peak);
    s.cudaReservedDelta = cudaDelta;
    s.lastT = t;
    const h: Hit = { t, pid, rss, delta, label };
    if (s.ring.length < RECENT) s.ring.push(h);
    else s.ring[s.ringNext] = h;
    s.ringNext = (s.ringNext + 1) % RECENT;
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
