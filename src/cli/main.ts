import { parseRunArgs, UsageError } from './args';
import { exportCommand } from './exportCommand';
import { compareCommand, reportCommand } from './recordingCommands';
import { runCommand } from './runCommand';
import { VERSION } from './version';

const USAGE = `headroom ${VERSION}: record a command's memory and write a report

  headroom run [options] -- <command> [args...]
      --out DIR          write recording.ndjson, samples.csv, summary.json, report.html
      --interval MS      sampling interval (default 100)
      --type T           rss | pss | system: the figure --fail-above and --from-zero use (default rss)
      --from-zero        subtract the starting memory
      --fail-above SIZE  exit with code 3 when the peak exceeds SIZE (e.g. 4GB, 3.5GiB)
      --guard interrupt  stop the program before the out-of-memory killer does: at 95% of the
                         memory that can kill it (cgroup limit, else system memory; GPU total),
                         once per crossing, KeyboardInterrupt through the Headroom client (its
                         except KeyboardInterrupt: saves and exits), else SIGINT to it
      --guard-above SIZE the guard's threshold on the --type figure instead (implies interrupt)
      --no-gpu           do not start nvidia-smi
      --gib              binary units (GiB)
      --quiet            no live status, summary only
      --metrics HOST:PORT   serve Prometheus metrics at http://HOST:PORT/metrics while the job
                         runs (docs/metrics.md); labels job, host, rank, local_rank (RANK, LOCAL_RANK)
      --metrics-textfile DIR  write the same to DIR/headroom-JOB.prom for node_exporter
      --metrics-job NAME the job label (default: the script's or command's name)
  headroom report REC.ndjson [--out DIR]     re-render the reports of a recording
  headroom compare A.ndjson B.ndjson         per-checkpoint differences of two runs
  headroom export REC.ndjson --parquet [--out PATH]
                         the recording as Parquet for pandas, polars, DuckDB:
                         NAME.samples, .processes, .events, .gpu.parquet beside it, in
                         PATH if it is a folder, else named PATH.*.parquet
`;

/** The CLI: parses the command line and hands it to one command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await runCommand(parseRunArgs(rest));
      case 'report':
        return await reportCommand(rest);
      case 'compare':
        return await compareCommand(rest);
      case 'export':
        return await exportCommand(rest);
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
