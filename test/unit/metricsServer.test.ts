import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseListenAddress } from '../../src/engine/metrics/metricsServer';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { freePort } from './metricsHelpers';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request; resolves with status and body, or the error's code. */
function get(port: number, path = '/metrics', method = 'GET'): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ body: '', error: e.code ?? e.message }));
    req.end();
  });
}

/** A raw connection, with when it was closed (by the server, as nothing here closes it). */
function raw(port: number): { socket: Socket; closedAt: () => number | undefined; received: () => string } {
  const socket = connect(port, '127.0.0.1');
  let closed: number | undefined;
  let data = '';
  socket.on('error', () => undefined);
  socket.on('data', (d) => (data += d.toString('latin1').slice(0, 200)));
  socket.on('close', () => (closed = Date.now()));
  return { socket, closedAt: () => closed, received: () => data };
}

describe('parseListenAddress', () => {
  it('reads HOST:PORT and [IPv6]:PORT, and refuses the rest', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9400'), { host: '127.0.0.1', port: 9400 });
    assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:80'), { host: 'localhost', port: 80 });
    for (const bad of ['9400', '127.0.0.1', '127.0.0.1:70000', 'a b:1', '::1:9400', '']) assert.equal(parseListenAddress(bad), undefined, bad);
  });
});

describe('headroom run --metrics under a hostile scraper (real CLI, real program)', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;
  before(function () {
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-metrics-'))));
  afterEach(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad address with a clear message and exit code 2, before starting the program', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--metrics', 'nonsense', '--', 'true'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--metrics: "nonsense" is not HOST:PORT/);
    const s = createServer().listen(0, '127.0.0.1');
    return new Promise<void>((done) =>
      s.once('listening', () => {
        const { port } = s.address() as { port: number };
        const busy = spawnSync(process.execPath, [cli, 'run', '--metrics', `127.0.0.1:${port}`, '--', 'touch', join(dir, 'ran')], { encoding: 'utf8' });
        s.close();
        assert.equal(busy.status, 2);
        assert.match(busy.stderr, new RegExp(`--metrics 127.0.0.1:${port}: cannot listen: the port is in use`));
        assert.ok(!existsSync(join(dir, 'ran')), 'the program must not start');
        done();
      }),
    );
  });

  it('keeps sampling at its interval through 200 connections, slowloris, a 1 MB request line, readers that never read, and bad requests', async () => {
    const port = await freePort();
    const prog = join(dir, 'hold.py');
    writeFileSync(prog, 'import time\nx = b"a" * (50 << 20)\ntime.sleep(9)\n');
    const out = join(dir, 'out');
    child = spawn(process.execPath, [cli, 'run', '--quiet', '--interval', '50', '--out', out, '--metrics', `127.0.0.1:${port}`, '--', '/usr/bin/python3', prog], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child?.once('exit', (c) => r(c)));
    let first = await get(port);
    for (let i = 0; i < 50 && first.status !== 200; i++) first = (await sleep(100), await get(port));
    assert.equal(first.status, 200, `no /metrics: ${first.error} ${stderr}`);

    // Bad requests get short answers.
    assert.equal((await get(port, '/metrics', 'POST')).status, 405);
    assert.equal((await get(port, '/', 'GET')).status, 404);
    assert.equal((await get(port, '/../../etc/passwd', 'GET')).status, 404);

    const t0 = Date.now();
    // A request line of 1 MB: answered 431 and cut off at once.
    const huge = raw(port);
    huge.socket.write('GET /' + 'a'.repeat(1 << 20) + ' HTTP/1.1\r\n\r\n');
    for (let i = 0; i < 30 && huge.closedAt() === undefined; i++) await sleep(100);
    assert.ok(huge.closedAt() !== undefined && (huge.closedAt() as number) - t0 < 3000, 'the 1 MB request line is cut off at once');
    assert.match(huge.received(), /^HTTP\/1.1 431/);
    // Slowloris: a header a byte every 200 ms, never finished.
    const slow = Array.from({ length: 4 }, () => raw(port));
    const drip = setInterval(() => slow.forEach((s, i) => s.socket.write(i === 0 ? 'G' : 'x')), 200);
    for (const s of slow) s.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    // Readers that ask for a thousand scrapes and never read the answers.
    const deaf = Array.from({ length: 3 }, () => raw(port));
    for (const d of deaf) {
      d.socket.pause();
      d.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1000));
    }
    await sleep(300);
    // Then 200 connections that say nothing, past the limit.
    const idle = Array.from({ length: 200 }, () => raw(port));
    await sleep(6200);
    clearInterval(drip);

    const closed = (xs: { closedAt: () => number | undefined }[]) => xs.filter((x) => x.closedAt() !== undefined).length;
    assert.ok(closed(idle) >= 180, `connections over the limit are closed: ${closed(idle)} of 200`);
    assert.equal(closed(slow), slow.length, 'slowloris connections closed by the header timeout');
    for (const x of slow) assert.ok((x.closedAt() as number) - t0 > 4000, 'held (accepted), then timed out, not refused');
    // Once the abusers are gone, a scrape gets the figures again.
    for (const x of [...idle, ...slow, huge, ...deaf]) x.socket.destroy();
    await sleep(200);
    const after = await get(port);
    assert.equal(after.status, 200, `after the abuse: ${after.error}`);
    assert.match(after.body, /^headroom_tree_rss_bytes\{job="hold.py",host="[^"]+"\} \d+$/m);

    assert.equal(await exited, 0, stderr);
    const samples = readRecording(join(out, 'recording.ndjson')).records.filter((r) => r.type === 'sample');
    const ts = samples.map((r) => r.t as number).filter((t) => t >= t0 && t <= t0 + 6500);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]).sort((a, b) => a - b);
    const median = gaps[gaps.length >> 1];
    assert.ok(ts.length > 6500 / 50 / 2, `samples during the abuse: ${ts.length}`);
    assert.ok(median >= 40 && median <= 70, `median gap ${median} ms at a 50 ms interval`);
    assert.ok(gaps[gaps.length - 1] < 500, `longest gap ${gaps[gaps.length - 1]} ms`);
  });
});
