// What the chart draws, from the state: one line per local series, then the compared
// recording's lines dashed in the same colours. Pure: colours come through `colourOf`.
import type { SeriesMeta } from '../shared/webviewMessages';
import { envelopePoints, type Point } from './points';
import type { TimelineState } from './state';

/** The chart.js dataset fields the timeline sets (`name` is ours: the series name). */
export interface TimelineDataset {
  label: string;
  name: string;
  data: Point[];
  borderColor: string;
  backgroundColor: string;
  borderDash?: number[];
  hidden: boolean;
}

/** The dash of the compared recording's lines. */
export const COMPARE_DASH = [5, 4];
/** Prefix of the compared recording's series names. */
export const COMPARE_PREFIX = 'compare:';

/** Hidden: toggled off in the legend, or hidden by default and not toggled on. */
export function isHidden(meta: SeriesMeta, hiddenSeries: ReadonlySet<string>): boolean {
  return hiddenSeries.has(meta.name) || (meta.hidden === true && !hiddenSeries.has(`show:${meta.name}`));
}

/** A legend click: hides a shown series, shows a hidden one. */
export function toggleSeries(hiddenSeries: Set<string>, name: string): void {
  if (hiddenSeries.has(name)) hiddenSeries.delete(name);
  else hiddenSeries.add(name);
}

/**
 * The datasets of the current view: each local series queried at `width` points between the
 * view's t0 and t1, x in seconds from the session start, relative to the first value with
 * "from zero". A compared series is hidden with the series of this run it belongs to.
 */
export function buildDatasets(s: TimelineState, width: number, colourOf: (themeVar: string) => string): TimelineDataset[] {
  const data = s.data;
  if (!data) return [];
  const datasets: TimelineDataset[] = [];
  for (const { meta, series } of s.local.values()) {
    const e = series.query(data.t0, data.t1, width);
    const colour = colourOf(meta.colour);
    datasets.push({ label: meta.label, name: meta.name, data: envelopePoints(e.t, e.min, e.max, s.fromZero ? meta.first : 0, data.start, 1000), borderColor: colour, backgroundColor: colour, hidden: isHidden(meta, s.hiddenSeries) });
  }
  for (const d of s.compare?.series ?? []) {
    const colour = colourOf(d.colour);
    const own = s.local.get(d.name.slice(COMPARE_PREFIX.length))?.meta;
    datasets.push({
      label: d.label,
      name: d.name,
      data: envelopePoints(d.t, d.min, d.max, s.fromZero ? d.first : 0, data.start, 1000),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: [...COMPARE_DASH],
      hidden: own ? isHidden(own, s.hiddenSeries) : isHidden(d, s.hiddenSeries),
    });
  }
  return datasets;
}
