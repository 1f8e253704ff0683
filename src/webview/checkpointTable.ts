// The checkpoints table: sortable columns, a row per checkpoint that reveals its line, and
// "Copy table" as tab-separated text. It scrolls sideways in its own box at half width (the
// `where` column stays put), and while the pointer or focus is in it, live updates change the
// values but not the order (rowOrder.ts). The helpers above the class are pure.
import { CHECKPOINT_COLUMNS, checkpointCell, columnsFor, type CheckpointColumn } from '../shared/checkpointColumns';
import type { Units } from '../shared/format';
import type { CheckpointRow } from '../shared/webviewMessages';
import { codicon, copyText, el } from './dom';
import { noCheckpointsText, segmentNodes } from './emptyState';
import { displayOrder, outOfOrder, rowKey, sortRows } from './rowOrder';
import type { TimelineState } from './state';

/** The table's columns: the one list the CLI summary and the HTML report draw from too. */
export { CHECKPOINT_COLUMNS, sortRows, type CheckpointColumn };

/** Right-aligned, tabular digits. */
export const isNumeric = (c: CheckpointColumn): boolean => c.numeric;

/** A cell's text: bytes formatted in `units` (signed where the column is), '' when absent. */
export function cellText(r: CheckpointRow, c: CheckpointColumn, units: Units): string {
  return checkpointCell(r, c, units);
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
  private readonly paused = el('span', 'hint', 'order paused');
  private rows: readonly CheckpointRow[] = [];
  /** The keys of the rows shown, in their order. */
  private shown: string[] = [];
  /** Pointer over the table or focus in it: live updates keep the order. */
  private held = false;

  constructor(
    private readonly state: TimelineState,
    private readonly reveal: (file: string, line: number) => void,
  ) {
    const head = el('div', 'table-head');
    const copy = el('button', 'icon-button');
    copy.type = 'button';
    copy.dataset.action = 'copyTable';
    copy.title = 'Copy table: the rows as tab-separated text, in their sort order';
    copy.setAttribute('aria-label', 'Copy table');
    copy.append(codicon('copy'));
    copy.addEventListener('click', () => {
      if (state.data) copyText(tableText(state.data.rows, state.sortKey, state.sortDesc, state.units));
    });
    this.paused.hidden = true;
    this.paused.title = 'Live updates keep the rows in place while the pointer is over the table; they sort again when it leaves';
    head.append(el('h2', undefined, 'Checkpoints'), this.paused, copy);
    const scroll = el('div', 'table-scroll');
    scroll.append(this.table);
    this.element.append(head, scroll);
    const hold = (held: boolean) => {
      if (this.held === held) return;
      this.held = held;
      this.element.dataset.held = String(held);
      if (!held) this.render(this.rows);
    };
    scroll.addEventListener('pointerenter', () => hold(true));
    // A clicked row keeps the page's focus after its line opens in the editor: only a focused page holds.
    scroll.addEventListener('pointerleave', () => hold(document.hasFocus() && this.table.contains(document.activeElement)));
    scroll.addEventListener('focusin', () => hold(true));
    scroll.addEventListener('focusout', (e) => hold(scroll.matches(':hover') || this.table.contains(e.relatedTarget as Node | null)));
  }

  /** Draws `rows`: sorted, or in the places they had while the table is held. */
  render(rows: readonly CheckpointRow[], resort = false): void {
    this.rows = rows;
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
        this.render(this.rows, true); // asked for: sorts even while held
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', (e) => e.key === 'Enter' && sort());
      tr.append(th);
    }
    head.append(tr);
    const body = el('tbody');
    // Live updates redraw the rows: the one with keyboard focus gets it back.
    const focused = this.table.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.key : undefined;
    const ordered = displayOrder(rows, this.shown, this.held && !resort, sortKey, sortDesc);
    this.shown = ordered.map(rowKey);
    this.paused.hidden = !outOfOrder(ordered, sortKey, sortDesc);
    for (const r of ordered) {
      const row = el('tr');
      row.tabIndex = 0;
      row.title = `${r.file}:${r.line}`;
      row.dataset.key = rowKey(r);
      for (const c of columns) row.append(el('td', isNumeric(c) ? 'n' : undefined, cellText(r, c, units)));
      const reveal = () => this.reveal(r.file, r.line);
      row.addEventListener('click', reveal);
      row.addEventListener('keydown', (e) => e.key === 'Enter' && reveal());
      body.append(row);
    }
    if (rows.length === 0) {
      const row = el('tr');
      const td = el('td', 'none');
      td.append(...segmentNodes(noCheckpointsText(this.state.data?.reporter, this.state.data?.live ?? false)));
      td.colSpan = columns.length;
      row.append(td);
      body.append(row);
    }
    this.table.replaceChildren(head, body);
    if (focused !== undefined) [...body.rows].find((r) => r.dataset.key === focused)?.focus({ preventScroll: true });
  }
}
