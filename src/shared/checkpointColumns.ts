import { formatBytes, type Units } from './format';
import type { CheckpointRow } from './webviewMessages';

/** One column of the checkpoint table, as the panel, the CLI summary and the HTML report show it. */
export interface CheckpointColumn {
  readonly key: keyof CheckpointRow;
  readonly title: string;
  /** Right-aligned, sorted as a number. */
  readonly numeric: boolean;
  /** Bytes (formatted with the user's units); `signed` adds a leading + to growth. */
  readonly bytes?: { readonly signed: boolean };
}

/** The checkpoint table's columns, in order: the one list every front end draws from. */
export const CHECKPOINT_COLUMNS: readonly CheckpointColumn[] = [
  { key: 'where', title: 'where', numeric: false },
  { key: 'label', title: 'label', numeric: false },
  { key: 'kind', title: 'kind', numeric: false },
  { key: 'delta', title: 'delta', numeric: true, bytes: { signed: true } },
  { key: 'sinceStart', title: 'since start', numeric: true, bytes: { signed: true } },
  { key: 'peak', title: 'peak', numeric: true, bytes: { signed: false } },
  { key: 'hits', title: 'hits', numeric: true },
  { key: 'growth', title: 'growth/hit', numeric: true, bytes: { signed: true } },
];

/**
 * A cell as plain text: the caller makes it safe for its medium (textContent in the panel,
 * escaping in HTML, control characters removed in a terminal). Missing values are empty.
 */
export function checkpointCell(row: CheckpointRow, column: CheckpointColumn, units: Units): string {
  const v = row[column.key];
  if (v === undefined) return '';
  return column.bytes ? formatBytes(Number(v), units, column.bytes.signed) : String(v);
}
