import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Monitor } from '../engine/monitor';
import { ProtocolListener } from '../engine/protocol/listener';
import { loadRun, type LoadedRun } from '../engine/recording/loadRecording';
import { compareLocations } from '../engine/session/compareRuns';
import { RecordIngest } from '../engine/session/recordIngest';
import { MemoryStore, SeriesName } from '../engine/store/memoryStore';
import { formatBytes, plainLabel, type Units } from '../shared/format';
import { parseRunArgs, UsageError, type RunArgs } from './args';
import { storeToCsv } from '../engine/recording/csv';
import { renderHtmlReport } from './htmlReport';
import { checkpointRows, firstValue, renderSummaryText, summaryPeaks, type RunSummary } from './summary';

const VERSION = '0.1.0';
const USAGE = `headroom ${VERSION}: record a command's memory and write a report

  headroom run [options] -- <command> [args...]
      --out DIR          write recording.ndjson, samples.csv, summary.json, report.html
      --interval MS      sampling interval (default 100)
      --type T           rss | pss | system: the figure --fail-above and --from-zero use (default rss)
      --from-zero        subtract the starting memory
      --fail-above SIZE  exit with code 3 when the peak exceeds SIZE (e.g. 4GB, 3.5GiB)
      --no-gpu           do not start nvidia-smi
      --gib              binary units (GiB)
      --quiet            no live status, summary only
  headroom report REC.ndjson [--out DIR]     re-render the reports of a recording
  headroom compare A.ndjson B.ndjson         per-checkpoint differences of two runs
`;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };

function writeOutputs(out: string, summary: RunSummary, store: MemoryStore, units: Units, fromZero: boolean): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'samples.csv'), storeToCsv(store));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(out, 'report.html'), renderHtmlReport(summary, store, units, fromZero));
}

function typeSeries(type: RunArgs['type']): string {
  return type === 'pss' ? SeriesName.treePss : type === 'system' ? SeriesName.sysUsed : SeriesName.treeRss;
}

async function run(args: RunArgs): Promise<number> {
  const started = Date.now();
  const out = args.out ? resolve(args.out) : undefined;
  if (out) mkdirSync(out, { recursive: true });
  const store = new MemoryStore();
  const ingest = new RecordIngest(store);
  // The listener starts before the monitor (the child needs its address); records wait on this.
  const running: { monitor?: Monitor } = {};
  const problems: string[] = [];
  const listener = new ProtocolListener({
    onRecords: (_c, b) => {
      ingest.addBatch(b);
      running.monitor?.recordRaw(b.raw);
    },
    onProblem: (m) => problems.push(m),
  });
  await listener.start();
  const token = listener.issueToken('cli');
  const pythonDir = join(__dirname, 'python');
  const env: NodeJS.ProcessEnv = { ...process.env, ...listener.env(token) };
  if (existsSync(pythonDir)) env.PYTHONPATH = process.env.PYTHONPATH ? `${pythonDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PYTHONPATH}` : pythonDir;
  const child = spawn(args.command[0], args.command.slice(1), { stdio: 'inherit', env });
  const spawnError = await new Promise<Error | undefined>((r) => {
    child.once('spawn', () => r(undefined));
    child.once('error', (e) => r(e));
  });
  if (spawnError) {
    listener.dispose();
    process.stderr.write(`headroom: cannot run ${args.command[0]}: ${spawnError.message}\n`);
    return 127;
  }
  const monitor = new Monitor(child.pid as number, {
    intervalMs: args.intervalMs,
    pss: args.type === 'pss' ? 'on' : 'auto',
    gpu: args.gpu,
    store,
    command: args.command,
    tool: `headroom-cli/${VERSION}`,
    recordingPath: out ? join(out, 'recording.ndjson') : undefined,
    onProblem: (m) => problems.push(m),
  });
  running.monitor = monitor;
  monitor.start();
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  const tty = process.stderr.isTTY && !args.quiet;
  let lastPlain = 0;
  const status = monitor.onTick((t) => {
    if (args.quiet) return;
    const now = Date.now();
    const peak = store.get(SeriesName.treeRss)?.max ?? t.tree.rss;
    const last = ingest.lastCheckpoint;
    const line = `[headroom] RSS ${formatBytes(t.tree.rss, args.units)} | peak ${formatBytes(peak, args.units)}${t.system ? ` | system ${((100 * t.system.used) / t.system.total).toFixed(0)}%` : ''}${last ? ` | last: ${plainLabel(last.label ?? `line ${last.line}`, 40)}` : ''}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (now - lastPlain >= 5000) {
      lastPlain = now;
      process.stderr.write(`${line}\n`);
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  status.dispose();
  if (tty) process.stderr.write('\r\x1b[2K');
  for (const [s, h] of handlers) process.off(s, h);
  await new Promise((r) => setTimeout(r, 150)); // the last records in flight
  monitor.stop();
  listener.dispose();

  const peaks = summaryPeaks(store);
  const measured = store.get(typeSeries(args.type))?.max;
  const base = args.fromZero ? firstValue(store, typeSeries(args.type)) : 0;
  const last = ingest.lastCheckpoint;
  let failed: string | undefined;
  if (args.failAbove !== undefined && measured !== undefined && measured - (base ?? 0) > args.failAbove) {
    failed = `headroom: peak ${args.type.toUpperCase()} ${formatBytes(measured - (base ?? 0), args.units)} exceeded --fail-above ${formatBytes(args.failAbove, args.units)}`;
  }
  const summary: RunSummary = {
    command: args.command,
    exitCode: code,
    signal,
    durationS: (Date.now() - started) / 1000,
    peak: peaks,
    start: { rss: firstValue(store, SeriesName.treeRss), system: firstValue(store, SeriesName.sysUsed) },
    lastCheckpoint: last ? { label: last.label, file: last.file, line: last.line } : undefined,
    checkpoints: checkpointRows(ingest.all()),
    failAbove: args.failAbove,
    failed,
  };
  if (signal === 'SIGKILL') process.stderr.write(`headroom: the process was killed by SIGKILL (how the out-of-memory killer ends a process)${last ? `; the last checkpoint it reached was "${plainLabel(last.label ?? '', 60)}" at ${last.file}:${last.line}` : ''}\n`);
  process.stderr.write(renderSummaryText(summary, args.units, args.fromZero) + '\n');
  if (out) {
    writeOutputs(out, summary, store, args.units, args.fromZero);
    process.stderr.write(`headroom: reports in ${out} (report.html, summary.json, samples.csv, recording.ndjson)\n`);
  }
  if (ingest.failed) problems.push(`${ingest.failed} record(s) could not be ingested; the first: ${ingest.lastFailure}`);
  for (const p of problems.slice(0, 5)) process.stderr.write(`headroom: ${p}\n`);
  if (failed) return 3;
  if (signal) return 128 + (SIGNALS[signal] ?? 1);
  return code ?? 1;
}

function loadRecordingFile(path: string): LoadedRun {
  const run = loadRun(path);
  if (run.errorCount) process.stderr.write(`headroom: ${path}: ${run.errorCount} unreadable line(s) skipped\n`);
  return run;
}

function report(argv: string[]): number {
  const path = argv[0];
  if (!path) throw new UsageError('headroom report REC.ndjson [--out DIR]');
  const outIdx = argv.indexOf('--out');
  const out = resolve(outIdx >= 0 ? argv[outIdx + 1] : dirname(path));
  const { store, ingest, header } = loadRecordingFile(path);
  const t0 = store.get(SeriesName.treeRss)?.firstTime ?? 0;
  const t1 = store.get(SeriesName.treeRss)?.lastTime ?? t0;
  const summary: RunSummary = {
    command: [...(header?.command ?? [path])],
    exitCode: null,
    signal: null,
    durationS: (t1 - t0) / 1000,
    peak: summaryPeaks(store),
    start: { rss: firstValue(store, SeriesName.treeRss), system: firstValue(store, SeriesName.sysUsed) },
    checkpoints: checkpointRows(ingest.all()),
  };
  writeOutputs(out, summary, store, 'GB', false);
  process.stdout.write(renderSummaryText(summary, 'GB', false) + `\nheadroom: reports in ${out}\n`);
  return 0;
}

function compare(argv: string[]): number {
  const [a, b] = argv;
  if (!a || !b) throw new UsageError('headroom compare A.ndjson B.ndjson');
  const A = loadRecordingFile(a);
  const B = loadRecordingFile(b);
  const f = (v: number | undefined, signed = false) => (v === undefined ? '-' : formatBytes(v, 'GB', signed));
  const rows = compareLocations(A.ingest.all(), B.ingest.all()).map((c) => [plainLabel(c.key, 40), f(c.a?.sinceStart, true), f(c.b?.sinceStart, true), f(c.sinceStartDiff, true), f(c.a?.peak), f(c.b?.peak)]);
  const pa = A.store.get(SeriesName.treeRss)?.max;
  const pb = B.store.get(SeriesName.treeRss)?.max;
  rows.push(['peak RSS', f(pa), f(pb), pa !== undefined && pb !== undefined ? f(pb - pa, true) : '-', '', '']);
  const head = ['checkpoint', 'A since start', 'B since start', 'B - A', 'A peak', 'B peak'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write([`A: ${a}`, `B: ${b}`, '', fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n') + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await run(parseRunArgs(rest));
      case 'report':
        return report(rest);
      case 'compare':
        return compare(rest);
      case '--version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`headroom: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`headroom: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
