import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter } from '../../../src/engine/protocol/lineSplitter';
import { cut, cuts, params } from './arbitraries';

/** A line's bytes, never a newline; lengths around the small cap the tests use. */
const line = (max: number) => fc.uint8Array({ maxLength: max * 3 }).map((a) => Buffer.from(a.map((b) => (b === 0x0a ? 0x0b : b))));

describe('property: the line splitter', function () {
  this.timeout(60_000);

  it('gives every line up to the cap, in order, and reports each longer one once with its length, for any cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }).chain((max) => fc.tuple(fc.constant(max), fc.array(line(max), { maxLength: 30 }), cuts)), ([max, lines, at]) => {
        const got: Buffer[] = [];
        const tooLong: number[] = [];
        let maxBuffered = 0;
        const s = new LineSplitter(
          (buf, start, bytes) => {
            assert.equal(buf[start + bytes], 0x0a, 'the byte after a line is its newline');
            got.push(Buffer.from(buf.subarray(start, start + bytes)));
          },
          (bytes) => tooLong.push(bytes),
          max,
        );
        for (const chunk of cut(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), at)) {
          s.push(chunk);
          maxBuffered = Math.max(maxBuffered, s.buffered);
        }
        assert.deepEqual(got, lines.filter((l) => l.length <= max));
        assert.deepEqual(tooLong, lines.filter((l) => l.length > max).map((l) => l.length));
        assert.ok(maxBuffered <= max, `held ${maxBuffered} bytes for an unfinished line, cap ${max}`);
        assert.equal(s.buffered, 0);
      }),
      params(3000),
    );
  });

  it('holds an unfinished last line (at most the cap) and finishes it when its newline comes', () => {
    fc.assert(
      fc.property(line(16), cuts, (tail, at) => {
        const got: Buffer[] = [];
        const tooLong: number[] = [];
        const s = new LineSplitter((buf, start, bytes) => got.push(Buffer.from(buf.subarray(start, start + bytes))), (n) => tooLong.push(n), 16);
        for (const chunk of cut(tail, at)) s.push(chunk);
        assert.deepEqual(got, []);
        assert.equal(s.buffered, tail.length <= 16 ? tail.length : 0);
        s.push(Buffer.from('\n'));
        assert.deepEqual(got, tail.length <= 16 ? [tail] : []);
        assert.deepEqual(tooLong, tail.length <= 16 ? [] : [tail.length]);
      }),
      params(2000),
    );
  });

  it('finish() ends an unfinished last line as its newline would, and holds nothing after', () => {
    fc.assert(
      fc.property(fc.array(line(16), { maxLength: 6 }), line(16), cuts, (lines, tail, at) => {
        const got: Buffer[] = [];
        const tooLong: number[] = [];
        const s = new LineSplitter(
          (buf, start, bytes) => {
            assert.equal(buf[start + bytes], 0x0a);
            got.push(Buffer.from(buf.subarray(start, start + bytes)));
          },
          (n) => tooLong.push(n),
          16,
        );
        for (const chunk of cut(Buffer.concat([...lines.flatMap((l) => [l, Buffer.from('\n')]), tail]), at)) s.push(chunk);
        s.finish();
        const all = tail.length ? [...lines, tail] : lines;
        assert.deepEqual(got, all.filter((l) => l.length <= 16));
        assert.deepEqual(tooLong, all.filter((l) => l.length > 16).map((l) => l.length));
        assert.equal(s.buffered, 0);
        s.finish();
        assert.equal(got.length + tooLong.length, all.length, 'a second finish() adds nothing');
      }),
      params(2000),
    );
  });
});
