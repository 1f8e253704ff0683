import type { CheckpointRow } from '../../shared/webviewMessages';
import { rankSpread } from './rankFigures';
import { growthOf, type LocationStats } from './recordIngest';

/** The checkpoint table's rows, ordered by file then line: one builder for the panel, the CLI and the reports. */
export function checkpointRows(stats: readonly LocationStats[]): CheckpointRow[] {
  return [...stats]
    .sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
    .map((s) => {
      const spread = rankSpread(s);
      return {
      label: s.label ?? '',
      where: `${s.file.split(/[\\/]/).pop()}:${s.line}`,
      file: s.file,
      line: s.line,
      kind: s.kind,
      delta: s.lastDelta,
      sinceStart: s.sinceStart,
      peak: s.peak,
      hits: s.hits,
      growth: growthOf(s),
      ...(spread && {
        rankMax: spread.max.lastDelta,
        rankMaxOf: spread.max.rank,
        rankMin: spread.min.lastDelta,
        rankMinOf: spread.min.rank,
        rankOutlier: spread.outlier?.rank,
      }),
    };
    });
}
