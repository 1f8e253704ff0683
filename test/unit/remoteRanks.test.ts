// Remote ranks on one machine: the real listener's remote TCP port, real sockets speaking the
// protocol with hellos that name other hosts, and the grouping of RemoteRuns. The run across two
// network namespaces with real Python ranks is remoteRanks.netns.test.ts.
import * as assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRun } from '../../src/engine/recording/openRun';
import { MetricsExport } from '../../src/engine/metrics/metricsExport';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { isLoopback, parseListenAddress, RemoteListenError } from '../../src/engine/protocol/remoteListen';
import { isRemoteHello, RemoteRuns } from '../../src/engine/session/remoteRanks';
import { findRemoteResumables, resumes, type RemoteResumable } from '../../src/engine/session/remoteResume';
import { SessionRouter } from '../../src/engine/session/sessionRouter';
import type { RemoteRunSession } from '../../src/engine/session/remoteRunSession';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A window's listener with remote ranks on 127.0.0.1 (any free port) and a short grace. */
async function windowListener(graceMs = 60_000, recordIn?: string) {
  let local = 0;
  let n = 0;
  const problems: string[] = [];
  const router: SessionRouter = new SessionRouter({ adopt: (c) => (remote.isRemote(c) ? remote.place(c) : (local++, undefined)) });
  // As the editor does it: a process of a run a closing window detached goes on with that run.
  let resumables: RemoteResumable[] | undefined;
  const recording = recordIn
    ? (id: string, first: { program: string; worldSize: number; host: string; pid: number }) => {
        resumables ??= findRemoteResumables(recordIn, Date.now(), 3600_000);
        const i = resumables.findIndex((r) => resumes(r, first.program, first.worldSize, first.host, first.pid));
        if (i >= 0) return { path: resumables[i].path, resume: resumables.splice(i, 1)[0] };
        return { path: join(recordIn, `${Date.now()}-remote-${id}.ndjson`) };
      }
    : undefined;
  const remote = new RemoteRuns({ localHost: hostname(), graceMs, newId: () => `r${++n}`, onStart: (s) => router.add(s), recording });
  const listener = new ProtocolListener({
    ...router.handlers,
    onDisconnect: (c) => {
      router.handlers.onDisconnect(c);
      remote.disconnected(c);
    },
    onProblem: (m) => problems.push(m),
    decodeThread: 'inline',
  });
  await listener.start();
  const token = listener.issueToken('window');
  const other = listener.issueToken('s1');
  const address = await listener.listenRemote('127.0.0.1', 0, new Set(['window']));
  const port = Number(address.split(':').pop());
  return { listener, remote, router, token, other, address, port, problems, local: () => local };
}

/** A rank of `host` that says hello and reports a checkpoint holding `rss`. */
async function rank(port: number, token: string, host: string, pid: number, r: number | undefined, rss: number, world = 4): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise((ok, fail) => s.once('connect', ok).once('error', fail));
  const t = Date.now() / 1000;
  const hello = { v: 1, type: 'hello', t, pid, seq: 0, token, host, argv: ['train.py'], ...(r === undefined ? {} : { rank: r, local_rank: r % 2, world_size: world, local_world_size: 2 }) };
  const cp = { v: 1, type: 'checkpoint', t: t + 0.01, pid, seq: 1, file: '/job/train.py', line: 9, label: 'after forward', mem: { rss } };
  s.write(JSON.stringify(hello) + '\n' + JSON.stringify(cp) + '\n');
  return s;
}

describe('remote ranks (one machine, real sockets)', () => {
  it('tells a remote hello by its host name', () => {
    assert.equal(isRemoteHello({ host: 'node-7' }, 'editor-box'), true);
    assert.equal(isRemoteHello({ host: 'editor-box' }, 'editor-box'), false);
    assert.equal(isRemoteHello({}, 'editor-box'), false, 'an older client without a host is local, as before');
    assert.equal(isRemoteHello({ host: '' }, 'editor-box'), false);
  });

  it('parses the setting and refuses what is not HOST:PORT', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:5151'), { host: '127.0.0.1', port: 5151 });
    assert.deepEqual(parseListenAddress(' 0.0.0.0:5151 '), { host: '0.0.0.0', port: 5151 });
    assert.deepEqual(parseListenAddress('[::1]:5151'), { host: '::1', port: 5151 });
    assert.match((parseListenAddress('5151') as { error: string }).error, /not HOST:PORT/);
    assert.match((parseListenAddress('h:70000') as { error: string }).error, /between 1 and 65535/);
    assert.equal(isLoopback('127.0.0.1'), true);
    assert.equal(isLoopback('0.0.0.0'), false);
  });

  it('groups 4 ranks of 2 hosts with colliding pids into one run, each rank its own line and figures', async () => {
    const w = await windowListener();
    const socks: Socket[] = [];
    try {
      // The same pid on both hosts: two processes, never one.
      socks.push(await rank(w.port, w.token, 'node-a', 4242, 0, 100 * MB));
      socks.push(await rank(w.port, w.token, 'node-a', 4243, 1, 110 * MB));
      socks.push(await rank(w.port, w.token, 'node-b', 4242, 2, 120 * MB));
      socks.push(await rank(w.port, w.token, 'node-b', 4243, 3, 300 * MB));
      await until(() => (w.remote.all()[0]?.ingest.all()[0]?.ranks?.size ?? 0) === 4, 'four ranks at the checkpoint');
      assert.equal(w.remote.all().length, 1);
      const run = w.remote.all()[0];
      assert.equal(run.name, 'train.py (4 ranks, 2 hosts)');
      assert.equal(run.rootPid, 0, 'nothing local to sample');
      assert.equal(run.monitor, undefined);
      assert.equal(w.local(), 0);
      const figures = [...(run.ingest.all()[0].ranks?.values() ?? [])].sort((a, b) => a.rank - b.rank);
      assert.deepEqual(
        figures.map((f) => f.lastRss / MB),
        [100, 110, 120, 300],
      );
      const pids = new Set(run.ranks().map((r) => r.globalPid));
      assert.equal(pids.size, 4, 'pids made unique per host');
      for (const r of run.ranks()) assert.equal(run.store.get(`proc.${r.globalPid}.rss`)?.lastValue, r.lastRss);
      assert.equal(run.store.get('tree.rss')?.lastValue, 630 * MB, 'the run line sums the newest of every rank');
      assert.deepEqual(
        run.ranks().map((r) => [r.host, r.rank, r.localRank]),
        [
          ['node-a', 0, 0],
          ['node-a', 1, 1],
          ['node-b', 2, 0],
          ['node-b', 3, 1],
        ],
      );
    } finally {
      for (const s of socks) s.destroy();
      w.router.dispose();
      w.listener.dispose();
    }
  });

  it('records the run so that it opens as it was drawn: every rank line, the sum, the ranks at each checkpoint; no token kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-remote-rec-'));
    const w = await windowListener(60_000, dir);
    const socks: Socket[] = [];
    try {
      // The same pid on both hosts, as in the test above; then more reports from each.
      socks.push(await rank(w.port, w.token, 'node-a', 4242, 0, 100 * MB, 2));
      socks.push(await rank(w.port, w.token, 'node-b', 4242, 1, 200 * MB, 2));
      await until(() => (w.remote.all()[0]?.ingest.all()[0]?.ranks?.size ?? 0) === 2, 'both ranks at the checkpoint');
      const run = w.remote.all()[0];
      for (let k = 2; k <= 6; k++) {
        for (const [i, s] of socks.entries()) {
          const t = Date.now() / 1000;
          s.write(JSON.stringify({ v: 1, type: 'checkpoint', t, pid: 4242, seq: k, file: '/job/train.py', line: 12, label: 'after step', mem: { rss: (100 * (i + 1) + 10 * k) * MB } }) + '\n');
        }
        await sleep(20);
      }
      await until(() => run.store.get('tree.rss')?.lastValue === 420 * MB, 'the last reports summed');
      const path = run.recordingPath as string;
      assert.ok(path?.startsWith(dir) && path.endsWith('.ndjson'), `recorded in the folder given: ${path}`);
      run.end('every rank disconnected');
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes(w.token), 'the window token is never written');
      const opened = await openRun(path);
      assert.equal(opened.header?.name, 'train.py (2 ranks)');
      for (const name of ['tree.rss', ...run.ranks().map((r) => `proc.${r.globalPid}.rss`)]) {
        const live = run.store.get(name);
        const back = opened.store.get(name);
        assert.ok(live && back, `${name} live and opened`);
        assert.deepEqual([back.count, back.max, back.lastValue], [live.count, live.max, live.lastValue], name);
      }
      assert.equal(opened.store.get('tree.vms'), undefined, 'no VMS line drawn from figures nobody sampled');
      const ranksAt = (ingest: typeof run.ingest, label: string) =>
        [...(ingest.all().find((s) => s.label === label)?.ranks?.values() ?? [])].map((f) => [f.rank, f.lastRss / MB]).sort((a, b) => a[0] - b[0]);
      assert.deepEqual(ranksAt(opened.ingest, 'after step'), ranksAt(run.ingest, 'after step'));
      assert.deepEqual(ranksAt(opened.ingest, 'after step'), [[0, 160], [1, 260]]);
    } finally {
      for (const s of socks) s.destroy();
      w.router.dispose();
      w.listener.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a window that closes detaches the run naming its processes; when one reconnects to a later window, the run goes on in the same recording after a gap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-remote-resume-'));
    const report = (s: Socket, pid: number, seq: number, rss: number) =>
      s.write(JSON.stringify({ v: 1, type: 'checkpoint', t: Date.now() / 1000, pid, seq, file: '/job/train.py', line: 12, label: 'after step', mem: { rss } }) + '\n');
    const socks: Socket[] = [];
    let w = await windowListener(60_000, dir);
    try {
      // Window 1: two ranks on two hosts with the same pid.
      socks.push(await rank(w.port, w.token, 'node-a', 4242, 0, 100 * MB, 2));
      socks.push(await rank(w.port, w.token, 'node-b', 4242, 1, 200 * MB, 2));
      await until(() => (w.remote.all()[0]?.ingest.all()[0]?.ranks?.size ?? 0) === 2, 'both ranks');
      const first = w.remote.all()[0];
      const path = first.recordingPath as string;
      const gpids = first.ranks().map((r) => r.globalPid);
      first.detach('window closed');
      assert.equal(first.live, false);
      const last = JSON.parse(readFileSync(path, 'utf8').trim().split('\n').pop() as string);
      assert.deepEqual([last.type, last.program, last.worldSize, last.hosts, last.members], ['detach', 'train.py', 2, ['node-a', 'node-b'], [['node-a', 4242], ['node-b', 4242]]]);
      for (const s of socks.splice(0)) s.destroy();
      w.router.dispose();
      w.listener.dispose();

      // Window 2: only node-b's rank comes back (its host was second before), and the window
      // closes again before node-a's does: node-a is still named, as it may yet come back.
      w = await windowListener(60_000, dir);
      socks.push(await rank(w.port, w.token, 'node-b', 4242, 1, 240 * MB, 2));
      await until(() => w.remote.all().length === 1, 'the run in the second window');
      const between = w.remote.all()[0];
      await between.ready;
      assert.equal(between.recordingPath, path, 'the same recording');
      between.detach('window closed');
      const again = JSON.parse(readFileSync(path, 'utf8').trim().split('\n').pop() as string);
      assert.deepEqual(again.members, [['node-a', 4242], ['node-b', 4242]]);
      for (const s of socks.splice(0)) s.destroy();
      w.router.dispose();
      w.listener.dispose();

      // Window 3: node-b first again, then node-a.
      w = await windowListener(60_000, dir);
      const b = await rank(w.port, w.token, 'node-b', 4242, 1, 250 * MB, 2);
      socks.push(b);
      await until(() => w.remote.all().length === 1, 'the run in the third window');
      const run = w.remote.all()[0];
      await run.ready;
      socks.push(await rank(w.port, w.token, 'node-a', 4242, 0, 150 * MB, 2));
      await until(() => run.ranks().length === 2, 'both ranks back');
      report(b, 4242, 2, 260 * MB);
      await until(() => run.store.get('tree.rss')?.lastValue === 410 * MB, 'the sum of both after the reload');
      assert.equal(run.recordingPath, path, 'the same recording');
      assert.deepEqual(run.ranks().map((r) => r.globalPid).sort(), [...gpids].sort(), 'each process keeps its pid range: node-b is still the second host');
      assert.equal(run.store.events.all().filter((e) => e.kind === 'gap').length, 2, 'both gaps are on the timeline');
      assert.equal(run.store.get(`proc.${gpids[1]}.rss`)?.max, 260 * MB);
      assert.equal(run.store.get(`proc.${gpids[0]}.rss`)?.count, 2, "node-a's line: one point before, one after");
      run.end('every rank disconnected');
      const opened = await openRun(path);
      assert.equal(opened.store.get('tree.rss')?.max, 410 * MB);
      assert.equal(opened.store.events.all().filter((e) => e.kind === 'gap').length, 2, 'two gaps in the recording');
      assert.equal(readdirSync(dir).filter((n) => n.endsWith('.ndjson')).length, 1, 'no second recording');
    } finally {
      for (const s of socks) s.destroy();
      w.router.dispose();
      w.listener.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports a remote run's checkpoint series per rank with that rank's own host and local_rank", async () => {
    const w = await windowListener();
    const socks: Socket[] = [];
    let exp: MetricsExport | undefined;
    try {
      socks.push(await rank(w.port, w.token, 'node-a', 4242, 0, 100 * MB, 2));
      await until(() => w.remote.all().length === 1, 'the run');
      exp = new MetricsExport(w.remote.all()[0], { job: 'train.py', host: 'editor-box' }, {});
      socks.push(await rank(w.port, w.token, 'node-b', 4242, 1, 200 * MB, 2));
      const want = `headroom_checkpoint_rss_bytes{job="train.py",host="node-b",rank="1",local_rank="1",checkpoint="after forward",kind="checkpoint"} ${200 * MB}`;
      await until(() => (exp?.text ?? '').split('\n').includes(want), 'the second rank in the metrics', 3000).catch(() => assert.fail(`missing ${want} in:\n${exp?.text}`));
      assert.ok(exp.text.split('\n').includes(`headroom_checkpoint_rss_bytes{job="train.py",host="node-a",rank="0",local_rank="0",checkpoint="after forward",kind="checkpoint"} ${100 * MB}`), exp.text);
      assert.ok(!/headroom_tree_rss_bytes\{/.test(exp.text), 'nothing sampled here is claimed for a remote run');
    } finally {
      exp?.dispose();
      for (const s of socks) s.destroy();
      w.router.dispose();
      w.listener.dispose();
    }
  });

  it('starts a second run when a live rank number is taken, a run of its own for a process that is not a rank, and ends a run after its grace', async () => {
    const w = await windowListener(200);
    const socks: Socket[] = [];
    try {
      socks.push(await rank(w.port, w.token, 'node-a', 10, 0, 50 * MB, 2));
      socks.push(await rank(w.port, w.token, 'node-c', 10, 0, 60 * MB, 2));
      socks.push(await rank(w.port, w.token, 'node-d', 77, undefined, 70 * MB));
      await until(() => w.remote.all().length === 3, 'three runs');
      const names = w.remote.all().map((r) => r.name);
      assert.deepEqual(names, ['train.py (2 ranks, 1 host)', 'train.py (2 ranks, 1 host)', 'train.py on node-d']);
      const first = w.remote.all()[0] as RemoteRunSession;
      socks[0].destroy();
      await until(() => !first.live, 'the first run to end after its grace', 3000);
      assert.equal(first.exitDescription, 'every rank disconnected');
      assert.equal(w.remote.all().length, 2);
    } finally {
      for (const s of socks) s.destroy();
      w.router.dispose();
      w.listener.dispose();
    }
  });

  it('admits only the window token on the remote port, counting refusals; closing it cuts remote ranks off', async () => {
    const w = await windowListener();
    try {
      // A token of a session the editor launched is valid locally, not on the remote port.
      const session = await rank(w.port, w.other, 'node-a', 2, 1, MB);
      await until(() => w.listener.stats.refused === 1, 'the first refusal');
      assert.ok(w.problems.some((p) => /refused a connection from 127\.0\.0\.1:\d+: that token is not for remote ranks/.test(p)), w.problems.join('; '));
      const wrong = await rank(w.port, 'not-a-token', 'node-a', 1, 0, MB);
      await until(() => w.listener.stats.refused === 2, 'the second refusal');
      assert.equal(w.remote.all().length, 0);
      wrong.destroy();
      session.destroy();
      const ok = await rank(w.port, w.token, 'node-a', 3, 0, MB);
      await until(() => w.remote.all().length === 1, 'one run');
      const closed = new Promise((r) => ok.once('close', r));
      await w.listener.closeRemote();
      await closed;
      assert.equal(w.listener.remoteAddress, undefined);
      await assert.rejects(rank(w.port, w.token, 'node-a', 4, 1, MB), /ECONNREFUSED/);
    } finally {
      w.router.dispose();
      w.listener.dispose();
    }
  });

  it('says clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const listener = new ProtocolListener({ onRecords: () => undefined, decodeThread: 'inline' });
    await listener.start();
    try {
      await assert.rejects(listener.listenRemote('127.0.0.1', port, new Set(['window'])), (e: unknown) => {
        assert.ok(e instanceof RemoteListenError);
        assert.match(e.message, new RegExp(`cannot listen for remote ranks on 127\\.0\\.0\\.1:${port}: port ${port} is already in use`));
        return true;
      });
      assert.equal(listener.remoteAddress, undefined);
    } finally {
      listener.dispose();
      blocker.close();
    }
  });
});
