// "Export as Parquet": a recording as four Parquet files other tools open in one line
// (`pd.read_parquet("run.samples.parquet")`). The recording is read a chunk at a time and each
// table is written a row group at a time, so a day-long recording never sits whole in memory.
// Layout and units: docs/recording.md, "Exporting".

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { AnyRecord } from './format';
import { RecordingRows, TABLES, type TableName } from './parquetRows';
import { DEFAULT_ROW_GROUP_ROWS, ParquetTableWriter } from './parquetTable';
import { parseRecordingText } from './recordingReader';

/** The tables in the order they are written and listed. */
export const PARQUET_TABLES: readonly TableName[] = ['samples', 'processes', 'events', 'gpu'];

/** Where each table goes: `<base>.samples.parquet` and so on. */
export function parquetPaths(base: string): Record<TableName, string> {
  return { samples: `${base}.samples.parquet`, processes: `${base}.processes.parquet`, events: `${base}.events.parquet`, gpu: `${base}.gpu.parquet` };
}

/** The base name an export of `recording` takes by default: `run.ndjson` gives `run`, its rotated part `run.ndjson.1` gives `run.1`. */
export function parquetStem(recording: string): string {
  return basename(recording).replace(/\.(?:ndjson|jsonl)(?:\.(\d+))?$/i, (_, part?: string) => (part ? `.${part}` : '')) || 'recording';
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
}

export interface ParquetExportOptions {
  readonly rowGroupRows?: number;
  /** Bytes read per turn; each chunk is parsed on its own turn so an editor stays responsive. */
  readonly chunkBytes?: number;
}

/** Writes `<base>.{samples,processes,events,gpu}.parquet` from the recording at `recording`. */
export async function exportRecordingParquet(recording: string, base: string, options: ParquetExportOptions = {}): Promise<ParquetExportResult> {
  const fh = await open(recording, 'r');
  const paths = parquetPaths(base);
  const writers = new Map<TableName, ParquetTableWriter>();
  const rows = new RecordingRows();
  let header: AnyRecord | undefined;
  let unreadableLines = 0;
  let carry = Buffer.alloc(0);
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
    const chunk = Buffer.allocUnsafe(options.chunkBytes ?? 4 * 1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNl = buf.lastIndexOf(0x0a);
      // Decode only whole lines, so a multi-byte character cut by the chunk is never split.
      if (lastNl >= 0) take(buf.toString('utf8', 0, lastNl + 1));
      carry = Buffer.from(buf.subarray(lastNl + 1));
    }
    // Every table is written, empty or not, so a script can read all four for any run.
    for (const table of PARQUET_TABLES) writerFor(table).close();
  } catch (e) {
    for (const w of writers.values()) w.abort();
    throw e;
  } finally {
    await fh.close();
  }
  return {
    files: PARQUET_TABLES.map((table) => ({ table, path: paths[table], rows: writers.get(table)?.rows ?? 0 })),
    unreadableLines,
    skippedRecords: rows.skipped,
    truncatedTail: carry.length > 0,
  };
}
