import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { APPS_QUERY_FIELDS, GPU_QUERY_FIELDS, parseComputeAppsCsv, parseGpuCsv } from './nvidiaSmiParser';
import type { GpuAvailability, GpuDevice, GpuProcess, GpuSample } from './types';

export interface NvidiaSmiMonitorOptions {
  /** Device sampling period for `-lms`. */
  readonly intervalMs?: number;
  /** Per-process query period (a separate, short-lived call: it costs more). */
  readonly appsIntervalMs?: number;
  /** The program to run; tests point this at a stand-in. */
  readonly command?: string;
  readonly onSample: (s: GpuSample) => void;
  readonly onAvailability?: (a: GpuAvailability) => void;
  readonly maxBackoffMs?: number;
}

/**
 * One long-lived `nvidia-smi --query-gpu ... -lms N` child for device figures (not a spawn
 * per sample), plus `--query-compute-apps` at a lower rate for per-process GPU memory.
 * Restarts the child when it dies; backs off when nvidia-smi is missing or broken. No GPU
 * is a normal state: it is reported once as `absent`, never as an error.
 */
export class NvidiaSmiMonitor {
  private child: ChildProcess | undefined;
  private appsTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  private buffer = '';
  private batch: GpuDevice[] = [];
  private processes: GpuProcess[] = [];
  private appsInFlight = false;
  private _availability: GpuAvailability = { state: 'unknown' };
  private readonly command: string;
  /** Restarts after the child died, for the status and tests. */
  restarts = 0;

  constructor(private readonly options: NvidiaSmiMonitorOptions) {
    this.command = options.command ?? 'nvidia-smi';
    this.backoffMs = Math.min(1000, options.maxBackoffMs ?? 60_000);
  }

  get availability(): GpuAvailability {
    return this._availability;
  }

  start(): void {
    this.stopped = false;
    this.launch();
  }

  dispose(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.appsTimer);
    this.appsTimer = undefined;
    this.child?.kill();
    this.child = undefined;
  }

  private setAvailability(a: GpuAvailability): void {
    const prev = this._availability;
    this._availability = a;
    if (prev.state !== a.state || ('reason' in prev && 'reason' in a && prev.reason !== a.reason)) this.options.onAvailability?.(a);
  }

  private launch(): void {
    if (this.stopped) return;
    const args = [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', `-lms`, String(this.options.intervalMs ?? 500)];
    let child: ChildProcess;
    try {
      child = spawn(this.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      this.failed(`cannot start ${this.command}: ${(e as Error).message}`, true);
      return;
    }
    this.child = child;
    this.buffer = '';
    this.batch = [];
    let stderr = '';
    let sawData = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      sawData = true;
      this.onData(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      this.child = undefined;
      // ENOENT: no driver installed. That is a machine without a GPU.
      if (e.code === 'ENOENT') this.failed(`${this.command} not found`, true);
      else this.failed(`${this.command}: ${e.message}`, false);
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      const why = stderr.trim().split('\n').pop() || `exited with ${signal ?? code}`;
      // "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver" = no usable GPU.
      this.failed(`${this.command}: ${why}`, !sawData && /couldn't communicate|No devices were found|not found/i.test(why));
    });
    this.startApps();
  }

  private failed(reason: string, absent: boolean): void {
    clearInterval(this.appsTimer);
    this.appsTimer = undefined;
    if (this.stopped) return;
    const retryInMs = this.backoffMs;
    this.setAvailability(absent ? { state: 'absent', reason } : { state: 'failing', reason, retryInMs });
    this.restarts++;
    this.restartTimer = setTimeout(() => this.launch(), retryInMs);
    this.restartTimer.unref?.();
    this.backoffMs = Math.min(this.options.maxBackoffMs ?? 60_000, this.backoffMs * 2);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const [dev] = parseGpuCsv(line);
      if (!dev) continue;
      // Each loop prints one line per GPU in index order: a repeated index starts a new sample.
      if (this.batch.some((d) => d.index === dev.index)) this.flush();
      this.batch.push(dev);
    }
    if (this.buffer.length > 1 << 16) this.buffer = ''; // a line that never ends is not ours
    // The last GPU of a loop arrived: flush now rather than wait for the next loop.
    if (this.buffer === '' && this.batch.length > 0) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    this.backoffMs = Math.min(1000, this.options.maxBackoffMs ?? 60_000);
    this.setAvailability({ state: 'ok', tool: 'nvidia-smi' });
    const devices = this.batch;
    this.batch = [];
    this.options.onSample({ t: Date.now(), devices, processes: this.processes });
  }

  private startApps(): void {
    clearInterval(this.appsTimer);
    const period = this.options.appsIntervalMs ?? 2000;
    this.queryApps();
    this.appsTimer = setInterval(() => this.queryApps(), period);
    this.appsTimer.unref?.();
  }

  private queryApps(): void {
    if (this.appsInFlight || this.stopped) return;
    this.appsInFlight = true;
    execFile(
      this.command,
      [`--query-compute-apps=${APPS_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      { timeout: 10_000, maxBuffer: 1 << 20 },
      (err, stdout) => {
        this.appsInFlight = false;
        if (!err) this.processes = parseComputeAppsCsv(stdout);
      },
    );
  }
}
