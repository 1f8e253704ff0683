// Opens a run: every part of it (whichever was named), each through its index where it has a
// valid one (block summaries, the program's records, then only the part's unsummarised tail),
// else read in full. Records are folded as they are read, never all held at once, so memory
// stays bounded by the store's capacities whatever the run's length.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EndExplanation } from '../oom/endExplanation';
import { objectBatch } from '../protocol/recordBatch';
import { RecordIngest } from '../session/recordIngest';
import { MemoryStore } from '../store/memoryStore';
import { addBlockToStore, isBlockRecord } from './blockSummary';
import type { AnyRecord, EndRecord, RecordingHeader } from './format';
import type { LoadedRun } from './loadRecording';
import { parseRecordingText } from './recordingReader';
import { findRunFiles, partNotes, type PartFiles } from './runParts';
import { loadIntoStore, RECORDING_TYPES } from './storeFromRecords';

export interface OpenedPart {
  readonly part: number;
  readonly path?: string;
  /** `index`: summaries and the tail; `full`: every line read; `index-only`: rotation removed the samples. */
  readonly via: 'index' | 'full' | 'index-only';
  /** Bytes of the part read as lines (the tail, holes, or the whole part). */
  readonly bytesRead: number;
}

export interface OpenedRun extends LoadedRun {
  readonly parts: readonly OpenedPart[];
  /** Sentences for the user: parts removed or missing. */
  readonly notes: readonly string[];
  /** Sample records read as lines (the rest came as block summaries). */
  readonly samplesRead: number;
}

export interface OpenRunOptions {
  /** How the program's file paths are spelled in the store (the editor's canonical form). */
  readonly canonicalPath?: (file: string) => string;
  /** Bytes at the run's end read in full detail (default FULL_DETAIL_BYTES). */
  readonly fullDetailBytes?: number;
  /** Fold into these (a resumed session's own store and ingest) instead of new ones. */
  readonly into?: { readonly store: MemoryStore; readonly ingest: RecordIngest };
}

/** About 70,000 samples of a 9-process tree: the raw samples a live session's store keeps. */
export const FULL_DETAIL_BYTES = 32 * 1024 * 1024;

/** Milliseconds of folding before other events get the thread: the editor's loop must not stall. */
const SLICE_MS = 8;
/** Bytes parsed and folded in one go (about 500 samples, a few ms): a 1 MiB chunk held the thread ~10 ms. */
const CHUNK = 256 * 1024;

/** Folds records into a store and an ingest as they come, in file order. */
class RunAssembler {
  readonly store: MemoryStore;
  readonly ingest: RecordIngest;
  header: RecordingHeader | undefined;
  end: EndExplanation | undefined;
  errorCount = 0;
  samplesRead = 0;
  private lastYield = performance.now();

  constructor(
    private readonly canonical?: (file: string) => string,
    into?: { readonly store: MemoryStore; readonly ingest: RecordIngest },
  ) {
    this.store = into?.store ?? new MemoryStore();
    this.ingest = into?.ingest ?? new RecordIngest(this.store);
  }

  async feed(records: readonly AnyRecord[]): Promise<void> {
    const proto: AnyRecord[] = [];
    const own: AnyRecord[] = [];
    for (const r of records) {
      if (r.type === 'recording') this.header ??= r as unknown as RecordingHeader;
      else if (RECORDING_TYPES.has(r.type)) {
        own.push(r);
        if (r.type === 'sample') this.samplesRead++;
        else if (r.type === 'end') this.end = (r as unknown as EndRecord).explanation ?? this.end;
      } else if (typeof r.pid === 'number') proto.push(r);
    }
    if (own.length) loadIntoStore(own, this.store);
    if (proto.length) this.ingest.addBatch(objectBatch(proto as never), this.canonical);
    await this.pace();
  }

  async block(r: AnyRecord): Promise<void> {
    if (isBlockRecord(r)) addBlockToStore(r, this.store);
    await this.pace();
  }

  private async pace(): Promise<void> {
    if (performance.now() - this.lastYield < SLICE_MS) return;
    await nextTurn();
    this.lastYield = performance.now();
  }
}

/** Lines of `path` from byte `start` to `end`, parsed a chunk at a time. */
async function readLines(path: string, start: number, end: number, each: (records: AnyRecord[], errors: number) => Promise<void>): Promise<number> {
  if (end <= start) return 0;
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = Buffer.alloc(0);
  let pos = start;
  try {
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const nl = data.lastIndexOf(0x0a);
      if (nl < 0) {
        carry = Buffer.from(data);
        continue;
      }
      const r = parseRecordingText(data.toString('utf8', 0, nl + 1), false);
      carry = Buffer.from(data.subarray(nl + 1));
      await each(r.header ? [r.header as unknown as AnyRecord, ...r.records] : r.records, r.errorCount);
    }
  } finally {
    await fh.close();
  }
  return pos - start;
}

/** The `off` of an index's last block or resume line, read from its end; undefined when it has none there. */
function lastIndexOffset(index: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(index, 'r');
    const size = fstatSync(fd).size;
    const n = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, size - n);
    const lines = buf.toString('utf8').split('\n');
    if (size > n) lines.shift(); // the first may be cut
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].startsWith('{"type":"block"') && !lines[i].startsWith('{"type":"resume"')) continue;
      try {
        const off = (JSON.parse(lines[i]) as { off?: unknown }).off;
        if (typeof off === 'number' && off >= 0) return off;
      } catch {
        // a cut line: look further back
      }
    }
    return size > n ? undefined : 0;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A part through its index; false (nothing fed) when the index does not fit the part. */
async function viaIndex(p: PartFiles, a: RunAssembler, rawFrom: number): Promise<{ bytesRead: number } | false> {
  const index = p.index!;
  const from = p.indexHeader?.from ?? 0;
  // Check the index against the part before anything is fed: its last block may not lie past the part's end.
  const lastOff = lastIndexOffset(index);
  if (lastOff === undefined || (p.path && lastOff > p.size)) return false;
  let bytesRead = 0;
  let covered = 0;
  if (p.path && from > 0) bytesRead += await readLines(p.path, 0, from, (rs, e) => ((a.errorCount += e), a.feed(rs)));
  covered = from;
  let pending: AnyRecord[] = [];
  let done = false;
  await readLines(index, 0, Infinity, async (records) => {
    for (const r of records) {
      if (done || r.type === 'index' || r.type === 'recording') continue;
      if (isBlockRecord(r)) {
        // From `rawFrom` on, the part's own lines are read (full detail where the run ends).
        if (p.path && r.off > rawFrom) {
          done = true;
          continue;
        }
        // Lines copied before a block line lie before its `off` in the part: now they count.
        if (pending.length) await a.feed(pending);
        pending = [];
        await a.block(r);
        covered = Math.max(covered, r.off);
      } else if (r.type === 'resume') {
        // A later writer appended from `off`: what lies between comes from the part itself.
        const off = Number((r as { off?: unknown }).off) || 0;
        pending = [];
        if (p.path && off > covered) bytesRead += await readLines(p.path, covered, off, (rs, e) => ((a.errorCount += e), a.feed(rs)));
        covered = Math.max(covered, off);
      } else pending.push(r);
    }
  });
  if (!p.path && pending.length) await a.feed(pending); // the samples are gone: the copies are all there is
  pending = [];
  if (p.path) bytesRead += await readLines(p.path, covered, p.size, (rs, e) => ((a.errorCount += e), a.feed(rs)));
  return { bytesRead };
}

/**
 * Opens the run `path` belongs to. Parts come in order; each part's index is used where it
 * matches the part (same run, same part, not past its end), else the part is read in full.
 */
export async function openRun(path: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
  const files = findRunFiles(path);
  const a = new RunAssembler(options.canonicalPath, options.into);
  const parts: OpenedPart[] = [];
  // The run's last FULL_DETAIL_BYTES are read line by line, as a live session holds its recent
  // samples; only what lies before comes from the block summaries.
  const rawFrom = new Map<number, number>();
  let budget = options.fullDetailBytes ?? FULL_DETAIL_BYTES;
  for (const p of [...files.parts].reverse()) {
    const from = Math.max(0, p.size - budget);
    rawFrom.set(p.part, from);
    budget -= p.size - from;
  }
  for (const p of files.parts) {
    if (p.index && (!p.path || (rawFrom.get(p.part) ?? 0) > 0)) {
      const r = await viaIndex(p, a, rawFrom.get(p.part) ?? 0);
      if (r) {
        parts.push({ part: p.part, path: p.path, via: p.path ? 'index' : 'index-only', bytesRead: r.bytesRead });
        continue;
      }
    }
    if (!p.path) continue;
    const bytesRead = await readLines(p.path, 0, p.size || Infinity, (rs, e) => ((a.errorCount += e), a.feed(rs)));
    parts.push({ part: p.part, path: p.path, via: 'full', bytesRead });
  }
  const notes = partNotes(files);
  return { store: a.store, ingest: a.ingest, header: a.header ?? files.parts.find((p) => p.header)?.header, errorCount: a.errorCount, end: a.end, parts, notes, samplesRead: a.samplesRead };
}
