// The order the checkpoints table shows its rows in. Live, every update re-sorted the rows,
// so the one under the pointer jumped away before it could be clicked: while the table is
// held (pointer over it, or keyboard focus in it) rows keep their places. Pure.
import type { CheckpointRow } from '../shared/webviewMessages';

/** A row's identity across updates: its location (a row is one line of code; its label is the last one hit there). */
export const rowKey = (r: CheckpointRow): string => `${r.file}\u0000${r.line}`;

/** A sorted copy: numbers by value, text by localeCompare; an absent value counts as lowest. */
export function sortRows(rows: readonly CheckpointRow[], key: keyof CheckpointRow, desc: boolean): CheckpointRow[] {
  return [...rows].sort((a, b) => {
    const x = a[key] ?? -Infinity;
    const y = b[key] ?? -Infinity;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return desc ? -d : d;
  });
}

/**
 * The rows to show: sorted by `key`, unless `held`, when the rows shown before (`previous`,
 * their keys in order) keep their places with their new values and rows new since then follow
 * them, sorted. Rows that went away are dropped.
 */
export function displayOrder(rows: readonly CheckpointRow[], previous: readonly string[], held: boolean, key: keyof CheckpointRow, desc: boolean): CheckpointRow[] {
  const sorted = sortRows(rows, key, desc);
  if (!held || previous.length === 0) return sorted;
  const place = new Map(previous.map((k, i) => [k, i]));
  const kept = sorted.filter((r) => place.has(rowKey(r))).sort((a, b) => (place.get(rowKey(a)) as number) - (place.get(rowKey(b)) as number));
  return [...kept, ...sorted.filter((r) => !place.has(rowKey(r)))];
}

/** Whether `shown` differs from the sorted order: the table says its order is paused. */
export function outOfOrder(shown: readonly CheckpointRow[], key: keyof CheckpointRow, desc: boolean): boolean {
  const sorted = sortRows(shown, key, desc);
  return shown.some((r, i) => rowKey(r) !== rowKey(sorted[i]) && r[key] !== sorted[i][key]);
}
