import type { EventIndex } from '../store/eventIndex';
import type { LocationStats } from './recordIngest';

/** One location's figures in one run. Bytes. */
export interface RunFigures {
  readonly sinceStart: number;
  readonly delta: number;
  readonly peak: number;
  readonly hits: number;
}

/** A checkpoint (or region, call) matched across two runs: "config A vs config B". */
export interface ComparedLocation {
  /** The label, else `file.py:line`: what matches a location across runs (lines move between edits). */
  readonly key: string;
  readonly a?: RunFigures;
  readonly b?: RunFigures;
  /** B minus A, where both have it. */
  readonly sinceStartDiff?: number;
  readonly peakDiff?: number;
}

export const locationKey = (s: { readonly label?: string; readonly file: string; readonly line: number }): string => s.label ?? `${s.file.split(/[\\/]/).pop()}:${s.line}`;

const figures = (s: LocationStats): RunFigures => ({ sinceStart: s.sinceStart, delta: s.lastDelta, peak: s.peak, hits: s.hits });

/** Every location of either run, in A's source order, then B's extra ones. */
export function compareLocations(a: readonly LocationStats[], b: readonly LocationStats[]): ComparedLocation[] {
  const order = (xs: readonly LocationStats[]) => [...xs].sort((x, y) => (x.file === y.file ? x.line - y.line : x.file < y.file ? -1 : 1));
  const byKey = (xs: readonly LocationStats[]) => new Map(order(xs).map((s) => [locationKey(s), s]));
  const A = byKey(a);
  const B = byKey(b);
  return [...new Set([...A.keys(), ...B.keys()])].map((key) => {
    const x = A.get(key);
    const y = B.get(key);
    return {
      key,
      a: x && figures(x),
      b: y && figures(y),
      sinceStartDiff: x && y ? y.sinceStart - x.sinceStart : undefined,
      peakDiff: x && y ? y.peak - x.peak : undefined,
    };
  });
}

/** When a run first reached the checkpoint with this label (ms since the epoch). */
export function firstHitOf(events: EventIndex, label: string): number | undefined {
  const { from, to } = events.span(-Infinity, Infinity);
  for (let i = from; i < to; i++) {
    if (events.kindAt(i) !== 'checkpoint') continue;
    const e = events.get(i);
    if (e.label === label) return e.t;
  }
  return undefined;
}

/** Checkpoint labels both runs reached: where the overlay can be aligned. */
export function commonLabels(a: readonly LocationStats[], b: readonly LocationStats[]): string[] {
  const inB = new Set(b.filter((s) => s.kind === 'checkpoint' && s.label).map((s) => s.label));
  return [...new Set(a.filter((s) => s.kind === 'checkpoint' && s.label && inB.has(s.label)).map((s) => s.label as string))];
}
