// The compare section: "A: this run · B: the recording", the align-at select, End compare,
// and the per-checkpoint differences. The helpers above the class are pure.
import { formatBytes, type Units } from '../shared/format';
import type { CompareMessage, CompareRow } from '../shared/webviewMessages';
import { codicon, el } from './dom';

export interface CompareColumn {
  readonly key: keyof CompareRow;
  readonly label: string;
  readonly signed?: boolean;
  readonly count?: boolean;
}

export const COMPARE_COLUMNS: readonly CompareColumn[] = [
  { key: 'aSinceStart', label: 'A since start', signed: true },
  { key: 'bSinceStart', label: 'B since start', signed: true },
  { key: 'sinceStartDiff', label: 'B − A', signed: true },
  { key: 'aPeak', label: 'A peak' },
  { key: 'bPeak', label: 'B peak' },
  { key: 'peakDiff', label: 'peak B − A', signed: true },
  { key: 'aHits', label: 'A hits', count: true },
  { key: 'bHits', label: 'B hits', count: true },
];

/** A cell's text: bytes in `units` (signed where the column is), counts as numbers, '–' when absent. */
export function compareCell(r: CompareRow, c: CompareColumn, units: Units): string {
  const v = r[c.key];
  if (v === undefined) return '–';
  return c.count ? String(v) : formatBytes(Number(v), units, c.signed);
}

/** A row's cell texts: the checkpoint, then one per column. */
export function compareRowTexts(r: CompareRow, units: Units): string[] {
  return [r.key, ...COMPARE_COLUMNS.map((c) => compareCell(r, c, units))];
}

/** A cell's class: numeric, and `diff` on the B − A columns. */
export const compareCellClass = (c: CompareColumn): string => `n${c.key.endsWith('Diff') ? ' diff' : ''}`;

/** The align-at choices: the start (''), then each common checkpoint label, quoted. */
export function alignOptions(labels: readonly string[]): [value: string, text: string][] {
  return [['', 'start'], ...labels.map((l): [string, string] => [l, `“${l}”`])];
}

/** The section's heading. */
export function compareHeading(sessionName: string | undefined, recordingName: string): string {
  return `A: ${sessionName ?? 'this run'} · B: ${recordingName}`;
}

export interface CompareTableEvents {
  /** Align the recording at the start ('') or at a checkpoint label. */
  align(label: string): void;
  end(): void;
}

export class CompareTable {
  readonly element = el('section', 'table compare');
  private readonly heading = el('h2');
  private readonly alignSelect = el('select');
  private readonly table = el('table');

  constructor(events: CompareTableEvents) {
    this.element.hidden = true;
    const head = el('div', 'table-head');
    const alignLabel = el('label', undefined, 'Align at ');
    alignLabel.append(this.alignSelect);
    this.alignSelect.addEventListener('change', () => events.align(this.alignSelect.value));
    const endButton = el('button', 'icon-button');
    endButton.type = 'button';
    endButton.dataset.action = 'compareEnd';
    endButton.title = 'End compare: stop drawing the other recording';
    endButton.setAttribute('aria-label', 'End compare');
    endButton.append(codicon('close'));
    endButton.addEventListener('click', () => events.end());
    head.append(this.heading, alignLabel, endButton);
    // Eight number columns do not fit half width: they scroll in their own box, the checkpoint column stays.
    const scroll = el('div', 'table-scroll');
    scroll.append(this.table);
    this.element.append(head, scroll);
  }

  show(m: CompareMessage, sessionName: string | undefined, units: Units): void {
    this.element.hidden = false;
    this.heading.textContent = compareHeading(sessionName, m.name);
    this.heading.title = this.heading.textContent;
    this.alignSelect.replaceChildren(
      ...alignOptions(m.labels).map(([value, text]) => {
        const o = el('option', undefined, text);
        o.value = value;
        return o;
      }),
    );
    this.alignSelect.value = m.alignedAt;
    const head = el('thead');
    const hr = el('tr');
    hr.append(el('th', undefined, 'checkpoint'), ...COMPARE_COLUMNS.map((c) => el('th', 'n', c.label)));
    head.append(hr);
    const body = el('tbody');
    for (const r of m.rows) {
      const [key, ...cells] = compareRowTexts(r, units);
      const tr = el('tr');
      tr.append(el('td', undefined, key), ...COMPARE_COLUMNS.map((c, i) => el('td', compareCellClass(c), cells[i])));
      body.append(tr);
    }
    this.table.replaceChildren(head, body);
  }

  hide(): void {
    this.element.hidden = true;
  }

  /** Drawn against steps, the runs line up by their step numbers: aligning them in time does not apply. */
  setStepAligned(steps: boolean): void {
    this.alignSelect.disabled = steps;
    this.alignSelect.title = steps ? 'Drawn against steps, the runs line up by their step numbers; turn Steps off to align them in time' : '';
  }
}
