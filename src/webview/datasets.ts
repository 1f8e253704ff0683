// What the chart draws, from the state: one line per local series, then the compared
// recording's lines dashed in the same colours. Pure: colours come through `colourOf`.
import type { SeriesMeta } from '../shared/webviewMessages';
import { breakAtGaps, envelopePoints, type Point } from './points';
import type { TimelineState } from './state';
import { stepX, type StepMap } from './stepAxis';
import { inSteps } from './xAxis';

/** The chart.js dataset fields the timeline sets (`name` is ours: the series name). */
export interface TimelineDataset {
  label: string;
  name: string;
  data: Point[];
  borderColor: string;
  backgroundColor: string;
  borderDash?: number[];
  hidden: boolean;
  /** Set for a loss: drawn against the loss axis on the right. */
  yAxisID?: 'loss';
  /** False where the run has a gap: the line stops there instead of crossing it. */
  spanGaps?: boolean;
}

/** The chart.js id of the loss axis. */
export const LOSS_AXIS = 'loss';

/** A loss as people read it: three significant digits, `0.0123`, `2.35`, `1.20e+4`. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return '?';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** Points moved from seconds to steps through `map`, each keeping its time for the hover; as they are without a map. */
export function onSteps(points: Point[], map: StepMap | undefined): Point[] {
  if (!map) return points;
  return points.map((p) => ({ x: stepX(map, p.x), y: p.y, t: p.x }));
}

/** The base a series is drawn from: its first value "from zero", except a loss, which is no amount of memory. */
function baseOf(meta: SeriesMeta, fromZero: boolean): number {
  return fromZero && meta.unit !== 'loss' ? meta.first : 0;
}

/** The dataset fields of a series' unit: a loss's axis. */
const unitFields = (meta: SeriesMeta): { yAxisID?: 'loss' } => (meta.unit === 'loss' ? { yAxisID: LOSS_AXIS } : {});

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
 * view's t0 and t1, x in seconds from the session start (or in steps, through this run's and
 * the compared run's own step maps), relative to the first value with "from zero". A compared
 * series is hidden with the series of this run it belongs to.
 */
export function buildDatasets(s: TimelineState, width: number, colourOf: (themeVar: string) => string): TimelineDataset[] {
  const data = s.data;
  if (!data) return [];
  const datasets: TimelineDataset[] = [];
  const steps = inSteps(s);
  const own = steps ? s.stepMap : undefined;
  // Gaps in seconds from the start, like the envelopes' x before any step mapping.
  const gaps = data.events.filter((e) => e.kind === 'gap' && e.tEnd !== undefined).map((e) => ({ from: (e.t - data.start) / 1000, to: ((e.tEnd as number) - data.start) / 1000 }));
  const gapFields = gaps.length ? { spanGaps: false } : {};
  for (const { meta, series } of s.local.values()) {
    const e = series.query(data.t0, data.t1, width);
    const colour = colourOf(meta.colour);
    const points = onSteps(breakAtGaps(envelopePoints(e.t, e.min, e.max, baseOf(meta, s.fromZero), data.start, 1000), gaps), own);
    datasets.push({ label: meta.label, name: meta.name, data: points, borderColor: colour, backgroundColor: colour, hidden: isHidden(meta, s.hiddenSeries), ...unitFields(meta), ...gapFields });
  }
  for (const d of s.compare?.series ?? []) {
    const colour = colourOf(d.colour);
    const mine = s.local.get(d.name.slice(COMPARE_PREFIX.length))?.meta;
    datasets.push({
      label: d.label,
      name: d.name,
      data: onSteps(envelopePoints(d.t, d.min, d.max, baseOf(d, s.fromZero), data.start, 1000), steps ? s.compareStepMap : undefined),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: [...COMPARE_DASH],
      hidden: mine ? isHidden(mine, s.hiddenSeries) : isHidden(d, s.hiddenSeries),
      ...unitFields(d),
    });
  }
  return datasets;
}
