import { MAX_LINE_BYTES } from '../../shared/protocol';

const NEWLINE = Buffer.from('\n');

/**
 * Splits a byte stream into lines with a hard cap on line length: a line that grows past
 * `maxBytes` is dropped (reported once) and the stream resumes at the next newline, so one
 * bad line never costs the records around it and the buffer never grows without bound.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private discarding = false;

  constructor(
    /** A line: `buf[start, start + bytes)`, its newline the byte after them. */
    private readonly onLine: (buf: Buffer, start: number, bytes: number) => void,
    private readonly onTooLong: (bytes: number) => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (this.discarding) {
        this.discarding = false;
        this.onTooLong(this.pending + nl - start);
      } else {
        const len = this.pending + nl - start;
        if (len > this.maxBytes) this.onTooLong(len);
        else if (this.parts.length === 0) this.onLine(chunk, start, len);
        else {
          this.parts.push(chunk.subarray(start, nl + 1));
          this.onLine(Buffer.concat(this.parts), 0, len);
        }
      }
      if (this.parts.length !== 0) this.parts = [];
      this.pending = 0;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (this.discarding) this.pending += rest;
      else if (this.pending + rest > this.maxBytes) {
        this.discarding = true;
        this.parts = [];
        this.pending += rest;
      } else {
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.pending += rest;
      }
    }
  }

  /**
   * The stream has ended, and with it its last line: one without a newline (a program killed
   * mid-write, a client that never wrote the last one) goes to `onLine` like any other, so it is
   * decoded if whole and refused with its reason if not; past the cap, to `onTooLong`.
   */
  finish(): void {
    if (this.discarding) this.onTooLong(this.pending);
    else if (this.pending > 0) {
      this.parts.push(NEWLINE);
      this.onLine(Buffer.concat(this.parts), 0, this.pending);
    }
    this.parts = [];
    this.pending = 0;
    this.discarding = false;
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.discarding ? 0 : this.pending;
  }
}
