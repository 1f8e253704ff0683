import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointScanner } from '../../../src/engine/protocol/checkpointScanner';
import { BatchDecoder, batchSize, recordsOf, type RecordBatch } from '../../../src/engine/protocol/recordBatch';
import { type ProtocolRecord } from '../../../src/shared/protocol';
import { decodeLine } from '../../../src/shared/protocolDecode';

const vectors = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'protocol', 'vectors.json'), 'utf8')) as { vectors: { line: string }[] }).vectors.map((v) => v.line);

/** A small seeded generator (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the general decoder makes of `line`, in the form the batch gives it back; undefined for a blank line, which is skipped. */
function expected(line: string): ProtocolRecord | string | undefined {
  if (line === '' || line === '\r') return undefined;
  const r = decodeLine(line);
  if (!r.ok) return r.code;
  const rec = r.record;
  if (rec.type !== 'checkpoint' || rec.mem.devices !== undefined) return rec;
  // Columns keep a checkpoint's known fields: what recordsOf gives back.
  // The columns keep the major version only.
  const { t, pid, seq, file, line: ln, func, label, mem } = rec;
  return {
    v: 1,
    type: 'checkpoint',
    t,
    pid,
    seq,
    ...(file === undefined ? {} : { file }),
    ...(ln === undefined ? {} : { line: ln }),
    ...(func === undefined ? {} : { func }),
    ...(label === undefined ? {} : { label }),
    mem: typeof mem.vms === 'number' ? { rss: mem.rss, vms: mem.vms } : { rss: mem.rss },
  } as ProtocolRecord;
}

/** Decodes `text` fed in `chunks` pieces; returns every record and refusal code in order, and the raw bytes kept. */
function decodeAll(text: Buffer, cuts: number[]): { records: ProtocolRecord[]; refused: Record<string, number>; raw: Buffer; batches: RecordBatch[] } {
  const d = new BatchDecoder(7);
  const batches: RecordBatch[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    batches.push(d.push(text.subarray(at, cut)));
    at = cut;
  }
  const refused: Record<string, number> = {};
  for (const b of batches) for (const r of b.refused ?? []) refused[r.code] = (refused[r.code] ?? 0) + r.count;
  return { records: batches.flatMap(recordsOf), refused, raw: Buffer.concat(batches.map((b) => b.raw)), batches };
}

/** Lines as the Python client writes them, and variants of their shape. */
function sampleLines(): string[] {
  const cp = (over: Record<string, unknown> = {}) => JSON.stringify({ type: 'checkpoint', t: 1795355710.1337018, pid: 21590, seq: 1, file: '/home/u/train.py', line: 3, func: '<module>', label: 'step 1', mem: { rss: 21139456, vms: 102924288 }, v: 1, ...over });
  return [
    cp(),
    cp({ label: 'données ✓ 🚀' }),
    cp({ label: 'a "quoted" \\ label\twith\ttabs' }),
    cp({ file: '/tmp/naïve dir/x.py' }),
    cp({ t: 1.5e-7, seq: 0 }),
    cp({ t: -0, pid: 1 }),
    cp({ mem: { rss: 0 } }),
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":9007199254740993}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":123456789012345678901234.5}}',
    cp({ mem: { rss: 1, vms: null } }),
    cp({ mem: { rss: 1, uss: 5 } }),
    cp({ mem: { rss: 1, devices: [{ kind: 'cuda', index: 0, allocated: 1, reserved: 2 }] } }),
    cp({ extra: { nested: [1, 2] } }),
    cp({ label: undefined, func: undefined, file: undefined, line: undefined }),
    cp({ v: 1.7 }),
    cp({ v: 2 }),
    cp({ line: 0 }),
    cp({ line: 2.5 }),
    cp({ label: null }),
    cp({ type: 'region_start', id: 3 }),
    '{ "v" : 1 , "type" : "checkpoint" , "t" : 12.0 , "pid" : 3 , "seq" : 4 , "mem" : { "rss" : 5 , "vms" : 6 } }',
    '{"v":1,"type":"checkpoint","t":1e3,"pid":3,"seq":4,"mem":{"rss":5E+2}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":5},"t":2}',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":5,"rss":6}}',
    '{"v":1,"type":"checkpoint","t":01,"pid":3,"seq":4,"mem":{"rss":5}}',
    '{"v":1,"type":"checkpoint","t":1.,"pid":3,"seq":4,"mem":{"rss":5}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":5}} x',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":5}}\r',
    '{"v":1,"type":"check\\u0070oint","t":1,"pid":3,"seq":4,"mem":{"rss":5}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":3,"seq":4,"mem":{"rss":1e400}}',
    '{"v":1,"type":"checkpoint","t":-1e400,"pid":3,"seq":4,"mem":{"rss":1}}',
    ...vectors,
  ];
}

describe('BatchDecoder and the checkpoint scanner', () => {
  it('gives every line the same outcome as the general decoder, shape variants and protocol vectors alike', () => {
    const lines = sampleLines();
    const { records, refused, raw } = decodeAll(Buffer.from(lines.join('\n') + '\n'), []);
    const want = lines.map(expected);
    assert.deepEqual(records, want.filter((w) => typeof w === 'object'));
    const codes: Record<string, number> = {};
    for (const w of want) if (typeof w === 'string') codes[w] = (codes[w] ?? 0) + 1;
    assert.deepEqual(refused, codes);
    assert.ok(Object.keys(codes).length >= 4, 'the samples include refusals of several kinds');
    // The recording keeps exactly the valid lines, byte for byte.
    assert.equal(raw.toString('utf8'), lines.filter((_, i) => typeof want[i] === 'object').join('\n') + '\n');
  });

  it('decodes the same records wherever the reads split the stream', () => {
    const lines = sampleLines().slice(0, 12);
    const text = Buffer.from(lines.join('\n') + '\n');
    const whole = decodeAll(text, []);
    for (let cut = 1; cut < text.length; cut++) {
      const split = decodeAll(text, [cut]);
      assert.deepEqual(split.records, whole.records, `split at byte ${cut}`);
      assert.deepEqual(split.raw, whole.raw, `raw, split at byte ${cut}`);
    }
    const random = rng(7);
    for (let k = 0; k < 50; k++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * text.length)))].sort((a, b) => a - b);
      assert.deepEqual(decodeAll(text, cuts).records, whole.records, `cuts ${cuts.join(',')}`);
    }
  });

  it('agrees with the general decoder on 30,000 mutated lines (differential fuzzing)', () => {
    const random = rng(42);
    const alphabet = ['"', ',', ':', '{', '}', '[', ']', ' ', '\\', '-', '+', '.', 'e', 'E', '0', '1', '9', 'x', '\t', 'é', '\u0001', 'null', 'true', '"rss"', '"vms"', '"type"', '"checkpoint"', '1e5', '-0'];
    const bases = sampleLines().slice(0, 10);
    const scanner = new CheckpointScanner();
    let scanned = 0;
    for (let k = 0; k < 30_000; k++) {
      let line = bases[k % bases.length];
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * (line.length + 1));
        const op = random();
        const piece = alphabet[Math.floor(random() * alphabet.length)];
        if (op < 0.33) line = line.slice(0, at) + piece + line.slice(at);
        else if (op < 0.66) line = line.slice(0, at) + line.slice(at + 1 + Math.floor(random() * 4));
        else line = line.slice(0, at) + piece + line.slice(at + piece.length);
      }
      if (line.includes('\n')) continue;
      // The wire carries bytes: a mutation that split a surrogate pair arrives as U+FFFD.
      const buf = Buffer.from(line);
      const want = expected(buf.toString('utf8'));
      if (scanner.scan(buf, 0, buf.length)) {
        scanned++;
        assert.ok(typeof want === 'object' && want.type === 'checkpoint', `scanned a line the general decoder gives ${typeof want === 'object' ? want.type : want}: ${line}`);
      }
      const got = decodeAll(Buffer.from(line + '\n'), []);
      if (typeof want === 'string') assert.deepEqual(got.refused, { [want]: 1 }, line);
      else assert.deepEqual(got.records, want === undefined ? [] : [want], line);
    }
    assert.ok(scanned > 1_500, `the scanner took ${scanned} of the mutated lines`);
  });

  it('reads numbers exactly as JSON.parse does', () => {
    const random = rng(3);
    const scanner = new CheckpointScanner();
    const texts: string[] = ['0', '-0', '0.0', '-0.0', '1', '9007199254740991', '9007199254740992', '9007199254740993', '123456789012345678', '0.1', '0.30000000000000004', '1795355710.1337018', '1e22', '1e23', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '0.0000000000000000000001', '0.00000000000000000000001'];
    for (let i = 0; i < 20_000; i++) {
      const x = random() < 0.5 ? (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20) : Math.floor(random() * 2 ** 53);
      texts.push(JSON.stringify(x));
      const digits = Array.from({ length: 1 + Math.floor(random() * 20) }, () => Math.floor(random() * 10)).join('');
      const point = Math.floor(random() * digits.length);
      texts.push(`${digits.replace(/^0+(?=\d)/, '')}`, `${digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0'}.${digits.slice(point) || '0'}`);
    }
    for (const text of texts) {
      const buf = Buffer.from(`{"v":1,"type":"checkpoint","t":${text},"pid":1,"seq":1,"mem":{"rss":1}}`);
      assert.ok(scanner.scan(buf, 0, buf.length), text);
      assert.ok(Object.is(scanner.t, JSON.parse(text)), `${text}: ${scanner.t} !== ${JSON.parse(text)}`);
    }
  });

  it('counts each batch once and reports one message per kind of refusal', () => {
    const d = new BatchDecoder(99);
    const good = JSON.stringify({ v: 1, type: 'checkpoint', t: 1, pid: 99, seq: 1, mem: { rss: 1 } });
    const b = d.push(Buffer.from([good, 'nope', good, '{"v":3,"type":"x"}', 'nope again', good, ''].join('\n')));
    assert.equal(batchSize(b), 3);
    assert.deepEqual(
      b.refused?.map((r) => [r.code, r.count]),
      [
        ['json', 2],
        ['version', 1],
      ],
    );
    assert.match(b.refused?.[0].message ?? '', /^pid 99: json: not JSON/);
    assert.equal(batchSize(d.push(Buffer.alloc(0))), 0, 'the next batch starts empty');
  });
});
