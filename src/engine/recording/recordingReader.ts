import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { AnyRecord, RecordingHeader } from './format';

export interface LineError {
  readonly line: number;
  readonly message: string;
}

export interface ReadResult {
  readonly header?: RecordingHeader;
  readonly records: AnyRecord[];
  /** Lines that were not valid records (kept count, not content). */
  readonly errors: LineError[];
  readonly errorCount: number;
  /** True when the file ended inside a line (a writer killed mid-line). */
  readonly truncatedTail: boolean;
}

const MAX_ERRORS_KEPT = 100;

/** Parses NDJSON text into records; a partial last line (no newline) is not an error. */
export function parseRecordingText(text: string, endsFile = true): ReadResult {
  const records: AnyRecord[] = [];
  const errors: LineError[] = [];
  let errorCount = 0;
  let header: RecordingHeader | undefined;
  let start = 0;
  let lineNo = 0;
  let truncatedTail = false;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (endsFile) truncatedTail = true;
      break;
    }
    lineNo++;
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as AnyRecord;
      if (!r || typeof r !== 'object' || typeof r.type !== 'string') throw new Error('not a record (no "type")');
      if (r.type === 'recording') {
        header ??= r as unknown as RecordingHeader;
        continue;
      }
      records.push(r);
    } catch (e) {
      errorCount++;
      if (errors.length < MAX_ERRORS_KEPT) errors.push({ line: lineNo, message: (e as Error).message });
    }
  }
  return { header, records, errors, errorCount, truncatedTail };
}

/** Whole lines of a recording, fed a chunk at a time; keeps the count and the partial tail. */
class RecordingLines {
  readonly records: AnyRecord[] = [];
  readonly errors: LineError[] = [];
  errorCount = 0;
  header: RecordingHeader | undefined;
  private carry = Buffer.alloc(0);
  private linesBefore = 0;

  push(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) {
      this.carry = Buffer.from(buf);
      return;
    }
    // Decode only whole lines, so a multi-byte character is never split.
    const part = parseRecordingText(buf.toString('utf8', 0, lastNl + 1), false);
    this.header ??= part.header;
    for (const r of part.records) this.records.push(r);
    for (const e of part.errors) if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push({ line: e.line + this.linesBefore, message: e.message });
    this.errorCount += part.errorCount;
    this.linesBefore += countNewlines(buf, lastNl + 1);
    this.carry = Buffer.from(buf.subarray(lastNl + 1));
  }

  result(): ReadResult {
    return { header: this.header, records: this.records, errors: this.errors, errorCount: this.errorCount, truncatedTail: this.carry.length > 0 };
  }
}

/**
 * Reads a recording file in chunks (no whole-file string), keeping every complete line.
 * A file cut at any byte loads everything before the cut.
 */
export function readRecording(path: string): ReadResult {
  const fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
  const lines = new RecordingLines();
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      lines.push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return lines.result();
}

/** Chunk size of the asynchronous reader: small enough that parsing one never holds the thread long. */
const ASYNC_CHUNK_BYTES = 512 * 1024;

/**
 * `readRecording` without blocking the thread: each chunk is read asynchronously and parsed
 * on its own turn, so an editor stays responsive while a day-long recording opens.
 */
export async function readRecordingAsync(path: string): Promise<ReadResult> {
  const fh = await open(path, 'r');
  const chunk = Buffer.allocUnsafe(ASYNC_CHUNK_BYTES);
  const lines = new RecordingLines();
  try {
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      lines.push(chunk.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return lines.result();
}

function countNewlines(buf: Buffer, end: number): number {
  let c = 0;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) c++;
  return c;
}
