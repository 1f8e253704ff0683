// The checkpoints table: sortable columns, a row per checkpoint that reveals its line, and
// "Copy table" as tab-separated text. The helpers above the class are pure.
import { CHECKPOINT_COLUMNS, checkpointCell, columnsFor, type CheckpointColumn } from '../shared/checkpointColumns';
import type { Units } from '../shared/format';
import type { CheckpointRow } from '../shared/webviewMessages';
import { copyText, el } from './dom';
import type { TimelineState } from './state';

/** The table's columns: the one list the CLI summary and the HTML report draw from too. */
export { CHECKPOINT_COLUMNS, type CheckpointColumn };

export const NO_CHECKPOINTS = 'No checkpoints yet: call headroom.checkpoint() in your program.';

/** Right-aligned, tabular digits. */
export const isNumeric = (c: CheckpointColumn): boolean => c.numeric;

/** A cell's text: bytes formatted in `units` (signed where the column is), '' when absent. */
export function cellText(r: CheckpointRow, c: CheckpointColumn, units: Units): string {
  return checkpointCell(r, c, units);
}

/** A sorted copy: numbers by value, text by localeCompare; an absent value counts as lowest. */
export function sortRows(rows: readonly CheckpointRow[], key: keyof CheckpointRow, desc: boolean): CheckpointRow[] {
  return [...rows].sort((a, b) => {
    const x = a[key] ?? -Infinity;
    const y = b[key] ?? -Infinity;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return desc ? -d : d;
  });
}

/** A header click: the same column flips the order, another one sorts by it descending. */
export function nextSort(sort: { key: keyof CheckpointRow; desc: boolean }, key: keyof CheckpointRow): { key: keyof CheckpointRow; desc: boolean } {
  return sort.key === key ? { key, desc: !sort.desc } : { key, desc: true };
}

/** A header's text: the label, and ▾ / ▴ on the sorted column. */
export function headerText(c: CheckpointColumn, key: keyof CheckpointRow, desc: boolean): string {
  return c.title + (key === c.key ? (desc ? ' ▾' : ' ▴') : '');
}

/** The table as tab-separated text, as shown: header line, then the rows in their sort order. */
export function tableText(rows: readonly CheckpointRow[], key: keyof CheckpointRow, desc: boolean, units: Units): string {
  const columns = columnsFor(rows);
  const lines = [columns.map((c) => c.title).join('\t'), ...sortRows(rows, key, desc).map((r) => columns.map((c) => cellText(r, c, units)).join('\t'))];
  return lines.join('\n');
}

export class CheckpointTable {
  readonly element = el('section', 'table');
  private readonly table = el('table');

  constructor(
    private readonly state: TimelineState,
    private readonly reveal: (file: string, line: number) => void,
  ) {
    const head = el('div', 'table-head');
    const copy = el('button', undefined, 'Copy table');
    copy.type = 'button';
    copy.dataset.action = 'copyTable';
    copy.addEventListener('click', () => {
      if (state.data) copyText(tableText(state.data.rows, state.sortKey, state.sortDesc, state.units));
    });
    head.append(el('h2', undefined, 'Checkpoints'), copy);
    this.element.append(head, this.table);
  }

  render(rows: readonly CheckpointRow[]): void {
    const { sortKey, sortDesc, units } = this.state;
    const columns = columnsFor(rows);
    const head = el('thead');
    const tr = el('tr');
    for (const c of columns) {
      const th = el('th', isNumeric(c) ? 'n' : undefined, headerText(c, sortKey, sortDesc));
      th.tabIndex = 0;
      th.setAttribute('aria-sort', sortKey === c.key ? (sortDesc ? 'descending' : 'ascending') : 'none');
      const sort = () => {
        const next = nextSort({ key: this.state.sortKey, desc: this.state.sortDesc }, c.key);
        this.state.sortKey = next.key;
        this.state.sortDesc = next.desc;
        this.render(rows);
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => e.key === 'Enter' && sort());
      tr.append(th);
    }
    head.append(tr);
    const body = el('tbody');
    for (const r of sortRows(rows, sortKey, sortDesc)) {
      const row = el('tr');
      row.tabIndex = 0;
      row.title = `${r.file}:${r.line}`;
      for (const c of columns) row.append(el('td', isNumeric(c) ? 'n' : undefined, cellText(r, c, units)));
      const reveal = () => this.reveal(r.file, r.line);
      row.addEventListener('click', reveal);
      row.addEventListener('keydown', (e) => e.key === 'Enter' && reveal());
      body.append(row);
    }
    if (rows.length === 0) {
      const row = el('tr');
      const td = el('td', 'none', NO_CHECKPOINTS);
      td.colSpan = columns.length;
      row.append(td);
      body.append(row);
    }
    this.table.replaceChildren(head, body);
  }
}
