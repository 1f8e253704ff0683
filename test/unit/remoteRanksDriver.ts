// A window's listener as a process of its own, for the remote-ranks tests: the real
// ProtocolListener (decode worker included), SessionRouter and RemoteRuns, listening for
// remote ranks on argv's HOST:PORT with a window token. It prints one JSON line
// {address, token} once listening, then answers each `report` line on stdin with a JSON
// line of what arrived; `quit` ends it. Run it inside a network namespace with
// `ip netns exec NS node --import tsx test/unit/remoteRanksDriver.ts HOST PORT`.
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { RemoteRuns } from '../../src/engine/session/remoteRanks';
import { SessionRouter } from '../../src/engine/session/sessionRouter';

/** What the driver reports: enough for a test to check every rank's figures. */
export interface DriverReport {
  readonly refused: number;
  readonly connections: number;
  readonly records: number;
  readonly problems: readonly string[];
  /** Connections that were not remote and so were not placed (none expected). */
  readonly local: number;
  readonly runs: readonly {
    readonly name: string;
    readonly live: boolean;
    readonly hosts: readonly string[];
    readonly ranks: readonly { host: string; pid: number; globalPid: number; rank?: number; localRank?: number; lastRss?: number }[];
    /** Per checkpoint label: each rank's RSS at its last hit. */
    readonly checkpoints: Readonly<Record<string, Readonly<Record<string, number>>>>;
    /** Series in the run's store (proc.<globalPid>.rss lines, tree.rss). */
    readonly series: readonly string[];
  }[];
}

async function main(): Promise<void> {
  const [host = '127.0.0.1', portText = '0'] = process.argv.slice(2);
  const problems: string[] = [];
  let local = 0;
  let n = 0;
  const router: SessionRouter = new SessionRouter({
    onProblem: (m) => problems.push(m),
    adopt: (c) => {
      if (remote.isRemote(c)) return remote.place(c);
      local++;
      return undefined;
    },
  });
  const remote = new RemoteRuns({ localHost: hostname(), graceMs: 60_000, newId: () => `remote${++n}`, onStart: (s) => router.add(s) });
  const listener = new ProtocolListener({
    ...router.handlers,
    onDisconnect: (c) => {
      router.handlers.onDisconnect(c);
      remote.disconnected(c);
    },
    onProblem: (m) => problems.push(m),
  });
  await listener.start();
  const token = listener.issueToken('window');
  const address = await listener.listenRemote(host, Number(portText), new Set(['window']));
  process.stdout.write(JSON.stringify({ address, token }) + '\n');

  const report = (): DriverReport => ({
    refused: listener.stats.refused,
    connections: listener.stats.connections,
    records: listener.stats.records,
    problems,
    local,
    runs: remote.all().map((r) => ({
      name: r.name,
      live: r.live,
      hosts: r.hostNames(),
      ranks: r.ranks().map((k) => ({ host: k.host, pid: k.pid, globalPid: k.globalPid, rank: k.rank, localRank: k.localRank, lastRss: k.lastRss })),
      checkpoints: Object.fromEntries(r.ingest.all().map((s) => [s.label ?? `${s.file}:${s.line}`, Object.fromEntries([...(s.ranks?.values() ?? [])].map((f) => [String(f.rank), f.lastRss]))])),
      series: r.store.names(),
    })),
  });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'report') process.stdout.write(JSON.stringify(report()) + '\n');
    if (line.trim() === 'quit') break;
  }
  remote.dispose();
  router.dispose();
  listener.dispose();
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`driver: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
