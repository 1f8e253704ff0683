import { NvidiaSmiMonitor } from './nvidiaSmiMonitor';
import type { GpuSample } from './types';

/** Where a monitor gets the machine's GPU samples from. */
export interface GpuSource {
  subscribe(listener: (s: GpuSample) => void): { dispose(): void };
}

export interface GpuFeedOptions {
  /** nvidia-smi's period, read each time the loop starts (a setting may change it meanwhile). */
  readonly intervalMs?: number | (() => number);
  /** Stand-in GPU tool (tests); nvidia-smi by default. */
  readonly command?: string;
  /** How long the loop runs on after its last subscriber left: the next run starts with no spawn. */
  readonly lingerMs?: number;
}

/**
 * One nvidia-smi loop for every session of a window. The GPUs are the machine's, not a
 * session's: each session used to start its own loop (and its own retries where there is no
 * GPU), and spawning it stalled the editor's thread at every session's start. It starts with
 * the first subscriber, hands each new one the newest sample at once, and stops `lingerMs`
 * after the last one left. Sessions pick their processes out of each sample themselves.
 */
export class GpuFeed implements GpuSource {
  private monitor: NvidiaSmiMonitor | undefined;
  private readonly listeners = new Set<(s: GpuSample) => void>();
  private last: GpuSample | undefined;
  private idle: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: GpuFeedOptions = {}) {}

  /** Whether nvidia-smi runs now. */
  get running(): boolean {
    return this.monitor !== undefined;
  }

  subscribe(listener: (s: GpuSample) => void): { dispose(): void } {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners.add(listener);
    clearTimeout(this.idle);
    this.idle = undefined;
    if (!this.monitor) {
      const i = this.options.intervalMs;
      this.monitor = new NvidiaSmiMonitor({ command: this.options.command, intervalMs: typeof i === 'function' ? i() : i, onSample: (s) => this.publish(s) });
      this.monitor.start();
    } else if (this.last) {
      listener(this.last);
    }
    return { dispose: () => this.unsubscribe(listener) };
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.stop();
  }

  private unsubscribe(listener: (s: GpuSample) => void): void {
    if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
    const linger = this.options.lingerMs ?? 0;
    if (linger <= 0) return this.stop();
    this.idle = setTimeout(() => this.stop(), linger);
    this.idle.unref?.();
  }

  private publish(s: GpuSample): void {
    this.last = s;
    for (const l of [...this.listeners]) l(s);
  }

  private stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.monitor?.dispose();
    this.monitor = undefined;
    this.last = undefined;
  }
}
