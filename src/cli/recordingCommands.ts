import { dirname, resolve } from 'node:path';
import { openRun, type OpenedRun } from '../engine/recording/openRun';
import { compareLocations } from '../engine/session/compareRuns';
import { SeriesName } from '../engine/store/memoryStore';
import { formatBytes, plainLabel } from '../shared/format';
import { UsageError } from './args';
import { renderSummaryText, runSummary } from './summary';
import { textTable } from './textTable';
import { writeReports } from './writeReports';

/** Every part of the run `path` belongs to, through their indexes; problems on stderr. */
async function loadRecordingFile(path: string): Promise<OpenedRun> {
  const run = await openRun(path);
  if (run.errorCount) process.stderr.write(`headroom: ${path}: ${run.errorCount} unreadable line(s) skipped\n`);
  for (const n of run.notes) process.stderr.write(`headroom: ${path}: ${n}\n`);
  return run;
}

/** `headroom report REC.ndjson [--out DIR]`: the reports of a recording, written again. */
export async function reportCommand(argv: string[]): Promise<number> {
  const path = argv[0];
  if (!path) throw new UsageError('headroom report REC.ndjson [--out DIR]');
  const outIdx = argv.indexOf('--out');
  const out = resolve(outIdx >= 0 ? argv[outIdx + 1] : dirname(path));
  const { store, ingest, header, end } = await loadRecordingFile(path);
  const t0 = store.get(SeriesName.treeRss)?.firstTime ?? 0;
  const t1 = store.get(SeriesName.treeRss)?.lastTime ?? t0;
  const summary = { ...runSummary(store, ingest.all(), ingest.ranks(), [...(header?.command ?? [path])], (t1 - t0) / 1000, ingest.allocations), exitCode: end?.code ?? null, signal: end?.signal ?? null, end };
  writeReports(out, summary, store, 'GB', false);
  process.stdout.write(renderSummaryText(summary, 'GB', false) + `\nheadroom: reports in ${out}\n`);
  return 0;
}

/** `headroom compare A.ndjson B.ndjson`: per-checkpoint differences, B minus A. */
export async function compareCommand(argv: string[]): Promise<number> {
  const [a, b] = argv;
  if (!a || !b) throw new UsageError('headroom compare A.ndjson B.ndjson');
  const A = await loadRecordingFile(a);
  const B = await loadRecordingFile(b);
  const f = (v: number | undefined, signed = false) => (v === undefined ? '-' : formatBytes(v, 'GB', signed));
  const rows = compareLocations(A.ingest.all(), B.ingest.all()).map((c) => [plainLabel(c.key, 40), f(c.a?.sinceStart, true), f(c.b?.sinceStart, true), f(c.sinceStartDiff, true), f(c.a?.peak), f(c.b?.peak)]);
  const pa = A.store.get(SeriesName.treeRss)?.max;
  const pb = B.store.get(SeriesName.treeRss)?.max;
  rows.push(['peak RSS', f(pa), f(pb), pa !== undefined && pb !== undefined ? f(pb - pa, true) : '-', '', '']);
  const head = ['checkpoint', 'A since start', 'B since start', 'B - A', 'A peak', 'B peak'];
  process.stdout.write([`A: ${a}`, `B: ${b}`, '', ...textTable(head, rows, (i) => i > 0)].join('\n') + '\n');
  return 0;
}
