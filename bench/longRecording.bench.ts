// Day-long recordings: how long a 24 h run (10 Hz, a tree of 9 processes, a checkpoint every
// second: 864,000 samples, two rotated parts) takes to open, and with how much memory, through
// its index against the loader it replaced; `headroom report` on it; and the heap of a session
// fed a simulated day of live data. Each case runs in a fresh process, the two loaders
// alternating (ABBA), medians. Prints its wall time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDayLong } from './dayLong';
import { median, report } from './harness';

const root = join(__dirname, '..');
const ROUNDS = 2;
const started = performance.now();

interface CaseResult {
  ms: number;
  maxRssMB: number;
  heapMB: number;
  peak?: number;
  rows?: number;
  heapAt?: Record<string, number>;
}

function runCase(mode: string, arg: string): CaseResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'longRecordingCase.ts'), mode, arg], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
}

const dir = mkdtempSync(join(tmpdir(), 'hr-long-'));
try {
  const path = join(dir, 'train.ndjson');
  const g0 = performance.now();
  const written = writeDayLong(path, { hours: 24 });
  const writeMs = performance.now() - g0;
  const files = readdirSync(dir);
  const bytes = (f: (n: string) => boolean) => files.filter(f).reduce((n, x) => n + statSync(join(dir, x)).size, 0);
  const recordingMB = bytes((n) => !n.endsWith('.idx')) / 1e6;
  const indexMB = bytes((n) => n.endsWith('.idx')) / 1e6;

  const index: CaseResult[] = [];
  const before: CaseResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['index', 'before'] : ['before', 'index'];
    for (const mode of order) (mode === 'index' ? index : before).push(runCase(mode, path));
  }
  for (const x of [...index, ...before]) if (x.peak !== written.peakRss) throw new Error(`a loader found peak ${x.peak}, the run's is ${written.peakRss}`);

  // `headroom report` as users run it: the built CLI where there is one, else from source.
  const cli = join(root, 'dist', 'cli.js');
  const reportOut = join(dir, 'report');
  const reportMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    execFileSync(process.execPath, existsSync(cli) ? [cli, 'report', path, '--out', reportOut] : ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'report', path, '--out', reportOut], { cwd: root, stdio: 'ignore' });
    reportMs.push(performance.now() - t0);
  }

  const live = runCase('live', '24');

  report(
    'long-recording',
    {
      samples: written.samples,
      recording_MB: Math.round(recordingMB),
      index_MB: Math.round(indexMB),
      write_s: writeMs / 1000,
      open_index_ms: median(index.map((x) => x.ms)),
      open_before_ms: median(before.map((x) => x.ms)),
      open_speedup_x: median(before.map((x) => x.ms)) / median(index.map((x) => x.ms)),
      open_index_max_rss_MB: median(index.map((x) => x.maxRssMB)),
      open_before_max_rss_MB: median(before.map((x) => x.maxRssMB)),
      open_index_heap_after_MB: median(index.map((x) => x.heapMB)),
      report_cli_ms: median(reportMs),
      live_day_heap_MB: live.heapMB,
      live_day_heap_by_hour: JSON.stringify(live.heapAt),
      live_day_feed_s: live.ms / 1000,
      wall_s: (performance.now() - started) / 1000,
    },
    {
      method: `writeDayLong (bench/dayLong.ts) writes 24 h at 10 Hz of a 9-process tree with a checkpoint a second through the real RecordingWriter (256 MiB parts, so 2 parts, each with its index). "index" is openRun (every part through its index, the last 32 MiB line by line), as the editor and headroom report open runs; "before" is the loader it replaced (each part read whole into records, then folded), applied to every part. Each case is a fresh node process (tsx), ${ROUNDS} rounds in alternating order; medians; max RSS is the process's. report_cli_ms is the whole CLI process (start included) writing report.html, summary.json and samples.csv. live_day: one store and ingest fed 24 h of 10 Hz samples of 9 processes and 86,400 checkpoints as fast as they go; heap (JS heap plus external typed arrays) after a full GC, also at 6 h intervals.`,
      written,
    },
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
