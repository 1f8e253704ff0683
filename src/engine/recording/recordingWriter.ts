import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { RecordingHeader } from './format';

export interface RecordingWriterOptions {
  /** Rotate once the current file passes this size. */
  readonly maxBytes?: number;
  /** Rotated files kept beside the current one (path.1 is the newest). */
  readonly maxFiles?: number;
  /** Buffered lines reach the disk at least this often. */
  readonly flushMs?: number;
  /** Flush early once this many bytes are buffered. */
  readonly flushBytes?: number;
  readonly onError?: (e: Error) => void;
}

/**
 * Streams records to an NDJSON file. Lines are buffered and written whole, at least once
 * per `flushMs`, so a process killed mid-run leaves a file readable up to its last
 * complete line. Past `maxBytes` the file rotates (path.1, path.2, ...), each part
 * starting with the header again.
 */
export class RecordingWriter {
  private fd: number | undefined;
  private buffered: (string | Uint8Array)[] = [];
  private bufferedBytes = 0;
  private written = 0;
  private part = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly flushBytes: number;

  constructor(
    readonly path: string,
    private readonly header: Omit<RecordingHeader, 'part' | 'type' | 'v'>,
    private readonly options: RecordingWriterOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 3;
    this.flushBytes = options.flushBytes ?? 256 * 1024;
    this.open();
    this.timer = setInterval(() => this.flush(), options.flushMs ?? 500);
    this.timer.unref?.();
  }

  /** Bytes in the current part, flushed or not. */
  get size(): number {
    return this.written + this.bufferedBytes;
  }

  write(record: object): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify(record) + '\n';
    this.buffer(line, Buffer.byteLength(line));
  }

  /** Lines already encoded, each ending in a newline: written as they are, not parsed again. */
  writeRaw(lines: Uint8Array): void {
    if (this.fd === undefined || lines.length === 0) return;
    this.buffer(lines, lines.length);
  }

  private buffer(data: string | Uint8Array, bytes: number): void {
    this.buffered.push(data);
    this.bufferedBytes += bytes;
    if (this.bufferedBytes >= this.flushBytes) this.flush();
  }

  /** The buffered lines as one write, emptying the buffer. */
  private take(): Buffer {
    const parts = this.buffered.map((x) => (typeof x === 'string' ? Buffer.from(x) : x));
    this.buffered = [];
    this.bufferedBytes = 0;
    return Buffer.concat(parts);
  }

  flush(): void {
    if (this.fd === undefined || this.buffered.length === 0) return;
    const data = this.take();
    try {
      writeSync(this.fd, data);
      this.written += data.length;
    } catch (e) {
      // Disk full or the file gone: stop recording, say so once, never take monitoring down.
      if (!this.failed) this.options.onError?.(e as Error);
      this.failed = true;
      this.close();
      return;
    }
    if (this.written >= this.maxBytes) this.rotate();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd === undefined) return;
    const fd = this.fd;
    if (!this.failed && this.buffered.length) {
      try {
        writeSync(fd, this.take());
      } catch (e) {
        this.options.onError?.(e as Error);
      }
    }
    this.buffered = [];
    this.fd = undefined;
    closeSync(fd);
  }

  private open(): void {
    this.fd = openSync(this.path, 'a');
    this.written = fstatSync(this.fd).size;
    const h: RecordingHeader = { type: 'recording', v: 1, ...this.header, part: this.part };
    this.write(h);
    this.flush();
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const oldest = `${this.path}.${this.maxFiles}`;
    if (existsSync(oldest)) rmSync(oldest);
    for (let i = this.maxFiles - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.maxFiles > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path);
    this.part++;
    this.open();
  }
}
