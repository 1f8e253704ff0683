import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BatchDecoder, type RecordBatch } from './recordBatch';

/** The listener's messages to the decode worker. */
export type ToDecodeWorker =
  | { readonly op: 'open'; readonly id: number; readonly pid: number }
  | { readonly op: 'data'; readonly id: number; readonly buf: ArrayBuffer }
  | { readonly op: 'end'; readonly id: number };

/** The decode worker's answers: one `batch` per `data`, one `ended` per `end`, in the order asked. */
export type FromDecodeWorker = { readonly op: 'batch'; readonly id: number; readonly bytes: number; readonly batch: RecordBatch } | { readonly op: 'ended'; readonly id: number };

export interface DecodeSink {
  /** Connection `id`'s next batch, in order. */
  batch(id: number, batch: RecordBatch): void;
  /** Connection `id` has no more batches to come. */
  ended(id: number): void;
  /** The worker stopped: decoding goes on inline; what it held is lost. */
  lost(why: string): void;
}

/** Milliseconds of folding the worker's batches before the thread goes to other events. */
const DELIVER_SLICE_MS = 8;

/** The worker's entry beside this module: built JavaScript, or TypeScript when running from source under tsx. */
function workerEntry(): { file: string; execArgv?: string[] } | undefined {
  const js = join(__dirname, 'decodeWorker.js');
  if (existsSync(js)) return { file: js };
  const ts = join(__dirname, 'decodeWorker.ts');
  if (existsSync(ts)) return { file: ts, execArgv: ['--require', 'tsx/cjs'] };
  return undefined;
}

/**
 * Decodes every connection's bytes off the extension host's thread: JSON.parse and
 * validation run in one worker thread, and the records come back as transferred batches,
 * so a flood of records costs the host only the folding of columns into the store. Where
 * no worker can start (or it dies), the same decoder runs inline.
 */
export class DecodeThread {
  private worker: Worker | undefined;
  private readonly inline = new Map<number, BatchDecoder>();
  /** Bytes handed to the worker and not yet answered, per connection. */
  private readonly inFlight = new Map<number, number>();
  private readonly ending = new Set<number>();
  private readonly pids = new Map<number, number>();
  /** The worker's answers not yet handed to the sink, from `answered` on. */
  private answers: FromDecodeWorker[] = [];
  private answered = 0;
  private draining = false;
  private disposed = false;

  constructor(private readonly sink: DecodeSink) {}

  /** Where decoding runs now. */
  get mode(): 'worker' | 'inline' {
    return this.worker ? 'worker' : 'inline';
  }

  /** Starts the worker; resolves false (decoding inline) where it cannot start. */
  async start(): Promise<boolean> {
    const entry = workerEntry();
    if (!entry) return false;
    const w = new Worker(entry.file, { execArgv: entry.execArgv, stdout: false, stderr: false });
    const started = await new Promise<boolean>((resolve) => {
      w.once('online', () => resolve(true));
      w.once('error', () => resolve(false));
    });
    if (!started || this.disposed) {
      void w.terminate();
      return false;
    }
    w.unref();
    w.on('message', (m: FromDecodeWorker) => this.enqueue(m));
    w.on('error', (e) => this.fallBack(`the decode worker failed: ${e.message}`));
    w.on('exit', (code) => this.fallBack(`the decode worker exited (code ${code})`));
    this.worker = w;
    return true;
  }

  /** A new connection from program `pid`. */
  open(id: number, pid: number): void {
    if (this.worker) this.post({ op: 'open', id, pid });
    else this.inline.set(id, new BatchDecoder(pid));
    this.inFlight.set(id, 0);
    this.pids.set(id, pid);
  }

  /** Bytes of connection `id` not yet decoded. */
  pending(id: number): number {
    return this.inFlight.get(id) ?? 0;
  }

  push(id: number, chunk: Buffer): void {
    if (this.worker) {
      // A copy the worker can own: the socket's buffer stays with the socket.
      const buf = new ArrayBuffer(chunk.length);
      new Uint8Array(buf).set(chunk);
      this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + chunk.length);
      this.post({ op: 'data', id, buf }, [buf]);
      return;
    }
    const d = this.inline.get(id);
    if (d) this.sink.batch(id, d.push(chunk));
  }

  /** No more bytes for `id`: `sink.ended` follows its last batch. */
  end(id: number): void {
    if (this.worker) {
      this.ending.add(id);
      this.post({ op: 'end', id });
      return;
    }
    const last = this.inline.get(id)?.end();
    this.forget(id);
    if (last) this.sink.batch(id, last);
    this.sink.ended(id);
  }

  /**
   * The worker's answers are folded in slices of DELIVER_SLICE_MS, in the order they came. A port
   * hands over every message waiting on it in one go: after a busy moment that is megabytes of
   * records, which folded at once held the host's thread for a tenth of a second or more.
   * Bytes count as in flight until folded, so a backlog here still pauses the socket.
   */
  private enqueue(m: FromDecodeWorker): void {
    this.answers.push(m);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(deadline = performance.now() + DELIVER_SLICE_MS): void {
    while (this.answered < this.answers.length && !this.disposed) {
      const m = this.answers[this.answered++];
      if (m.op === 'batch') {
        this.inFlight.set(m.id, (this.inFlight.get(m.id) ?? m.bytes) - m.bytes);
        this.sink.batch(m.id, m.batch);
      } else {
        this.forget(m.id);
        this.sink.ended(m.id);
      }
      if (performance.now() >= deadline && this.answered < this.answers.length) {
        setImmediate(() => this.drain());
        return;
      }
    }
    this.answers.length = 0;
    this.answered = 0;
    this.draining = false;
  }

  private forget(id: number): void {
    this.inline.delete(id);
    this.inFlight.delete(id);
    this.ending.delete(id);
    this.pids.delete(id);
  }

  dispose(): void {
    this.disposed = true;
    this.answers = [];
    this.answered = 0;
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    this.inline.clear();
    this.inFlight.clear();
    this.ending.clear();
    this.pids.clear();
  }

  private post(m: ToDecodeWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(m, transfer);
  }

  private fallBack(why: string): void {
    if (this.disposed || !this.worker) return;
    const w = this.worker;
    this.worker = undefined;
    void w.terminate();
    // What the worker answered before it stopped is delivered first, in order.
    this.drain(Infinity);
    this.sink.lost(why);
    // Connections carry on with a fresh decoder each; those that were ending end now.
    for (const id of [...this.inFlight.keys()]) {
      this.inFlight.set(id, 0);
      if (this.ending.has(id)) this.end(id);
      else this.inline.set(id, new BatchDecoder(this.pids.get(id)));
    }
  }
}
