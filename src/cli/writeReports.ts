import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storeToCsv } from '../engine/recording/csv';
import type { MemoryStore } from '../engine/store/memoryStore';
import type { Units } from '../shared/format';
import { renderHtmlReport } from './htmlReport';
import type { RunSummary } from './summary';

/** samples.csv, summary.json and report.html in `out` (the recording is streamed there already). */
export function writeReports(out: string, summary: RunSummary, store: MemoryStore, units: Units, fromZero: boolean): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'samples.csv'), storeToCsv(store));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, 'report.html'), renderHtmlReport(summary, store, units, fromZero));
}
