import { hostname } from 'node:os';
import { GpuFeed, type GpuSource } from './gpu/gpuFeed';
import { attributeTreeGpu } from './gpu/treeGpu';
import type { ClientCuda, GpuSample } from './gpu/types';
import type { GpuRecord, SampleRecord } from './recording/format';
import { RecordingWriter, type RecordingWriterOptions } from './recording/recordingWriter';
import { CgroupWatch, type CgroupWatchSample, type PressureReading } from './sampling/cgroupWatch';
import { createSystemSampler, createTreeSampler } from './sampling/createSamplers';
import type { PssMode, SystemSample, SystemSampler, TreeSample, TreeSampler } from './sampling/types';
import { MemoryStore } from './store/memoryStore';
import { addPressure } from './store/pressureSeries';
import { SeriesName } from './store/seriesName';

export interface MonitorOptions {
  readonly intervalMs?: number;
  readonly pss?: PssMode;
  readonly gpu?: boolean;
  /** Where to stream the NDJSON recording; none if unset. */
  readonly recordingPath?: string;
  readonly recording?: RecordingWriterOptions;
  /** The session's name, kept in the recording's header. */
  readonly name?: string;
  readonly command?: readonly string[];
  readonly tool?: string;
  readonly store?: MemoryStore;
  readonly onProblem?: (message: string) => void;
  /** Stand-in GPU tool (tests); nvidia-smi by default. Ignored with `gpuSource`. */
  readonly gpuCommand?: string;
  /** GPU samples shared with other monitors (a window's sessions); a loop of its own otherwise. */
  readonly gpuSource?: GpuSource;
  /** The program's newest CUDA figures per process and device: the tree's GPU memory when nvidia-smi cannot see its pids. */
  readonly clientCuda?: () => readonly ClientCuda[];
}

export interface MonitorTick {
  readonly tree: TreeSample;
  readonly system?: SystemSample;
  readonly gpu?: GpuSample;
  /** Memory pressure (PSI) and the job's OOM kill counts, where the kernel has them (Linux). */
  readonly kernel?: CgroupWatchSample;
}

/**
 * Samples one process tree, the system and the GPUs on an owned timer; feeds the store,
 * the recording and listeners. Shared by the extension and the CLI.
 */
export class Monitor {
  readonly store: MemoryStore;
  readonly tree: TreeSampler;
  private readonly system: SystemSampler | undefined;
  private readonly gpu: GpuSource | undefined;
  /** The loop this monitor started for itself (no shared source given). */
  private readonly ownGpu: GpuFeed | undefined;
  private gpuSub: { dispose(): void } | undefined;
  private readonly recording: RecordingWriter | undefined;
  /** The job's OOM kill counters and memory pressure; Linux only. */
  private readonly kernel: CgroupWatch | undefined;
  private _lastAlive: MonitorTick | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(tick: MonitorTick) => void>();
  private lastGpu: GpuSample | undefined;
  private readonly clientCuda: (() => readonly ClientCuda[]) | undefined;
  private _last: MonitorTick | undefined;
  private _intervalMs: number;
  private stopped = false;
  private kernelLast: CgroupWatchSample | undefined;
  private exitRecorded = false;

  constructor(
    readonly rootPid: number,
    options: MonitorOptions = {},
  ) {
    this._intervalMs = options.intervalMs ?? 100;
    this.clientCuda = options.clientCuda;
    this.store = options.store ?? new MemoryStore();
    this.tree = createTreeSampler(rootPid, { pss: options.pss ?? 'auto', onProblem: options.onProblem });
    try {
      this.system = createSystemSampler(rootPid);
    } catch (e) {
      options.onProblem?.(`system memory unavailable: ${(e as Error).message}`);
    }
    if (process.platform === 'linux') this.kernel = new CgroupWatch({ pid: rootPid });
    if (options.recordingPath) {
      this.recording = new RecordingWriter(
        options.recordingPath,
        { created: Date.now(), rootPid, name: options.name, command: options.command, host: hostname(), tool: options.tool ?? 'headroom', intervalMs: this._intervalMs },
        { ...options.recording, onError: (e) => options.onProblem?.(`recording stopped: ${e.message}`) },
      );
    }
    if (options.gpu ?? true) {
      this.gpu = options.gpuSource ?? (this.ownGpu = new GpuFeed({ command: options.gpuCommand, intervalMs: Math.max(100, this._intervalMs) }));
    }
  }

  get last(): MonitorTick | undefined {
    return this._last;
  }

  /** The last tick that found the root process alive (the one before its end, once it has ended). */
  get lastAlive(): MonitorTick | undefined {
    return this._lastAlive;
  }

  /**
   * The job's OOM kills counted since monitoring began, read now (the end of a run reads them
   * once more: the kill is counted before the parent learns of the exit). Undefined off Linux.
   */
  readKernelCounters(): CgroupWatchSample | undefined {
    return this.stopped ? this.kernelLast : this.kernel?.sample(Date.now(), true);
  }

  get intervalMs(): number {
    return this._intervalMs;
  }

  get recordingPath(): string | undefined {
    return this.recording?.path;
  }

  onTick(listener: (tick: MonitorTick) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  start(): void {
    this.gpuSub ??= this.gpu?.subscribe((s) => this.onGpu(s));
    this.tick();
    this.schedule();
  }

  /** Applies a new sampling interval without a restart. */
  setInterval(ms: number): void {
    this._intervalMs = ms;
    if (this.timer) this.schedule();
  }

  /** Writes a protocol or event record to the recording, verbatim. */
  record(record: object): void {
    this.recording?.write(record);
  }

  /** Protocol lines as received (validated, each with its newline), into the recording as they are. */
  recordRaw(lines: Uint8Array): void {
    this.recording?.writeRaw(lines);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.gpuSub?.dispose();
    this.ownGpu?.dispose();
    this.kernelLast = this.kernel?.sample(Date.now(), true);
    this.kernel?.dispose();
    this.tree.dispose();
    this.system?.dispose();
    this.recording?.close();
    this.listeners.clear();
  }

  /** Takes one sample now. */
  tick(): MonitorTick {
    const now = Date.now();
    const tree = this.tree.sample(now);
    let system: SystemSample | undefined;
    try {
      system = this.system?.sample(now);
    } catch {
      system = undefined;
    }
    // The tick that finds the tree gone carries no memory: storing it would draw a false
    // drop to zero at the end of every run.
    const gone = !tree.rootAlive && tree.processes.length === 0;
    const kernel = this.kernel?.sample(now, gone);
    if (!gone) {
      this.store.addTreeSample(tree);
      if (system) this.store.addSystemSample(system);
      if (kernel) addPressure(this.store, kernel);
      if (this.recording) this.recording.write(toSampleRecord(tree, system, kernel));
    } else if (this.recording && !this.exitRecorded) {
      this.exitRecorded = true;
      this.recording.write({ type: 'exit', t: now, pid: this.rootPid, code: null, signal: null });
    }
    const tick: MonitorTick = { tree, system, gpu: this.lastGpu, kernel };
    this._last = tick;
    // The root's last sample, not its children's after it died: what the explanation of the end reads.
    if (tree.rootAlive) this._lastAlive = tick;
    for (const l of this.listeners) l(tick);
    return tick;
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      const t = this.tick();
      if (!t.tree.rootAlive) clearInterval(this.timer);
    }, this._intervalMs);
    this.timer.unref?.();
  }

  private onGpu(s: GpuSample): void {
    const pids = new Set(this._last?.tree.processes.map((p) => p.pid) ?? [this.rootPid]);
    const { processes: mine, tree } = attributeTreeGpu(s, pids, this.clientCuda?.() ?? []);
    const sample: GpuSample = { ...s, processes: mine, tree };
    this.lastGpu = sample;
    for (const d of s.devices) {
      if (d.memUsed !== undefined) this.store.append(SeriesName.gpuUsed(d.index), s.t, d.memUsed);
      if (d.utilGpu !== undefined) this.store.append(SeriesName.gpuUtil(d.index), s.t, d.utilGpu);
    }
    if (tree) this.store.append(SeriesName.treeGpu, s.t, tree.used);
    const index = new Map(s.devices.map((d) => [d.uuid, d.index]));
    const rec: GpuRecord = {
      type: 'gpu',
      t: s.t,
      devices: s.devices.map((d) => [d.index, d.memUsed ?? null, d.memTotal ?? null, d.utilGpu ?? null, d.name] as const),
      procs: mine.map((p) => [p.pid, index.get(p.gpuUuid) ?? -1, p.usedMemory ?? null] as const),
      tree: tree && { used: tree.used, src: tree.source, ...(tree.outside !== undefined ? { outside: tree.outside } : {}) },
    };
    this.recording?.write(rec);
  }
}

/** A pressure reading as the recording keeps it: [some, full], null where absent. */
const psiPair = (p: PressureReading | undefined) => (p ? ([p.some ?? null, p.full ?? null] as const) : undefined);

export function toSampleRecord(tree: TreeSample, system?: SystemSample, kernel?: CgroupWatchSample): SampleRecord {
  return {
    type: 'sample',
    t: tree.t,
    rss: tree.rss,
    vms: tree.vms,
    pss: tree.pss,
    uss: tree.uss,
    procs: tree.processes.map((p) => [p.pid, p.ppid, p.rss, p.pss ?? null, p.name] as const),
    sys: system && { used: system.used, available: system.available, total: system.total },
    cg: system?.cgroupLimit !== undefined ? { limit: system.cgroupLimit, usage: system.cgroupUsage } : undefined,
    psi: psiPair(kernel?.psi),
    cgpsi: psiPair(kernel?.cgroupPsi),
  };
}
