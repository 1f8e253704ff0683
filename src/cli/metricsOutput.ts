import { hostname } from 'node:os';
import { basename } from 'node:path';
import { MetricsExport } from '../engine/metrics/metricsExport';
import { MetricsServer } from '../engine/metrics/metricsServer';
import type { MetricsIdentity } from '../engine/metrics/sessionMetrics';
import { TextfileWriter } from '../engine/metrics/textfileWriter';
import type { MonitoringSession } from '../engine/session/monitoringSession';
import type { RunArgs } from './args';

/** Where `headroom run --metrics/--metrics-textfile` puts its figures; opened before the program starts. */
export interface MetricsSinks {
  readonly server?: MetricsServer;
  readonly textfile?: TextfileWriter;
  readonly identity: MetricsIdentity;
  /** What to tell the user: the URL scraped, the file written. */
  readonly where: string[];
}

/** A non-negative integer from the environment (torchrun's RANK, LOCAL_RANK), else undefined. */
function envCount(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
}

/** The `job` label: --metrics-job, else the script a Python command runs, else the command's name. */
export function metricsIdentity(args: RunArgs, env: NodeJS.ProcessEnv = process.env): MetricsIdentity {
  const script = args.command.find((a) => a.endsWith('.py'));
  return { job: args.metricsJob ?? basename(script ?? args.command[0]), host: hostname(), rank: envCount(env.RANK), localRank: envCount(env.LOCAL_RANK) };
}

/**
 * Opens the server and textfile that `args` ask for; undefined when they ask for none.
 * Throws an Error whose message says what to change when the address cannot be listened on
 * or the directory cannot be written, before any program is started.
 */
export async function openMetricsSinks(args: RunArgs): Promise<MetricsSinks | undefined> {
  if (!args.metrics && !args.metricsTextfile) return undefined;
  const identity = metricsIdentity(args);
  const where: string[] = [];
  let server: MetricsServer | undefined;
  if (args.metrics) {
    server = new MetricsServer();
    const { host, port } = args.metrics;
    try {
      const a = await server.listen(host, port);
      where.push(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`);
    } catch (e) {
      server.dispose();
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'not allowed (a port under 1024 needs root)' : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'no such address on this machine' : (e as Error).message;
      throw new Error(`--metrics ${host}:${port}: cannot listen: ${why}`);
    }
  }
  let textfile: TextfileWriter | undefined;
  if (args.metricsTextfile) {
    try {
      textfile = new TextfileWriter(args.metricsTextfile, `headroom-${identity.job}${identity.rank !== undefined ? `-rank${identity.rank}` : ''}`);
      textfile.write('');
      where.push(textfile.path);
    } catch (e) {
      server?.dispose();
      throw new Error(`--metrics-textfile ${args.metricsTextfile}: cannot write: ${(e as Error).message}`);
    }
  }
  return { server, textfile, identity, where };
}

/** Feeds `session`'s ticks to the sinks; `finish` writes the last figures, `dispose` closes the server. */
export function exportSession(sinks: MetricsSinks, session: MonitoringSession, onProblem: (m: string) => void): { finish(): void; dispose(): void } {
  const exp = new MetricsExport(session, sinks.identity, { server: sinks.server, textfile: sinks.textfile, onProblem });
  return {
    finish: () => exp.finish(),
    dispose: () => {
      exp.dispose();
      sinks.server?.dispose();
    },
  };
}
