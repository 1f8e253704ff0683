// Reads a Parquet export with the real pyarrow, pandas and polars of the project venv
// (scripts/ensure-venv.sh installs them, pinned). Without them the tests fail, saying so:
// an export nobody read back is not tested.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
export const venvPython = join(root, '.venv', 'bin', 'python');

export interface TableAsRead {
  readonly rows: number;
  readonly rowGroups: number;
  readonly arrow: Record<string, string>;
  readonly pandas: Record<string, string>;
  readonly polars: Record<string, string>;
  readonly pandasRows: number;
  readonly polarsRows: number;
  /** `pandas:rss` where pandas (or polars) read other values than pyarrow. */
  readonly mismatches: string[];
  readonly header: Record<string, unknown> | null;
  readonly columns: Record<string, (number | string | null)[]>;
}

export type ExportAsRead = Record<'samples' | 'processes' | 'events' | 'gpu', TableAsRead>;

/** Throws, naming the fix, when the venv cannot import the three libraries. */
export function requireParquetReaders(): void {
  const why = existsSync(venvPython) ? spawnSync(venvPython, ['-c', 'import pyarrow, pandas, polars'], { encoding: 'utf8' }) : undefined;
  if (!why || why.status !== 0) {
    throw new Error(`the Parquet tests read the files with pyarrow, pandas and polars from ${venvPython}, which ${why ? `cannot import them (${why.stderr.trim().split('\n').pop()})` : 'does not exist'}: run scripts/ensure-venv.sh`);
  }
}

/** `base.*.parquet` as the three libraries read it. */
export function readParquetExport(base: string): ExportAsRead {
  const r = spawnSync(venvPython, [join(__dirname, 'parquetRead.py'), base], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`reading ${base}.*.parquet failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ExportAsRead;
}

/** A string as UTF-8 can carry it: a lone surrogate becomes U+FFFD, as the encoder writes it. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
