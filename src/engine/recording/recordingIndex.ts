// The index written beside each recording part: block summaries of its samples and copies of
// every other line (the program's records, exits, guard actions, the end). Opening a run reads
// the index and only the part's tail after the last block, never the samples themselves, so a
// day-long run opens in a fixed time. The recording stays the whole truth: an index that is
// missing, stale or damaged is ignored and the part read in full. docs/recording.md, "The index".

import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { BlockSummarizer } from './blockSummary';
import type { AnyRecord } from './format';

export const INDEX_VERSION = 1;

/** The index's first line. */
export interface IndexHeader {
  readonly type: 'index';
  readonly v: number;
  readonly part: number;
  /** The recording header's `created`: an index belongs to the run whose parts carry the same. */
  readonly created: number;
  readonly rootPid: number;
  /** The part's size when this index began (a part appended to by a later writer): bytes before it are not summarised. */
  readonly from?: number;
}

/** A later writer appended to the part (a session resumed): lines from the previous index's last block to `off` are not summarised. */
export interface ResumeRecord {
  readonly type: 'resume';
  readonly off: number;
}

/** Part files shift names when a recording rotates (`rec.ndjson` → `rec.ndjson.1`); an index keeps its part's number. */
export function indexPath(base: string, part: number): string {
  return `${base}.p${part}.idx`;
}

/** The run's first file name: `rec.ndjson` for `rec.ndjson.3` as for itself. */
export function basePath(path: string): string {
  return path.replace(/\.\d+$/, '');
}

/** An index's part number from its file name, for names `indexPath` makes. */
export function indexPartOf(base: string, file: string): number | undefined {
  const prefix = basename(base) + '.p';
  if (!file.startsWith(prefix) || !file.endsWith('.idx')) return undefined;
  const n = Number(file.slice(prefix.length, -4));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function indexDir(base: string): string {
  return dirname(base) || '.';
}

/**
 * Writes one part's index. The recording writer calls it for every line it writes, in the same
 * order, and flushes it right after the recording: a line copied after a block line lies after
 * that block's `off` in the part, which is what lets a reader take the part's tail from the part.
 */
export class IndexWriter {
  private fd: number | undefined;
  private buffered: string[] = [];
  private readonly blocks = new BlockSummarizer();

  constructor(
    readonly path: string,
    private readonly header: IndexHeader,
    private readonly onError: (e: Error) => void,
  ) {
    // A part appended to (a resumed session) keeps its index and marks where this writer began.
    const from = header.from ?? 0;
    const append = from > 0 && existsSync(path) && statSync(path).size > 0;
    try {
      this.fd = openSync(path, append ? 'a' : 'w', 0o600);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    const resume: ResumeRecord = { type: 'resume', off: from };
    this.buffered.push(JSON.stringify(append ? resume : header) + '\n');
  }

  /** A record the writer wrote as an object; `end` is the part's size after its line. */
  record(record: AnyRecord, line: string, end: number): void {
    if (this.fd === undefined) return;
    if (record.type === 'sample' || record.type === 'gpu') {
      if (this.blocks.add(record)) this.closeBlock(end);
    } else this.buffered.push(line);
  }

  /** Lines the writer wrote as they came (protocol records), each ending in a newline. */
  raw(lines: Uint8Array): void {
    if (this.fd === undefined) return;
    this.buffered.push(Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength).toString('utf8'));
  }

  /**
   * Ends the open block at byte `end` of the part. Lines copied since the last block count
   * only once a block line follows them, so a close writes one even with no samples.
   */
  closeBlock(end: number, always = false): void {
    const b = this.blocks.take(this.header.part, end) ?? (always ? { type: 'block', part: this.header.part, off: end, t0: 0, t1: 0, n: 0, s: {} } : undefined);
    if (b) this.buffered.push(JSON.stringify(b) + '\n');
  }

  flush(): void {
    if (this.fd === undefined || this.buffered.length === 0) return;
    const data = this.buffered.join('');
    this.buffered = [];
    try {
      writeSync(this.fd, data);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  close(end: number): void {
    if (this.fd === undefined) return;
    this.closeBlock(end, true);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The index is a cache: failing to write it costs opening speed, never the recording. */
  private fail(e: Error): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already gone
      }
    }
    this.fd = undefined;
    this.buffered = [];
    this.onError(e);
  }
}
