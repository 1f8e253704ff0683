import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { CheckpointScanner } from '../../../src/engine/protocol/checkpointScanner';
import { BatchDecoder, recordsOf, type RecordBatch } from '../../../src/engine/protocol/recordBatch';
import { MAX_LINE_BYTES, type ProtocolRecord } from '../../../src/shared/protocol';
import { checkpointLine, cut, cuts, garbageLine, otherLine, params, rawLabelLine, validLine } from './arbitraries';
import { expectedOf, oracle } from './oracle';

/** Everything `BatchDecoder` makes of `chunks` and the stream's end, batches merged. */
function decodeAll(chunks: readonly Buffer[]): { records: ProtocolRecord[]; refused: Record<string, number>; raw: Buffer } {
  const d = new BatchDecoder(42);
  const batches: RecordBatch[] = chunks.map((c) => d.push(c));
  const last = d.end();
  if (last) batches.push(last);
  const refused: Record<string, number> = {};
  for (const b of batches) for (const r of b.refused ?? []) refused[r.code] = (refused[r.code] ?? 0) + r.count;
  return { records: batches.flatMap(recordsOf), refused, raw: Buffer.concat(batches.map((b) => Buffer.from(b.raw))) };
}

/** A stream of lines, each newline-terminated (sometimes CRLF). */
function stream(lines: readonly Buffer[], crlf: boolean): Buffer {
  return Buffer.concat(lines.flatMap((l) => [l, Buffer.from(crlf ? '\r\n' : '\n')]));
}

describe('property: the checkpoint scanner agrees with the general decoder', function () {
  this.timeout(60_000);

  it('reads every valid checkpoint, in any spelling, exactly as JSON.parse and validation would', () => {
    const s = new CheckpointScanner();
    let scanned = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.oneof(checkpointLine, rawLabelLine), (line) => {
        runs++;
        const want = oracle(line);
        assert.equal(typeof want, 'object', `the generator made an invalid line: ${String(want)}`);
        if (!s.scan(line, 0, line.length)) return; // false only means "decode the general way"
        scanned++;
        const r = want as Extract<ProtocolRecord, { type: 'checkpoint' }>;
        const str = (x: { start: number; end: number; ascii: boolean }) => (x.start < 0 ? undefined : line.toString(x.ascii ? 'latin1' : 'utf8', x.start, x.end));
        assert.deepEqual(
          { t: s.t, pid: s.pid, seq: s.seq, line: Number.isNaN(s.line) ? undefined : s.line, rss: s.rss, vms: Number.isNaN(s.vms) ? undefined : s.vms, file: str(s.file), func: str(s.func), label: str(s.label) },
          { t: r.t, pid: r.pid, seq: r.seq, line: r.line, rss: r.mem.rss, vms: r.mem.vms, file: r.file, func: r.func, label: r.label },
        );
      }),
      params(4000),
    );
    // The property says nothing if the fast path never runs: most generated lines are of its shape.
    assert.ok(scanned > runs / 4, `the scanner read ${scanned} of ${runs} lines`);
  });

  it('never accepts a line the general decoder refuses (garbage, truncations, NaN, huge numbers)', () => {
    const s = new CheckpointScanner();
    fc.assert(
      fc.property(fc.oneof(garbageLine, otherLine), (line) => {
        const want = oracle(line);
        const isPlainCheckpoint = typeof want === 'object' && want.type === 'checkpoint';
        if (s.scan(line, 0, line.length)) assert.ok(isPlainCheckpoint, `scanner accepted ${JSON.stringify(line.toString('latin1').slice(0, 120))} (general decoder: ${typeof want === 'object' ? want.type : want})`);
      }),
      params(5000),
    );
  });
});

describe('property: the batch decoder keeps every valid record whatever the split and the garbage around it', function () {
  this.timeout(120_000);

  it('valid records and refusals by code match the line-by-line oracle, for any cut of the byte stream', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: validLine }, { weight: 1, arbitrary: garbageLine }), { maxLength: 30 }), cuts, fc.boolean(), (lines, at, crlf) => {
        const bytes = stream(lines, crlf);
        const got = decodeAll(cut(bytes, at));
        const want = expectedOf(crlf ? lines.map((l) => Buffer.concat([l, Buffer.from('\r')])) : lines);
        assert.deepEqual(got.records, want.records);
        assert.deepEqual(got.refused, want.refused);
        assert.deepEqual(got.raw, want.raw, 'a recording keeps exactly the valid lines, as received');
      }),
      params(1500),
    );
  });

  it('a stream that ends without its last newline: that line is decoded as if it had one, whatever the split', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: validLine }, { weight: 1, arbitrary: garbageLine }), { minLength: 1, maxLength: 12 }), cuts, (lines, at) => {
        const whole = stream(lines, false);
        const got = decodeAll(cut(whole.subarray(0, whole.length - 1), at));
        const want = expectedOf(lines);
        assert.deepEqual(got.records, want.records);
        assert.deepEqual(got.refused, want.refused);
        assert.deepEqual(got.raw, want.raw);
      }),
      params(800),
    );
  });

  it('a line over the cap is refused as too-long, once, and the records either side of it survive any split', () => {
    const huge = Buffer.alloc(MAX_LINE_BYTES + 1 + 3, 'x'.charCodeAt(0));
    fc.assert(
      fc.property(validLine, validLine, fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (a, b, at, extra) => {
        const lines = [a, huge.subarray(0, MAX_LINE_BYTES + 1 + extra), b];
        const got = decodeAll(cut(stream(lines, false), at));
        const want = expectedOf(lines);
        assert.deepEqual(got.refused, { ...want.refused, 'too-long': 1 });
        assert.deepEqual(got.records, want.records);
      }),
      params(40),
    );
  });

  it('a line of exactly the cap is decoded, not dropped', () => {
    const pad = (b: Buffer) => {
      const head = b.subarray(0, b.length - 1);
      return Buffer.concat([head, Buffer.from(',"x":"'), Buffer.alloc(MAX_LINE_BYTES - head.length - 8, 'y'.charCodeAt(0)), Buffer.from('"}')]);
    };
    fc.assert(
      fc.property(checkpointLine, fc.array(fc.nat(), { maxLength: 6 }), (a, at) => {
        const line = pad(a);
        assert.equal(line.length, MAX_LINE_BYTES);
        const got = decodeAll(cut(stream([line], false), at));
        assert.deepEqual(got.refused, {});
        assert.deepEqual(got.records, expectedOf([line]).records);
      }),
      params(15),
    );
  });
});
