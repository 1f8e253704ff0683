import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { exportRecordingParquet, parquetBaseOf, parquetStem } from '../engine/recording/parquetExport';
import { UsageError } from './args';
import { textTable } from './textTable';

const EXPORT_USAGE = 'headroom export REC.ndjson --parquet [--out PATH]';

export interface ExportArgs {
  readonly recording: string;
  readonly format: 'parquet';
  readonly out?: string;
}

/** `export REC --parquet [--out PATH]`, options in any order. */
export function parseExportArgs(argv: readonly string[]): ExportArgs {
  let recording: string | undefined;
  let format: 'parquet' | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--parquet') format = 'parquet';
    else if (a === '--out' || a === '-o') {
      out = argv[++i];
      if (out === undefined) throw new UsageError(`${a} needs a value`);
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (${EXPORT_USAGE})`);
    else if (recording === undefined) recording = a;
    else throw new UsageError(`one recording at a time (${EXPORT_USAGE})`);
  }
  if (!recording) throw new UsageError(EXPORT_USAGE);
  if (!format) throw new UsageError(`say the format: ${EXPORT_USAGE}`);
  return { recording, format, out };
}

/**
 * The base the four files take: `--out DIR` (an existing folder, or one ending in /) puts them
 * there under the recording's name; `--out run` or `--out run.parquet` names them run.*.parquet.
 */
export function exportBase(recording: string, out: string | undefined): string {
  if (out === undefined) return join(dirname(resolve(recording)), parquetStem(recording));
  const isDir = /[\\/]$/.test(out) || (existsSync(out) && statSync(out).isDirectory());
  return isDir ? join(resolve(out), parquetStem(recording)) : resolve(parquetBaseOf(out));
}

/** `headroom export REC --parquet [--out PATH]`: the recording as Parquet tables for pandas, polars, DuckDB. */
export async function exportCommand(argv: string[]): Promise<number> {
  const args = parseExportArgs(argv);
  if (!existsSync(args.recording)) {
    process.stderr.write(`headroom: cannot export ${args.recording}: no such file\n`);
    return 1;
  }
  const base = exportBase(args.recording, args.out);
  mkdirSync(dirname(base), { recursive: true });
  const r = await exportRecordingParquet(args.recording, base);
  if (r.unreadableLines) process.stderr.write(`headroom: ${args.recording}: ${r.unreadableLines} unreadable line(s) skipped\n`);
  if (r.skippedRecords) process.stderr.write(`headroom: ${args.recording}: ${r.skippedRecords} record(s) without a usable time skipped\n`);
  for (const n of r.notes) process.stderr.write(`headroom: ${args.recording}: ${n}\n`);
  if (r.truncatedTail) process.stderr.write(`headroom: ${args.recording}: the last line was cut short (the writer was stopped mid-line); it is left out\n`);
  const rows = r.files.map((f) => [f.table, String(f.rows), f.path]);
  process.stdout.write([...textTable(['table', 'rows', 'file'], rows, (i) => i === 1), '', `pandas: pd.read_parquet(${JSON.stringify(r.files[0].path)})`].join('\n') + '\n');
  return 0;
}
