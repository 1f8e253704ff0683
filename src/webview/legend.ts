// The series legend, in HTML above the chart. chart.js's canvas legend gave every compared
// series its own entry with the recording's timestamped file name (seven rows at half width)
// and could not be folded away. Here: one chip per series that toggles it (a compared series
// goes with its own), names cut to fit with the whole name in the tooltip, a two-letter key
// for A and B in compare mode, and a fold button. The helpers above the class are pure.
import { isHidden } from './datasets';
import { codicon, el } from './dom';
import type { TimelineState } from './state';

/** A chip of the legend. */
export interface LegendEntry {
  /** The series name: what a click toggles. */
  readonly name: string;
  readonly label: string;
  /** A CSS colour (the theme variable resolved). */
  readonly colour: string;
  readonly hidden: boolean;
}

/** The line-style key of compare mode: which run is solid and which is dashed. */
export interface CompareKey {
  readonly key: 'A' | 'B';
  readonly dashed: boolean;
  readonly title: string;
}

/**
 * One chip per series of this run (the compared series share them): the series drawn by default
 * first, in legend order, then those hidden until asked for, so what the chart draws is not the
 * chip that overflows (a launch's rank lines came after five hidden series). The order does not
 * follow the toggles: a chip stays where it was clicked.
 */
export function legendEntries(s: TimelineState, colourOf: (themeVar: string) => string): LegendEntry[] {
  const metas = [...s.local.values()].map(({ meta }) => meta);
  return [...metas.filter((m) => !m.hidden), ...metas.filter((m) => m.hidden)].map((meta) => ({ name: meta.name, label: meta.label, colour: colourOf(meta.colour), hidden: isHidden(meta, s.hiddenSeries) }));
}

/** A and B, with the runs' whole names in their tooltips; none outside compare mode. */
export function compareKey(sessionName: string | undefined, recordingName: string | undefined): CompareKey[] {
  if (recordingName === undefined) return [];
  return [
    { key: 'A', dashed: false, title: `A, solid lines: ${sessionName ?? 'this run'}` },
    { key: 'B', dashed: true, title: `B, dashed lines: ${recordingName}` },
  ];
}

/** The fold button's text: `Series 3/5` (shown of all). */
export function legendSummary(entries: readonly LegendEntry[]): string {
  return `Series ${entries.filter((e) => !e.hidden).length}/${entries.length}`;
}

/** A chip's tooltip: the whole name and what a click does. */
export function chipTitle(e: LegendEntry): string {
  return `${e.label}: click to ${e.hidden ? 'show' : 'hide'}`;
}

export class Legend {
  readonly element = el('div', 'legend');
  private readonly fold = el('button', 'legend-fold');
  private readonly foldText = el('span');
  private readonly items = el('div', 'legend-items');
  private collapsed = false;
  /** What the chips were drawn from: live updates redraw them only when it changes. */
  private drawn = '';

  constructor(private readonly toggle: (name: string) => void) {
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Series');
    this.fold.type = 'button';
    this.fold.dataset.action = 'legend';
    this.fold.append(codicon('chevron-down'), this.foldText);
    this.fold.addEventListener('click', () => this.setCollapsed(!this.collapsed));
    this.items.id = 'legend-items';
    this.fold.setAttribute('aria-controls', this.items.id);
    this.element.append(this.fold, this.items);
    this.setCollapsed(false);
  }

  setCollapsed(collapsed: boolean): void {
    this.collapsed = collapsed;
    this.items.hidden = collapsed;
    this.fold.setAttribute('aria-expanded', String(!collapsed));
    this.fold.title = collapsed ? 'Show the series legend' : 'Fold the series legend away';
    this.fold.firstElementChild?.classList.toggle('codicon-chevron-down', !collapsed);
    this.fold.firstElementChild?.classList.toggle('codicon-chevron-right', collapsed);
  }

  /** Draws the chips and, in compare mode, the A/B key. */
  render(entries: readonly LegendEntry[], key: readonly CompareKey[]): void {
    const signature = JSON.stringify([entries, key]);
    if (signature === this.drawn) return;
    this.drawn = signature;
    this.foldText.textContent = legendSummary(entries);
    const chips = entries.map((e) => {
      const b = el('button', 'legend-item');
      b.type = 'button';
      b.dataset.series = e.name;
      b.setAttribute('aria-pressed', String(!e.hidden));
      b.title = chipTitle(e);
      const swatch = el('span', 'swatch');
      swatch.style.borderTopColor = e.colour; // CSSOM, not a style attribute: the CSP allows it
      b.append(swatch, el('span', 'name', e.label));
      b.addEventListener('click', () => this.toggle(e.name));
      return b;
    });
    const keys = key.map((k) => {
      const span = el('span', 'legend-key');
      span.title = k.title;
      span.append(el('span', `swatch neutral${k.dashed ? ' dashed' : ''}`), el('span', 'name', k.key));
      return span;
    });
    // The key first: it says what solid and dashed mean, and must not be the chip that overflows.
    this.items.replaceChildren(...keys, ...chips);
  }
}
