// A hostile corpus for the protocol listener, generated (never stored) from a seed: valid
// records with dangerous labels among lines of every kind the listener must refuse, each
// kind's outcome known as it is generated. Used by hostileSocket.test.ts (200k lines) and
// bench/hostile.bench.ts (1M+ lines), both through a real socket.
import type { DecodeErrorCode } from '../../src/shared/protocolDecode';

/** A small seeded generator (mulberry32): the same corpus on every run. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A label as it goes on the wire (bytes inside the quotes) and as the listener must give it back. */
interface Label {
  readonly wire: Buffer;
  readonly text: string;
}

const escaped = (s: string): Label => ({ wire: Buffer.from(JSON.stringify(s).slice(1, -1)), text: s });
const rawBytes = (b: number[]): Label => ({ wire: Buffer.from(b), text: Buffer.from(b).toString('utf8') });

/** Labels a hostile program might send: markup, script, command links, icon syntax, bidi and line separators, lone surrogates, invalid UTF-8. */
export const LABELS: readonly Label[] = [
  escaped('<script>alert(document.cookie)</script>'),
  escaped('<img src=x onerror="fetch(`//evil`)">'),
  escaped('[click me](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%20-rf%20~%22%7D)'),
  escaped('$(warning) $(alert) [x](javascript:alert(1)) ![i](http://evil/x.png)'),
  escaped('"quoted" \\back\\slash\\ \u2028line\u2029para \u202eevil\u202c'),
  escaped('lone \ud800 surrogate and \udfff'),
  escaped('tab\tnul\u0000bell\u0007'),
  escaped('ordinary step 12'),
  rawBytes([0x62, 0x61, 0x64, 0xc3, 0x28, 0xff, 0xfe, 0x20, 0xe2, 0x82]),
  rawBytes([0xf0, 0x9f, 0x98, 0x80, 0x3c, 0x62, 0x3e, 0xed, 0xa0, 0x80]),
];

/** What a connection's stream must come to: valid records by seq, refusals by code. */
export interface Expected {
  /** Valid records sent (the hello not counted); their seq runs 0..valid-1 in order. */
  valid: number;
  refused: Partial<Record<DecodeErrorCode, number>>;
  lines: number;
  bytes: number;
}

/** The label checkpoint `seq` carries: the listener must give back exactly this text. */
export const labelOf = (seq: number): string => LABELS[seq % LABELS.length].text;

const NEST = '['.repeat(4000) + ']'.repeat(4000);
const HUGE_LINE = Buffer.alloc(2 * 1024 * 1024, 'z'.charCodeAt(0));

/**
 * Lines for one connection, in chunks of about `chunkBytes`: `lines` lines in all, about a
 * quarter refused (of every kind), one 2 MiB line in every `hugeEvery`. `expected` is filled as
 * chunks are made.
 */
export function* corpus(pid: number, lines: number, seed: number, expected: Expected, chunkBytes = 64 * 1024, hugeEvery = 50_000): Generator<Buffer> {
  const r = rng(seed);
  let parts: Buffer[] = [];
  let size = 0;
  const refuse = (code: DecodeErrorCode) => (expected.refused[code] = (expected.refused[code] ?? 0) + 1);
  for (let i = 0; i < lines; i++) {
    let line: Buffer;
    const x = r();
    if (i % hugeEvery === hugeEvery - 1) {
      line = HUGE_LINE;
      refuse('too-long');
    } else if (x < 0.75) {
      const seq = expected.valid++;
      const label = LABELS[seq % LABELS.length].wire;
      const kind = seq % 8;
      const head = `{"v":1,"type":"${kind === 7 ? 'region_start' : 'checkpoint'}","t":${1.7e9 + i / 1000},"pid":${pid},"seq":${seq},${kind === 7 ? '"id":1,' : ''}"label":"`;
      // Valid spellings that take the slow path: huge-but-finite numbers, deep nesting, unknown fields.
      const tail = kind === 3 ? `","mem":{"rss":1.7976931348623157e308,"vms":0}}` : kind === 5 ? `","x":${NEST},"mem":{"rss":${i}}}` : `","mem":{"rss":${4096 * i},"vms":${8192 * i}}}`;
      line = Buffer.concat([Buffer.from(head), label, Buffer.from(tail)]);
    } else if (x < 0.78) {
      line = Buffer.alloc(0); // blank: skipped, neither a record nor a refusal
      expected.lines--;
    } else {
      const k = Math.floor(r() * 9);
      const code: DecodeErrorCode[] = ['json', 'json', 'bad-field', 'not-object', 'version', 'unknown-type', 'missing-field', 'bad-field', 'json'];
      const text = [
        `{"v":1,"type":"checkpoint","t":NaN,"pid":${pid},"seq":0,"mem":{"rss":1}}`,
        `{"v":1,"type":"checkpoint","t":1,"pid":${pid},"seq":0,"mem":{"rss":1}`,
        `{"v":1,"type":"checkpoint","t":1,"pid":${pid},"seq":0,"mem":{"rss":1e999}}`,
        NEST,
        `{"v":2,"type":"checkpoint","t":1,"pid":${pid},"seq":0,"mem":{"rss":1}}`,
        `{"v":1,"type":"<script>alert(1)</script>","t":1,"pid":${pid},"seq":0}`,
        `{"v":1,"type":"checkpoint","t":1,"pid":${pid},"seq":0}`,
        `{"v":1,"type":"checkpoint","t":1,"pid":${pid},"seq":0,"label":"x","line":-3,"mem":{"rss":1}}`,
        '',
      ][k];
      // The last kind: bytes that are not JSON, invalid UTF-8 included (never a newline).
      line = k === 8 ? Buffer.from(Array.from({ length: 1 + Math.floor(r() * 80) }, (_, j) => (j === 0 ? 0x01 : Math.floor(r() * 256)) || 1).map((b) => (b === 0x0a ? 0x0b : b))) : Buffer.from(text);
      refuse(code[k]);
    }
    expected.lines++;
    expected.bytes += line.length + 1;
    parts.push(line, NL);
    size += line.length + 1;
    if (size >= chunkBytes) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield Buffer.concat(parts);
}

const NL = Buffer.from('\n');
