import { parseListenAddress } from '../engine/metrics/metricsServer';

/** Parses `2GB`, `512MiB`, `1.5G`, `800M`, `1073741824` into bytes; undefined if not a size. */
export function parseSize(s: string): number | undefined {
  const m = /^\s*([\d.]+)\s*([kKmMgGtT]?)(i?)[bB]?\s*$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const base = m[3] ? 1024 : 1000;
  return Math.round(n * base ** power);
}

export interface RunArgs {
  readonly out?: string;
  readonly intervalMs: number;
  readonly type: 'rss' | 'pss' | 'system';
  readonly fromZero: boolean;
  readonly failAbove?: number;
  readonly quiet: boolean;
  readonly gpu: boolean;
  readonly units: 'GB' | 'GiB';
  /** `interrupt`: when memory crosses the guard's threshold, interrupt the program once per crossing. */
  readonly guard: 'off' | 'interrupt';
  /** The guard's threshold on the tree's `--type` figure; without it, 95% of the memory that can kill the job. */
  readonly guardAbove?: number;
  readonly command: string[];
  /** `--metrics HOST:PORT`: serve Prometheus' text format at /metrics while the job runs. */
  readonly metrics?: { readonly host: string; readonly port: number };
  /** `--metrics-textfile DIR`: the same text for node_exporter's textfile collector. */
  readonly metricsTextfile?: string;
  /** `--metrics-job NAME`: the `job` label; by default the script's or command's name. */
  readonly metricsJob?: string;
}

export class UsageError extends Error {}

/** `run [options] -- command args...` */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const dash = argv.indexOf('--');
  const opts = dash >= 0 ? argv.slice(0, dash) : [];
  const command = dash >= 0 ? argv.slice(dash + 1) : [...argv];
  if (dash < 0 && command.some((a) => a.startsWith('--'))) throw new UsageError('put the command after --, e.g. headroom run --out report -- python train.py');
  const r: { -readonly [K in keyof RunArgs]: RunArgs[K] } = { intervalMs: 100, type: 'rss', fromZero: false, quiet: false, gpu: true, units: 'GB', guard: 'off', command };
  let guardSet = false;
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i];
    const value = () => {
      const v = opts[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--out':
      case '-o':
        r.out = value();
        break;
      case '--interval': {
        const v = Number(value());
        if (!(v >= 10 && v <= 60_000)) throw new UsageError('--interval is milliseconds between 10 and 60000');
        r.intervalMs = v;
        break;
      }
      case '--type': {
        const v = value();
        if (v !== 'rss' && v !== 'pss' && v !== 'system') throw new UsageError('--type is rss, pss or system');
        r.type = v;
        break;
      }
      case '--from-zero':
        r.fromZero = true;
        break;
      case '--fail-above': {
        const v = value();
        const n = parseSize(v);
        if (n === undefined) throw new UsageError(`--fail-above: "${v}" is not a size (try 4GB or 3.5GiB)`);
        r.failAbove = n;
        break;
      }
      case '--guard': {
        const v = value();
        if (v !== 'interrupt' && v !== 'off') throw new UsageError('--guard is interrupt or off');
        r.guard = v;
        guardSet = true;
        break;
      }
      case '--guard-above': {
        const v = value();
        const n = parseSize(v);
        if (n === undefined || n <= 0) throw new UsageError(`--guard-above: "${v}" is not a size (try 12GB or 900MiB)`);
        r.guardAbove = n;
        break;
      }
      case '--metrics': {
        const v = value();
        const a = parseListenAddress(v);
        if (!a) throw new UsageError(`--metrics: "${v}" is not HOST:PORT (try 127.0.0.1:9400, or 0.0.0.0:9400 for other machines' Prometheus)`);
        r.metrics = a;
        break;
      }
      case '--metrics-textfile':
        r.metricsTextfile = value();
        break;
      case '--metrics-job': {
        const v = value();
        if (!v.trim() || v.length > 200) throw new UsageError('--metrics-job is a name of 1 to 200 characters');
        r.metricsJob = v;
        break;
      }
      case '--quiet':
      case '-q':
        r.quiet = true;
        break;
      case '--no-gpu':
        r.gpu = false;
        break;
      case '--gib':
        r.units = 'GiB';
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  // A threshold alone asks for the guard; `--guard off` still wins.
  if (r.guardAbove !== undefined && !guardSet) r.guard = 'interrupt';
  if (command.length === 0) throw new UsageError('no command to run: headroom run [options] -- <command> [args...]');
  return r;
}
