import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { AnyRecord, RecordingHeader } from './format';
import { basePath, indexPath, IndexWriter } from './recordingIndex';
import { firstRecord } from './runParts';

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
  /** Write the index beside each part (recordingIndex.ts); on unless a caller opts out. */
  readonly index?: boolean;
  /** Told once if the index cannot be written (the recording goes on without it). */
  readonly onIndexError?: (e: Error) => void;
}

/**
 * Streams records to an NDJSON file. Lines are buffered and written whole, at least once
 * per `flushMs`, so a process killed mid-run leaves a file readable up to its last
 * complete line. Past `maxBytes` the file rotates (path.1, path.2, ...), each part
 * starting with the header again. Rotation never removes the run's first part: past
 * `maxFiles` it removes the oldest part after it, whose index (kept) still holds its overview
 * and the program's records. Beside each part, an index (recordingIndex.ts) lets a reader open
 * the run without reading its samples.
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
  private index: IndexWriter | undefined;
  private indexFailed = false;

  constructor(
    readonly path: string,
    private header: Omit<RecordingHeader, 'part' | 'type' | 'v'>,
    private readonly options: RecordingWriterOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 3;
    this.flushBytes = options.flushBytes ?? 256 * 1024;
    // Appending to a part another writer began (a resumed session) continues that run: its
    // part numbering and its `created`, which ties parts and indexes to one run.
    const existing = firstRecord<RecordingHeader>(path);
    if (existing?.type === 'recording') {
      if (Number.isInteger(existing.part) && existing.part >= 0) this.part = existing.part;
      if (Number.isFinite(existing.created)) this.header = { ...header, created: existing.created };
    }
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
    this.index?.record(record as AnyRecord, line, this.size);
  }

  /** Lines already encoded, each ending in a newline: written as they are, not parsed again. */
  writeRaw(lines: Uint8Array): void {
    if (this.fd === undefined || lines.length === 0) return;
    this.index?.raw(lines);
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
      this.index?.flush();
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
        this.written += writeSync(fd, this.take());
      } catch (e) {
        this.options.onError?.(e as Error);
      }
    }
    this.buffered = [];
    this.fd = undefined;
    closeSync(fd);
    this.index?.close(this.written);
    this.index = undefined;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a');
    this.written = fstatSync(this.fd).size;
    const h: RecordingHeader = { type: 'recording', v: 1, ...this.header, part: this.part };
    if (this.options.index !== false && !this.indexFailed) {
      this.index = new IndexWriter(indexPath(basePath(this.path), this.part), { type: 'index', v: 1, part: this.part, created: this.header.created, rootPid: this.header.rootPid, from: this.written }, (e) => {
        this.indexFailed = true;
        this.index = undefined;
        this.options.onIndexError?.(e);
      });
    }
    this.write(h);
    this.flush();
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.index?.close(this.written);
    this.index = undefined;
    const n = this.maxFiles;
    // Once every slot is full the oldest slot holds part 0, the run's beginning: keep it and
    // remove the part after it instead (with one slot only, there is nothing else to remove).
    const keepFirst = n >= 2 && existsSync(`${this.path}.${n}`);
    const removed = keepFirst ? `${this.path}.${n - 1}` : `${this.path}.${n}`;
    if (existsSync(removed)) rmSync(removed);
    for (let i = (keepFirst ? n - 1 : n) - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (n > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path);
    this.part++;
    this.open();
  }
}
