// "Export as Parquet": a recording as four Parquet files other tools open in one line
// (`pd.read_parquet("run.samples.parquet")`). Every part of the run is exported, whichever was
// named. Each file is read a chunk at a time and each table is written a row group at a time,
// so a day-long recording never sits whole in memory. Layout and units: docs/recording.md,
// "Exporting".

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AnyRecord } from './format';
import { RecordingRows, TABLES, type TableName } from './parquetRows';
import { DEFAULT_ROW_GROUP_ROWS, ParquetTableWriter } from './parquetTable';
import { parseRecordingText } from './recordingReader';
import { findRunFiles, partNotes } from './runParts';

/** The tables in the order they are written and listed. */
export const PARQUET_TABLES: readonly TableName[] = ['samples', 'processes', 'events', 'gpu'];

/** Where each table goes: `<base>.samples.parquet` and so on. */
export function parquetPaths(base: string): Record<TableName, string> {
  return { samples: `${base}.samples.parquet`, processes: `${base}.processes.parquet`, events: `${base}.events.parquet`, gpu: `${base}.gpu.parquet` };
}

/** The base name an export of `recording` takes by default: `run.ndjson`, and any of its rotated parts (`run.ndjson.1`), give `run`. */
export function parquetStem(recording: string): string {
  return basename(recording).replace(/\.(?:ndjson|jsonl)(?:\.\d+)?$/i, '') || 'recording';
}

/** A path the user chose (`run.parquet`, `run.samples.parquet`, `run`) as the base of the four files. */
export function parquetBaseOf(chosen: string): string {
  return chosen.replace(/(\.(samples|processes|events|gpu))?\.parquet$/i, '');
}

export interface ParquetExportResult {
  /** Each table's file and its rows. */
  readonly files: readonly { readonly table: TableName; readonly path: string; readonly rows: number }[];
  /** Lines that were not records, and records without a usable time: skipped, counted. */
  readonly unreadableLines: number;
  readonly skippedRecords: number;
  /** True when the recording ended inside a line (a writer killed mid-line): that line is left out. */
  readonly truncatedTail: boolean;
  /** The run's parts exported (ascending); those removed by rotation gave their events only, from their index. */
  readonly parts: readonly number[];
  /** Sentences for the user: parts removed by rotation or missing. */
  readonly notes: readonly string[];
}

export interface ParquetExportOptions {
  readonly rowGroupRows?: number;
  /** Bytes read per turn; each chunk is parsed on its own turn so an editor stays responsive. */
  readonly chunkBytes?: number;
}

/**
 * Writes `<base>.{samples,processes,events,gpu}.parquet` from the run `recording` belongs to:
 * every part in order. A part whose samples rotation removed gives the program's records and
 * the sampler's events its index kept (the index's block summaries are an overview, not
 * samples, and are not exported as if they were).
 */
export async function exportRecordingParquet(recording: string, base: string, options: ParquetExportOptions = {}): Promise<ParquetExportResult> {
  const run = findRunFiles(recording);
  const paths = parquetPaths(base);
  const writers = new Map<TableName, ParquetTableWriter>();
  const rows = new RecordingRows();
  let header: AnyRecord | undefined;
  let unreadableLines = 0;
  let truncatedTail = false;
  const parts: number[] = [];
  const writerFor = (table: TableName) => {
    let w = writers.get(table);
    if (!w) {
      // The header (command, host, root pid, start) rides in each file's key-value metadata.
      const metadata = header ? [{ key: 'headroom.recording', value: JSON.stringify(header) }] : [];
      w = new ParquetTableWriter(paths[table], TABLES[table], metadata, options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS);
      writers.set(table, w);
    }
    return w;
  };
  const take = (text: string) => {
    const part = parseRecordingText(text, false);
    unreadableLines += part.errorCount;
    header ??= part.header as AnyRecord | undefined;
    for (const r of part.records) for (const { table, row } of rows.rows(r)) writerFor(table).add(row);
  };
  try {
    for (const p of run.parts) {
      const file = p.path ?? p.index;
      if (!file) continue;
      // An index's own lines (index, block, resume) make no rows: only its copies of records do.
      if (await readWholeLines(file, options.chunkBytes ?? 4 * 1024 * 1024, take)) truncatedTail = true;
      parts.push(p.part);
    }
    // Every table is written, empty or not, so a script can read all four for any run.
    for (const table of PARQUET_TABLES) writerFor(table).close();
  } catch (e) {
    for (const w of writers.values()) w.abort();
    throw e;
  }
  return {
    files: PARQUET_TABLES.map((table) => ({ table, path: paths[table], rows: writers.get(table)?.rows ?? 0 })),
    unreadableLines,
    skippedRecords: rows.skipped,
    truncatedTail,
    parts,
    notes: partNotes(run),
  };
}

/** Hands `take` the file's text a chunk of whole lines at a time; true when it ended inside a line. */
async function readWholeLines(path: string, chunkBytes: number, take: (text: string) => void): Promise<boolean> {
  const fh = await open(path, 'r');
  let carry = Buffer.alloc(0);
  try {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNl = buf.lastIndexOf(0x0a);
      // Decode only whole lines, so a multi-byte character cut by the chunk is never split.
      if (lastNl >= 0) take(buf.toString('utf8', 0, lastNl + 1));
      carry = Buffer.from(buf.subarray(lastNl + 1));
    }
  } finally {
    await fh.close();
  }
  return carry.length > 0;
}
