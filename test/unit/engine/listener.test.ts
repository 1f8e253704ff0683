import * as assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ProtocolRecord } from '../../../src/shared/protocol';
import { ProtocolListener, type ProtocolConnection } from '../../../src/extension/engine/protocol/listener';
import { sleep } from './allocator';
import { runPython } from './pythonRun';

interface Got {
  conn: ProtocolConnection;
  rec: ProtocolRecord;
}

async function startListener(opts: { tcp?: boolean } = {}) {
  const got: Got[] = [];
  const problems: string[] = [];
  const connections: ProtocolConnection[] = [];
  const l = new ProtocolListener({
    tcp: opts.tcp,
    onRecord: (conn, rec) => got.push({ conn, rec }),
    onConnect: (c) => connections.push(c),
    onProblem: (m) => problems.push(m),
  });
  await l.start();
  return { l, got, problems, connections };
}

describe('ProtocolListener (real sockets, real Python client)', function () {
  this.timeout(60_000);

  it('receives every record of a real program with file, line, label and memory', async () => {
    const { l, got } = await startListener();
    try {
      const token = l.issueToken('session-1');
      const r = await runPython(
        ['import headroom', 'headroom.checkpoint("start")', 'data = b"x" * (128 << 20)', 'headroom.checkpoint("after 128 MB")', 'with headroom.track("region"):', '    pass', ''].join('\n'),
        l.env(token),
      );
      assert.equal(r.code, 0, r.stderr);
      await sleep(100);
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
    const { l, got, problems } = await startListener();
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
    const { l, got, problems } = await startListener();
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
      await sleep(50);
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

  it('keeps delivering a chunk\'s records after one whose handler throws, and reports it once', async () => {
    const seen: string[] = [];
    const problems: string[] = [];
    const l = new ProtocolListener({
      onRecord: (_c, rec) => {
        const label = (rec as { label?: string }).label ?? rec.type;
        if (label.startsWith('bad')) throw new Error(`cannot handle ${label}`);
        seen.push(label);
      },
      onProblem: (m) => problems.push(m),
    });
    await l.start();
    try {
      const token = l.issueToken('s');
      const sock = connect((l.address as string).slice('unix:'.length));
      await new Promise((r) => sock.once('connect', r));
      const rec = (seq: number, label: string) => JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 7, seq, label, mem: { rss: 1000 } }) + '\n';
      // One write, so the records arrive in one chunk and are handed on as one batch.
      sock.end(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 7, seq: 0, token }) + '\n' + rec(1, 'a') + rec(2, 'bad 1') + rec(3, 'b') + rec(4, 'bad 2') + rec(5, 'c'));
      await new Promise((r) => sock.once('close', r));
      await sleep(50);
      assert.deepEqual(seen, ['hello', 'a', 'b', 'c']);
      assert.equal(l.stats.errors.internal, 2);
      assert.equal(problems.filter((p) => p.includes('could not be handled')).length, 1, problems.join(' | '));
      assert.match(problems.find((p) => p.includes('could not be handled')) ?? '', /cannot handle bad 1/);
    } finally {
      l.dispose();
    }
  });

  it('leaves the program running when the extension goes away mid-run', async () => {
    const { l, got } = await startListener();
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
    const { l, got, connections } = await startListener();
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
    const { l, got } = await startListener({ tcp: true });
    try {
      const token = l.issueToken('s');
      assert.match(l.tcpAddress ?? '', /^tcp:127\.0\.0\.1:\d+$/);
      const r = await runPython('import headroom\nheadroom.checkpoint("over tcp")\n', { HEADROOM_ADDR: l.tcpAddress as string, HEADROOM_TOKEN: token });
      assert.equal(r.code, 0);
      await sleep(100);
      assert.ok(got.some((g) => (g.rec as { label?: string }).label === 'over tcp'));
    } finally {
      l.dispose();
    }
  });

  it('attributes DataLoader worker records to the workers (python3-torch, CPU)', async () => {
    const { l, got } = await startListener();
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
      await sleep(200);
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
