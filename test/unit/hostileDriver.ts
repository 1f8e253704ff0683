// Drives a hostile corpus into a real ProtocolListener (its real decode worker) over real
// Unix sockets, with the misbehaving connections a listener meets: silent, half-open, cut
// mid-line, wrong and missing tokens. Shared by hostileSocket.test.ts and bench/hostile.bench.ts.
import { connect, type Socket } from 'node:net';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { batchSize, recordsOf } from '../../src/engine/protocol/recordBatch';
import { corpus, labelOf, type Expected } from './hostileCorpus';

export interface HostileResult {
  expected: Expected[];
  /** Per connection (by hello pid): records received, the hello included. */
  received: Map<number, number>;
  /** Seq or label mismatches among the valid records (0 when every one arrived intact, in order). */
  mismatches: string[];
  problems: string[];
  /** Refusals from the misbehaving connections (beyond the corpus's): the half-open and cut-off ones' unfinished last lines. */
  sideRefused: Record<string, number>;
  stats: ProtocolListener['stats'];
  decodeMode: string;
  lines: number;
  bytes: number;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ path: address.replace(/^unix:/, '') }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `chunks`, waiting for the socket to drain: a real client's pace, not a buffer in memory. */
async function writeAll(s: Socket, chunks: Iterable<Buffer>): Promise<void> {
  for (const c of chunks) if (!s.write(c)) await new Promise((r) => s.once('drain', r));
}

const hello = (pid: number, token?: string) => Buffer.from(JSON.stringify({ v: 1, type: 'hello', t: 1, pid, seq: 0, ...(token === undefined ? {} : { token }) }) + '\n');

/**
 * The most problem lines a rate-limited listener may log in `ms`: per kind of problem (one per
 * flooding program, plus the refused connections, the half-open and cut-off programs), its first
 * line, one count per 10 s interval, and one at the end.
 */
export const problemBound = (connections: number, ms: number) => (connections + 3) * (2 + Math.ceil(ms / 10_000));

/** A program's first checkpoint, as the flood's are (seq 0, its label). */
const firstLine = (pid: number) => Buffer.from(JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid, seq: 0, label: labelOf(0), mem: { rss: 1 } }) + '\n');

/** Sends `connections` × `linesEach` hostile lines plus the misbehaving connections; resolves once every connection has ended. */
export async function runHostile(connections: number, linesEach: number): Promise<HostileResult> {
  const received = new Map<number, number>();
  const nextSeq = new Map<number, number>();
  const mismatches: string[] = [];
  const problems: string[] = [];
  let ended = 0;
  const l = new ProtocolListener({
    helloTimeoutMs: 400,
    onRecords: (c, b) => {
      const pid = c.hello.pid;
      received.set(pid, (received.get(pid) ?? 0) + batchSize(b));
      // Every valid record intact and in order: seq 0, 1, 2, ... each with the label it was sent with.
      for (const r of recordsOf(b)) {
        if (r.type === 'hello') continue;
        const want = nextSeq.get(pid) ?? 0;
        nextSeq.set(pid, want + 1);
        const label = (r as { label?: string }).label;
        if ((r.seq !== want || label !== labelOf(want)) && mismatches.length < 10) mismatches.push(`pid ${pid}: seq ${r.seq} (wanted ${want}), label ${JSON.stringify(label)}`);
      }
    },
    onDisconnect: () => ended++,
    onProblem: (m) => problems.push(m),
  });
  await l.start();
  const address = l.address as string;
  const token = l.issueToken('hostile');
  const start = performance.now();
  const expected: Expected[] = [];
  const sockets: Socket[] = [];
  try {
    // The misbehaving ones first, so they overlap the flood.
    const silent = await open(address); // never says hello: refused after the hello timeout
    const silentAfterHello = await open(address); // says hello, then nothing
    silentAfterHello.write(hello(9001, token));
    const wrong = await open(address);
    wrong.write(hello(9002, 'not-the-token'));
    const missing = await open(address);
    missing.write(hello(9003));
    const garbage = await open(address);
    garbage.write(Buffer.from([0xff, 0xfe, 0x3c, 0x73, 0x0a]));
    const longHello = await open(address);
    void writeAll(longHello, [Buffer.alloc(2 * 1024 * 1024, 0x7b)]).catch(() => undefined);
    // Half-open: complete lines then half a line, then this side's FIN; it keeps its read side.
    const half = await open(address);
    half.write(Buffer.concat([hello(9004, token), firstLine(9004), Buffer.from('{"v":1,"type":"check')]));
    half.end();
    // Cut mid-line by a dying program.
    const cutOff = await open(address);
    cutOff.write(Buffer.concat([hello(9005, token), firstLine(9005), Buffer.from('{"v":1,"ty')]));
    setTimeout(() => cutOff.destroy(), 50);
    sockets.push(silent, silentAfterHello, wrong, missing, garbage, longHello, half, cutOff);
    for (const s of sockets) s.on('error', () => undefined);

    await Promise.all(
      Array.from({ length: connections }, async (_, i) => {
        const pid = 10_000 + i;
        const e: Expected = { valid: 0, refused: {}, lines: 0, bytes: 0 };
        expected.push(e);
        const s = await open(address);
        s.on('error', () => undefined);
        s.write(hello(pid, token));
        await writeAll(s, corpus(pid, linesEach, 1234 + i, e));
        await new Promise<void>((r) => s.end(r));
      }),
    );
    // 8 flood connections' ends, the half-open and the cut one, the silent-after-hello when closed below.
    const deadline = Date.now() + 120_000;
    while (ended < connections + 2 && Date.now() < deadline) await sleep(20);
    await sleep(Math.max(0, 500 - (performance.now() - start))); // past the hello timeout, for the silent one
    silentAfterHello.destroy();
    while (ended < connections + 3 && Date.now() < deadline) await sleep(20);
    const ms = performance.now() - start;
    return {
      expected,
      received,
      mismatches,
      problems,
      sideRefused: { json: 2 },
      stats: l.stats,
      decodeMode: l.decodeMode,
      lines: expected.reduce((a, e) => a + e.lines, 0),
      bytes: expected.reduce((a, e) => a + e.bytes, 0),
      ms,
    };
  } finally {
    for (const s of sockets) s.destroy();
    l.dispose(); // flushes the rate-limited counts into `problems`
  }
}
