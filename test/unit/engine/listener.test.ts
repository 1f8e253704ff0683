import * as assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ProtocolRecord } from '../../../src/shared/protocol';
import { ProtocolListener, type ProtocolConnection } from '../../../src/engine/protocol/listener';
import { recordsOf } from '../../../src/engine/protocol/recordBatch';
import { sleep } from './allocator';
import { runPython } from './pythonRun';

interface Got {
  conn: ProtocolConnection;
  rec: ProtocolRecord;
}

type Mode = 'worker' | 'inline';

async function startListener(decodeThread: Mode, opts: { tcp?: boolean } = {}) {
  const got: Got[] = [];
  const problems: string[] = [];
  const connections: ProtocolConnection[] = [];
  const ended: ProtocolConnection[] = [];
  const l = new ProtocolListener({
    onDisconnect: (c) => ended.push(c),
    tcp: opts.tcp,
    decodeThread,
    onRecords: (conn, b) => {
      for (const rec of recordsOf(b)) got.push({ conn, rec });
    },
    onConnect: (c) => connections.push(c),
    onProblem: (m) => problems.push(m),
  });
  await l.start();
  /** Resolves once `n` connections have ended and their last records arrived. */
  const drained = async (n = 1) => {
    const deadline = Date.now() + 10_000;
    while (ended.length < n && Date.now() < deadline) await sleep(10);
    assert.ok(ended.length >= n, `${ended.length} of ${n} connections ended`);
  };
  return { l, got, problems, connections, drained };
}

for (const mode of ['worker', 'inline'] as const)
describe(`ProtocolListener, decoding ${mode === 'worker' ? 'in a worker thread' : 'inline'} (real sockets, real Python client)`, function () {
  this.timeout(60_000);

  it(`decodes ${mode === 'worker' ? 'in a worker thread' : 'on the calling thread'}`, async () => {
    const { l } = await startListener(mode);
    assert.equal(l.decodeMode, mode);
    l.dispose();
  });

  it('receives every record of a real program with file, line, label and memory', async () => {
    const { l, got, drained } = await startListener(mode);
    try {
      const token = l.issueToken('session-1');
      const r = await runPython(
        ['import headroom', 'headroom.checkpoint("start")', 'data = b"x" * (128 << 20)', 'headroom.checkpoint("after 128 MB")', 'with headroom.track("region"):', '    pass', ''].join('\n'),
        l.env(token),
      );
      assert.equal(r.code, 0, r.stderr);
      await drained();
      const recs = got.map((g) => g.rec);
      assert.deepEqual(recs.map((x) => x.type), ['hello', 'checkpoint', 'checkpoint', 'region_start', 'region_end', 'bye']);
      assert.ok(got.every((g) => g.conn.sessionKey === 'session-1'));
      const [a, b] = recs.filter((x) => x.type === 'checkpoint') as Extract<ProtocolRecord, { type: 'checkpoint' }>[];
      assert.equal(a.file, r.file);
      assert.deepEqual([a.line, b.line, a.label, b.label], [2, 4, 'start', 'after 128 MB']);
      assert.equal(a.pid, r.pid);
      const grown = b.mem.rss - a.mem.rss;
      assert.ok(grown > 0.9 * 128 * 2 ** 20 && grown < 1.1 * 128 * 2 ** 20, `grew ${grown}`);
    } finally {
      l.dispose();
    }
  });

  it('refuses a wrong token, says so once, and the program runs on', async () => {
    const { l, got, problems } = await startListener(mode);
    try {
      l.issueToken('s');
      const r = await runPython('import headroom\nfor i in range(3): headroom.checkpoint(str(i))\nprint("finished")\n', { ...l.env('not-the-token') });
      assert.equal(r.code, 0);
      assert.match(r.stdout, /finished/);
      await sleep(100);
      assert.equal(got.length, 0);
      assert.ok(l.stats.refused >= 1);
      assert.ok(problems.some((p) => /refused .*wrong token/.test(p)));
    } finally {
      l.dispose();
    }
  });

  it('drops a 2 MiB line and 10,000 garbage lines, keeping the valid records around them', async () => {
    const { l, got, problems, drained } = await startListener(mode);
    try {
      const token = l.issueToken('s');
      const path = (l.address as string).slice('unix:'.length);
      const sock = connect(path);
      await new Promise((r) => sock.once('connect', r));
      const rec = (seq: number, label: string) => JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 7, seq, label, mem: { rss: 1000 + seq } }) + '\n';
      sock.write(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 7, seq: 0, token }) + '\n');
      sock.write(rec(1, 'before'));
      // 2 MiB in one line, sent in pieces as a real stream would be.
      const big = rec(2, 'x'.repeat(2 * 1024 * 1024));
      for (let i = 0; i < big.length; i += 65536) sock.write(big.slice(i, i + 65536));
      sock.write(rec(3, 'between'));
      let garbage = '';
      for (let i = 0; i < 10_000; i++) garbage += i % 3 === 0 ? 'not json at all\n' : i % 3 === 1 ? '{"v":1,"type":"checkpoint"}\n' : '{"v":9,"type":"x"}\n';
      sock.write(garbage);
      sock.write(rec(4, 'after'));
      sock.end();
      await new Promise((r) => sock.once('close', r));
      await drained();
      const labels = got.filter((g) => g.rec.type === 'checkpoint').map((g) => (g.rec as { label?: string }).label);
      assert.deepEqual(labels, ['before', 'between', 'after']);
      assert.equal(l.stats.errors['too-long'], 1);
      const counted = Object.entries(l.stats.errors).filter(([k]) => k !== 'too-long').reduce((s, [, n]) => s + n, 0);
      assert.equal(counted, 10_000);
      assert.ok(problems.length <= 3, `reported ${problems.length} times, not 10,000: ${problems.join(' | ')}`);
    } finally {
      l.dispose();
    }
  });

  it('keeps delivering after a batch whose handler throws, counting its records and reporting once', async () => {
    const seen: string[] = [];
    const problems: string[] = [];
    const l = new ProtocolListener({
      decodeThread: mode,
      onRecords: (_c, b) => {
        const labels = recordsOf(b).map((rec) => (rec as { label?: string }).label ?? rec.type);
        const bad = labels.find((x) => x.startsWith('bad'));
        if (bad) throw new Error(`cannot handle ${bad}`);
        seen.push(...labels);
      },
      onProblem: (m) => problems.push(m),
    });
    await l.start();
    try {
      const token = l.issueToken('s');
      const sock = connect((l.address as string).slice('unix:'.length));
      await new Promise((r) => sock.once('connect', r));
      const rec = (seq: number, label: string) => JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 7, seq, label, mem: { rss: 1000 } }) + '\n';
      // One write per batch: each waits until the listener has taken the one before.
      const received = async (n: number) => {
        while (l.stats.records < n) await sleep(10);
      };
      sock.write(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 7, seq: 0, token }) + '\n' + rec(1, 'a'));
      await received(2);
      sock.write(rec(2, 'bad 1') + rec(3, 'b'));
      await received(4);
      sock.write(rec(4, 'bad 2'));
      await received(5);
      sock.end(rec(5, 'c'));
      await received(6);
      assert.deepEqual(seen, ['hello', 'a', 'c']);
      assert.equal(l.stats.errors.internal, 3, 'the records of the two batches that threw');
      assert.equal(problems.filter((p) => p.includes('could not be handled')).length, 1, problems.join(' | '));
      assert.match(problems.find((p) => p.includes('could not be handled')) ?? '', /2 records could not be handled: cannot handle bad 1/);
    } finally {
      l.dispose();
    }
  });

  it('stops reading a connection that outruns its decoding, and loses nothing (backpressure)', async () => {
    let last = 0;
    let outOfOrder = 0;
    let delivered = 0;
    // A low mark, so that one read of the socket running ahead of the worker's answers passes it.
    const l = new ProtocolListener({
      decodeThread: mode,
      highWaterBytes: 256 * 1024,
      onRecords: (_c, b) => {
        for (const rec of recordsOf(b)) {
          if (rec.type !== 'checkpoint') continue;
          if (rec.seq !== last + 1) outOfOrder++;
          last = rec.seq;
          delivered++;
        }
      },
    });
    await l.start();
    try {
      const token = l.issueToken('s');
      const n = 150_000;
      const lines = [JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 7, seq: 0, token })];
      for (let i = 1; i <= n; i++) lines.push(JSON.stringify({ v: 1, type: 'checkpoint', t: 1 + i / 1000, pid: 7, seq: i, file: '/w/train.py', line: 10 + (i % 5), label: `step ${i % 5}`, mem: { rss: 1e9 + i } }));
      const sock = connect((l.address as string).slice('unix:'.length));
      await new Promise((r) => sock.once('connect', r));
      sock.end(lines.join('\n') + '\n');
      await new Promise((r) => sock.once('close', r));
      const deadline = Date.now() + 40_000;
      while (delivered < n && Date.now() < deadline) await sleep(50);
      assert.equal(delivered, n);
      assert.equal(outOfOrder, 0);
      // Inline, the socket is not read while a batch is handled: only the worker can fall behind.
      if (mode === 'worker') assert.ok(l.stats.pauses > 0, 'the socket was paused while decoding caught up');
      else assert.equal(l.stats.pauses, 0);
    } finally {
      l.dispose();
    }
  });

  if (mode === 'worker')
    it('goes on decoding inline when the worker dies, and says so once', async () => {
      const { l, got, problems, drained } = await startListener(mode);
      try {
        const token = l.issueToken('s');
        const sock = connect((l.address as string).slice('unix:'.length));
        await new Promise((r) => sock.once('connect', r));
        const rec = (seq: number, label: string) => JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 7, seq, label, mem: { rss: 1000 } }) + '\n';
        sock.write(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 7, seq: 0, token }) + '\n' + rec(1, 'before'));
        while (got.length < 2) await sleep(10);
        // The worker thread ends as a crash would end it.
        await (l as unknown as { decoder: { worker: { terminate(): Promise<number> } } }).decoder.worker.terminate();
        while (l.decodeMode !== 'inline') await sleep(10);
        sock.end(rec(2, 'after'));
        await drained();
        assert.deepEqual(got.map((g) => (g.rec as { label?: string }).label ?? g.rec.type), ['hello', 'before', 'after']);
        assert.equal(problems.filter((p) => /decode worker exited/.test(p)).length, 1, problems.join(' | '));
      } finally {
        l.dispose();
      }
    });

  it('keeps the hello out of what a recording keeps of it: no token', async () => {
    const raws: string[] = [];
    const l = new ProtocolListener({ decodeThread: mode, onRecords: (_c, b) => raws.push(Buffer.from(b.raw).toString('utf8')) });
    await l.start();
    try {
      const token = l.issueToken('s');
      const r = await runPython('import headroom\nheadroom.checkpoint("x")\n', l.env(token));
      assert.equal(r.code, 0, r.stderr);
      while (!raws.join('').includes('"bye"')) await sleep(10);
      const lines = raws.join('').trim().split('\n').map((x) => JSON.parse(x) as ProtocolRecord);
      assert.deepEqual(lines.map((x) => x.type), ['hello', 'checkpoint', 'bye']);
      assert.equal((lines[0] as { token?: string }).token, undefined);
      assert.ok(!raws.join('').includes(token));
      assert.equal((lines[1] as { label?: string }).label, 'x');
    } finally {
      l.dispose();
    }
  });

  it('leaves the program running when the extension goes away mid-run', async () => {
    const { l, got } = await startListener(mode);
    const token = l.issueToken('s');
    const run = runPython(
      'import headroom, time\nfor i in range(40):\n    headroom.checkpoint(str(i))\n    time.sleep(0.025)\nprint("reached the end")\n',
      l.env(token),
    );
    await sleep(400);
    assert.ok(got.length > 1, 'records arrived before');
    l.dispose();
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reached the end/);
  });

  it('runs a cleanup and answers a ping on request, on the program side', async () => {
    const { l, got, connections } = await startListener(mode);
    try {
      const token = l.issueToken('s');
      const run = runPython(
        'import headroom, time\nchunks = [bytearray(512) for _ in range(300000)]\ndel chunks\nheadroom.checkpoint("ready")\nfor _ in range(100):\n    time.sleep(0.02)\n',
        l.env(token),
      );
      while (!got.some((g) => g.rec.type === 'checkpoint')) await sleep(20);
      connections[0].send({ v: 1, type: 'ping', id: 'p1' });
      connections[0].send({ v: 1, type: 'cleanup', id: 'c1', reason: 'test' });
      while (!got.some((g) => g.rec.type === 'cleanup_result')) await sleep(20);
      const res = got.find((g) => g.rec.type === 'cleanup_result')?.rec as Extract<ProtocolRecord, { type: 'cleanup_result' }>;
      assert.equal(res.id, 'c1');
      assert.ok(res.actions.some((a) => a.startsWith('malloc_trim')));
      assert.ok(res.rss.freed > 50 * 2 ** 20, `freed ${res.rss.freed}`);
      assert.ok(got.some((g) => g.rec.type === 'pong' && g.rec.id === 'p1'));
      await run;
    } finally {
      l.dispose();
    }
  });

  it('accepts programs over loopback TCP when asked', async () => {
    const { l, got, drained } = await startListener(mode, { tcp: true });
    try {
      const token = l.issueToken('s');
      assert.match(l.tcpAddress ?? '', /^tcp:127\.0\.0\.1:\d+$/);
      const r = await runPython('import headroom\nheadroom.checkpoint("over tcp")\n', { HEADROOM_ADDR: l.tcpAddress as string, HEADROOM_TOKEN: token });
      assert.equal(r.code, 0);
      await drained();
      assert.ok(got.some((g) => (g.rec as { label?: string }).label === 'over tcp'));
    } finally {
      l.dispose();
    }
  });

  it('attributes DataLoader worker records to the workers (python3-torch, CPU)', async () => {
    const { l, got, drained } = await startListener(mode);
    try {
      const token = l.issueToken('s');
      const r = await runPython(
        [
          'import torch, headroom',
          'from torch.utils.data import DataLoader, Dataset',
          'class DS(Dataset):',
          '    def __len__(self): return 6',
          '    def __getitem__(self, i):',
          '        headroom.checkpoint("item")',
          '        return torch.tensor([i])',
          'for b in DataLoader(DS(), batch_size=2, num_workers=2): pass',
          'headroom.checkpoint("main")',
          '',
        ].join('\n'),
        l.env(token),
      );
      assert.equal(r.code, 0, r.stderr);
      await drained(3);
      const items = got.filter((g) => (g.rec as { label?: string }).label === 'item');
      assert.equal(items.length, 6);
      const workers = new Set(items.map((g) => g.rec.pid));
      assert.equal(workers.size, 2);
      assert.ok(!workers.has(r.pid));
      for (const g of items) assert.equal(g.conn.hello.pid, g.rec.pid, 'each worker on its own connection');
      assert.ok(items.every((g) => g.conn.hello.ppid === r.pid));
    } finally {
      l.dispose();
    }
  });
});
