import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProtocolListener } from '../engine/protocol/listener';
import { MonitoringSession } from '../engine/session/monitoringSession';
import { prependPythonPath } from '../engine/session/pythonPath';
import { SessionGuard } from '../engine/session/sessionGuard';
import { SessionRouter } from '../engine/session/sessionRouter';
import { SeriesName } from '../engine/store/memoryStore';
import { formatBytes, plainLabel } from '../shared/format';
import type { RunArgs } from './args';
import { exportSession, openMetricsSinks, type MetricsSinks } from './metricsOutput';
import { liveStatus } from './liveStatus';
import { firstValue, renderSummaryText, runSummary, type RunSummary } from './summary';
import { writeReports } from './writeReports';
import { VERSION } from './version';

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };
/** How long records still in flight after the program's exit get to arrive. */
const DRAIN_MS = 150;
const SESSION_ID = 'cli';

function typeSeries(type: RunArgs['type']): string {
  return type === 'pss' ? SeriesName.treePss : type === 'system' ? SeriesName.sysUsed : SeriesName.treeRss;
}

/** Why a SIGKILL was not the out-of-memory killer's, as far as the run can tell. */
function sigkillReason(s: RunSummary): string {
  const counted = s.end?.oomKills?.cgroup !== undefined || s.end?.oomKills?.system !== undefined;
  return counted ? ' (not by the out-of-memory killer: no kill of this job was counted)' : ' (how the out-of-memory killer ends a process; nothing here could tell whether it was)';
}

/**
 * `headroom run`: a listener, the program started with its address and the bundled client on
 * PYTHONPATH, and one MonitoringSession for its tree, as the extension runs one.
 */
export async function runCommand(args: RunArgs): Promise<number> {
  const started = Date.now();
  const out = args.out ? resolve(args.out) : undefined;
  if (out) mkdirSync(out, { recursive: true });
  const problems: string[] = [];
  let sinks: MetricsSinks | undefined;
  try {
    sinks = await openMetricsSinks(args);
  } catch (e) {
    process.stderr.write(`headroom: ${(e as Error).message}\n`);
    return 2;
  }
  if (sinks && !args.quiet) process.stderr.write(`headroom: metrics at ${sinks.where.join(' and ')}\n`);
  const router = new SessionRouter({ onProblem: (m) => problems.push(m) });
  const listener = new ProtocolListener({ ...router.handlers, onProblem: (m) => problems.push(m) });
  await listener.start();
  const token = listener.issueToken(SESSION_ID);
  const pythonDir = join(__dirname, 'python');
  const env: NodeJS.ProcessEnv = { ...process.env, ...listener.env(token) };
  if (existsSync(pythonDir)) env.PYTHONPATH = prependPythonPath(pythonDir, process.env.PYTHONPATH);
  const child = spawn(args.command[0], args.command.slice(1), { stdio: 'inherit', env });
  const spawnError = await new Promise<Error | undefined>((r) => {
    child.once('spawn', () => r(undefined));
    child.once('error', (e) => r(e));
  });
  if (spawnError) {
    listener.dispose();
    sinks?.server?.dispose();
    process.stderr.write(`headroom: cannot run ${args.command[0]}: ${spawnError.message}\n`);
    return 127;
  }
  const session = new MonitoringSession(SESSION_ID, args.command.join(' '), 'command', child.pid as number, token, {
    intervalMs: args.intervalMs,
    pss: args.type === 'pss' ? 'on' : 'auto',
    gpu: args.gpu,
    command: args.command,
    tool: `headroom-cli/${VERSION}`,
    recordingPath: out ? join(out, 'recording.ndjson') : undefined,
    onProblem: (m) => problems.push(m),
  });
  // The exit code and signal come from the child's exit event, into the end's explanation.
  session.awaitExit = true;
  router.add(session);
  const metrics = sinks && exportSession(sinks, session, (m) => problems.push(m));
  const guard =
    args.guard === 'off'
      ? undefined
      : new SessionGuard(session, { mode: args.guard, above: args.guardAbove, figure: args.type, units: args.units, onAction: (a) => process.stderr.write(`headroom: ${a.text}\n`) });
  session.start();
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);

  const status = liveStatus(session, args.units, args.quiet);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  status.dispose();
  guard?.dispose();
  for (const [s, h] of handlers) process.off(s, h);
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  session.end(signal ? `killed by ${signal}` : `exit code ${code}`, { code, signal });
  listener.dispose();
  metrics?.finish();
  metrics?.dispose();

  const { store, ingest } = session;
  const measured = store.get(typeSeries(args.type))?.max;
  const base = args.fromZero ? (firstValue(store, typeSeries(args.type)) ?? 0) : 0;
  const last = ingest.lastCheckpoint;
  const failed =
    args.failAbove !== undefined && measured !== undefined && measured - base > args.failAbove
      ? `headroom: peak ${args.type.toUpperCase()} ${formatBytes(measured - base, args.units)} exceeded --fail-above ${formatBytes(args.failAbove, args.units)}`
      : undefined;
  const summary: RunSummary = {
    ...runSummary(store, ingest.all(), ingest.ranks(), args.command, (Date.now() - started) / 1000, ingest.allocations),
    exitCode: code,
    signal,
    lastCheckpoint: last ? { label: last.label, file: last.file, line: last.line } : undefined,
    failAbove: args.failAbove,
    failed,
    end: session.endExplanation,
    guard: args.guard === 'off' ? undefined : { mode: args.guard, above: args.guardAbove, actions: guard?.actions ?? [] },
  };
  // What went wrong on the way comes before the summary: the summary is the run's last word,
  // and nothing after it may read like a failure of the program.
  if (ingest.failed) problems.push(`${ingest.failed} record(s) could not be ingested in all`);
  for (const p of problems.slice(0, 5)) process.stderr.write(`headroom: ${p}\n`);
  // An out-of-memory end is said in the summary; a SIGKILL that was not one, here.
  if (signal === 'SIGKILL' && (summary.end?.kind ?? 'none') === 'none') process.stderr.write(`headroom: the process was killed by SIGKILL${sigkillReason(summary)}${last ? `; the last checkpoint it reached was "${plainLabel(last.label ?? '', 60)}" at ${last.file}:${last.line}` : ''}\n`);
  process.stderr.write(renderSummaryText(summary, args.units, args.fromZero) + '\n');
  if (out) {
    writeReports(out, summary, store, args.units, args.fromZero);
    process.stderr.write(`headroom: reports in ${out} (report.html, summary.json, samples.csv, recording.ndjson)\n`);
  }
  if (failed) return 3;
  if (signal) return 128 + (SIGNALS[signal] ?? 1);
  return code ?? 1;
}
