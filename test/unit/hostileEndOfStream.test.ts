// Found by the hostile corpus: a connection that ended inside a line (a program killed
// mid-write, a client that never wrote its last newline) lost that line without a count,
// so "every reject counted" did not hold. Now the end of a stream ends its last line.
import * as assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { recordsOf } from '../../src/engine/protocol/recordBatch';
import type { ProtocolRecord } from '../../src/shared/protocol';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `bytes` after a hello on one connection and closes it; what the listener made of it. */
async function send(mode: 'worker' | 'inline', bytes: string): Promise<{ records: ProtocolRecord[]; errors: Record<string, number>; problems: string[] }> {
  const records: ProtocolRecord[] = [];
  const problems: string[] = [];
  let ended = false;
  const l = new ProtocolListener({ decodeThread: mode, onRecords: (_c, b) => records.push(...recordsOf(b)), onDisconnect: () => (ended = true), onProblem: (p) => problems.push(p) });
  await l.start();
  try {
    const token = l.issueToken('s');
    const s = connect((l.address as string).slice('unix:'.length));
    await new Promise((r) => s.once('connect', r));
    s.end(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 77, seq: 0, token }) + '\n' + bytes);
    for (let i = 0; i < 500 && !ended; i++) await sleep(10);
    assert.ok(ended);
    return { records: records.filter((r) => r.type !== 'hello'), errors: { ...l.stats.errors }, problems };
  } finally {
    l.dispose();
  }
}

const CP = '{"v":1,"type":"checkpoint","t":1,"pid":77,"seq":1,"label":"last","mem":{"rss":4096}}';

for (const mode of ['worker', 'inline'] as const)
  describe(`a connection that ends inside a line (decoding ${mode})`, function () {
    this.timeout(20_000);

    it('refuses the unfinished line as json, counted and reported, and keeps the records before it', async () => {
      const r = await send(mode, `${CP}\n{"v":1,"type":"checkpo`);
      assert.deepEqual(r.records.map((x) => (x as { label?: string }).label), ['last']);
      assert.deepEqual(r.errors, { json: 1 });
      assert.equal(r.problems.length, 1);
    });

    it('keeps a whole last record that came without its newline', async () => {
      const r = await send(mode, `${CP}\n${CP.replace('"seq":1', '"seq":2')}`);
      assert.deepEqual(r.records.map((x) => x.seq), [1, 2]);
      assert.deepEqual(r.errors, {});
    });

    it('counts an unfinished line over the cap as too-long', async () => {
      const r = await send(mode, `${CP}\n${'x'.repeat(1024 * 1024 + 10)}`);
      assert.deepEqual(r.records.map((x) => x.seq), [1]);
      assert.deepEqual(r.errors, { 'too-long': 1 });
    });
  });
