import { Buffer } from 'node:buffer';
import { MAX_LINE_BYTES, type HelloRecord } from '../../shared/protocol';
import { DecodeFailure, decodeRecord } from '../../shared/protocolDecode';

/** What a connection's bytes so far say about its first line. */
export type HelloResult =
  | { readonly kind: 'more' }
  | { readonly kind: 'refuse'; readonly why: string }
  /** `rest`: the bytes after the hello's line, the connection's first records. */
  | { readonly kind: 'hello'; readonly hello: HelloRecord; readonly rest: Buffer };

/**
 * Gathers a connection's first line, however the reads split it, and no more than a line's
 * cap of it: a peer that never sends a newline cannot make the listener buffer without end.
 * Blank lines before it are skipped. Whether its token is good is the listener's to say.
 */
export class HelloReader {
  private head: Buffer[] = [];
  private headBytes = 0;

  push(chunk: Buffer): HelloResult {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        this.headBytes += chunk.length - start;
        if (this.headBytes > MAX_LINE_BYTES) return { kind: 'refuse', why: 'the first line is too long' };
        this.head.push(Buffer.from(chunk.subarray(start)));
        return { kind: 'more' };
      }
      const bytes = this.headBytes + nl - start;
      if (bytes > MAX_LINE_BYTES) return { kind: 'refuse', why: 'the first line is too long' };
      this.head.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.head).toString('utf8');
      this.head = [];
      this.headBytes = 0;
      start = nl + 1;
      if (line.length === 0 || line === '\r') continue;
      const r = decodeRecord(line, bytes);
      if (r instanceof DecodeFailure || r.type !== 'hello') return { kind: 'refuse', why: 'the first line was not a hello' };
      return { kind: 'hello', hello: r, rest: chunk.subarray(start) };
    }
  }
}
