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
  /** Its own text, when one field is not enough. */
  readonly format?: (row: CheckpointRow, units: Units) => string;
  /** Shown only when some row has a value (the ranks of a distributed launch). */
  readonly optional?: boolean;
}

/** `max +1.20 GB (rank 3) · min +900 MB (rank 0)`, and the rank far above the others. */
function rankText(r: CheckpointRow, units: Units): string {
  if (r.rankMax === undefined || r.rankMin === undefined) return '';
  const text =
    r.rankMax === r.rankMin
      ? `${formatBytes(r.rankMax, units, true)} on every rank`
      : `max ${formatBytes(r.rankMax, units, true)} (rank ${r.rankMaxOf}) · min ${formatBytes(r.rankMin, units, true)} (rank ${r.rankMinOf})`;
  return r.rankOutlier === undefined ? text : `${text} · ⚠ rank ${r.rankOutlier} far above`;
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
  { key: 'rankMax', title: 'ranks', numeric: false, format: rankText, optional: true },
];

/** The columns to draw for `rows`: optional ones only when some row fills them. */
export function columnsFor(rows: readonly CheckpointRow[]): readonly CheckpointColumn[] {
  return CHECKPOINT_COLUMNS.filter((c) => !c.optional || rows.some((r) => r[c.key] !== undefined));
}

/**
 * A cell as plain text: the caller makes it safe for its medium (textContent in the panel,
 * escaping in HTML, control characters removed in a terminal). Missing values are empty.
 */
export function checkpointCell(row: CheckpointRow, column: CheckpointColumn, units: Units): string {
  if (column.format) return column.format(row, units);
  const v = row[column.key];
  if (v === undefined) return '';
  return column.bytes ? formatBytes(Number(v), units, column.bytes.signed) : String(v);
}
