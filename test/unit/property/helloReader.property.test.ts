// The listener's first-line reader: the hello and the bytes after it come out the same however
// the socket's reads cut them, and a peer cannot make it buffer past a line's cap.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { HelloReader, type HelloResult } from '../../../src/engine/protocol/helloReader';
import { MAX_LINE_BYTES } from '../../../src/shared/protocol';
import { cut, params } from './arbitraries';

const HELLO = { v: 1, type: 'hello', t: 1.5, pid: 42, seq: 0, token: 'tok', argv: ['train.py', '<b>\u00e9\u{1f600}'] };

/** Feeds the chunks until the reader decides; what it decided, and the bytes it was not yet given. */
function feed(chunks: Buffer[]): { r: HelloResult; after: Buffer } {
  const reader = new HelloReader();
  for (let i = 0; i < chunks.length; i++) {
    const r = reader.push(chunks[i]);
    if (r.kind !== 'more') return { r, after: Buffer.concat(chunks.slice(i + 1)) };
  }
  return { r: { kind: 'more' }, after: Buffer.alloc(0) };
}

describe('HelloReader (property: any split of the first line)', () => {
  it('gives the hello and every byte after it, with blank lines before it skipped, however the reads fall', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), fc.constantFrom('', '\n', '\r\n', '\n\n'), fc.uint8Array({ maxLength: 300 }), (at, blank, tail) => {
        const stream = Buffer.concat([Buffer.from(blank + JSON.stringify(HELLO) + '\n'), Buffer.from(tail)]);
        const { r, after } = feed(cut(stream, at));
        assert.equal(r.kind, 'hello');
        if (r.kind !== 'hello') return;
        assert.equal(r.hello.pid, 42);
        assert.deepEqual(r.hello.argv, HELLO.argv);
        assert.deepEqual(Buffer.concat([r.rest, after]), Buffer.from(tail), 'the records after the hello, none lost or repeated');
      }),
      params(300),
    );
  });

  it('refuses a first line that is not a hello, and one over the cap before its end arrives', () => {
    assert.deepEqual(feed([Buffer.from('{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0}\n')]).r, { kind: 'refuse', why: 'the first line was not a hello' });
    assert.deepEqual(feed([Buffer.from('not json\n')]).r, { kind: 'refuse', why: 'the first line was not a hello' });
    const reader = new HelloReader();
    const piece = Buffer.alloc(64 * 1024, 0x61);
    let r: HelloResult = { kind: 'more' };
    let fed = 0;
    while (r.kind === 'more' && fed <= MAX_LINE_BYTES + piece.length) {
      r = reader.push(piece);
      fed += piece.length;
    }
    assert.deepEqual(r, { kind: 'refuse', why: 'the first line is too long' });
    assert.ok(fed <= MAX_LINE_BYTES + piece.length, `refused after ${fed} bytes`);
  });
});
