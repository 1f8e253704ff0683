// Shared generators and settings for the property tests: lines as bytes (valid records in
// many spellings, garbage of every kind the listener must survive) and ways to cut a stream.
import fc from 'fast-check';

/**
 * One fixed seed, so every run checks the same cases and a failure reproduces; set
 * HEADROOM_FC_SEED to explore others. fast-check prints the seed and path of a failure.
 */
export const SEED = Number(process.env.HEADROOM_FC_SEED ?? 20201);

/** fast-check parameters: seeded, with a run count sized to keep each property to a second or two. */
export function params<T>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns };
}

/** `bytes` cut at the given offsets (taken modulo its length, in order): the chunks a socket might deliver. */
export function cut(bytes: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((a) => (bytes.length === 0 ? 0 : a % bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    if (p <= prev) continue;
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** Offsets to cut a stream at: few, many, or one per byte region. */
export const cuts = fc.array(fc.nat(), { maxLength: 40 });

/** JSON whitespace, usually none. */
const ws = fc.constantFrom('', '', '', ' ', '\t', ' \r ', '  ');

/** A finite number spelt as JSON may spell it (plain, exponent, trailing zeros). */
const numberText = (x: number) =>
  fc.constantFrom(JSON.stringify(x), x.toExponential(), Number.isInteger(x) && Math.abs(x) < 1e15 ? `${x}.000` : JSON.stringify(x), x.toPrecision(17));

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const nonNegative = fc.oneof(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.nat(), fc.integer({ min: 0, max: 2 ** 53 + 10 }));

/** Text for labels and file names: anything, including HTML, command links and lone surrogates. */
export const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[run](command:workbench.action.terminal.new)', '$(alert) & "quoted" \'single\'', '\u2028\u2029', 'a\u0000b', '](javascript:alert(1))'),
);

/** An object's fields as JSON text, in the given order with random whitespace. */
function objectText(entries: fc.Arbitrary<[string, string][]>): fc.Arbitrary<string> {
  return fc
    .tuple(entries, fc.array(ws, { minLength: 4, maxLength: 4 }))
    .chain(([es, [a, b, c, d]]) => fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length }).map((order) => `{${a}${order.map(([k, v]) => `${JSON.stringify(k)}${b}:${c}${v}`).join(`${d},${a}`)}${d}}`));
}

/** Deeply nested arrays as JSON text: an unknown field a record must survive. */
export const deepNesting = fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

/** A valid checkpoint line (without its newline), in any field order and spelling, sometimes with unknown fields. */
export const checkpointLine: fc.Arbitrary<Buffer> = fc
  .record(
    {
      t: finite.chain(numberText),
      pid: fc.nat().chain(numberText),
      seq: fc.nat().chain(numberText),
      file: hostileText,
      line: fc.integer({ min: 1, max: 1e9 }).chain(numberText),
      func: hostileText,
      label: hostileText,
      rss: nonNegative.chain(numberText),
      vms: nonNegative.chain(numberText),
      extra: deepNesting,
    },
    { requiredKeys: ['t', 'pid', 'seq', 'rss'] },
  )
  .chain((r) => {
    const mem: [string, string][] = [['rss', r.rss]];
    if (r.vms !== undefined) mem.push(['vms', r.vms]);
    return objectText(fc.constant(mem)).chain((memText) => {
      const es: [string, string][] = [
        ['v', '1'],
        ['type', '"checkpoint"'],
        ['t', r.t],
        ['pid', r.pid],
        ['seq', r.seq],
        ['mem', memText],
      ];
      for (const k of ['file', 'func', 'label'] as const) if (r[k] !== undefined) es.push([k, JSON.stringify(r[k])]);
      if (r.line !== undefined) es.push(['line', r.line]);
      if (r.extra !== undefined) es.push(['x_extra', r.extra]);
      return objectText(fc.constant(es));
    });
  })
  .map((s) => Buffer.from(s, 'utf8'));

/** Bytes for a string value with no quote, backslash or control byte: often invalid UTF-8. */
const rawStringBytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a.filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c)));

/** A valid checkpoint whose label is raw bytes (invalid UTF-8 included): the decoder reads it as U+FFFD where invalid. */
export const rawLabelLine: fc.Arbitrary<Buffer> = fc
  .tuple(fc.nat(), fc.nat(), rawStringBytes, rawStringBytes)
  .map(([pid, seq, label, file]) =>
    Buffer.concat([Buffer.from(`{"v":1,"type":"checkpoint","t":1.5,"pid":${pid},"seq":${seq},"file":"`), file, Buffer.from('","label":"'), label, Buffer.from('","mem":{"rss":4096}}')]),
  );

/** Other valid record types, which the decoder keeps as objects. */
export const otherLine: fc.Arbitrary<Buffer> = fc
  .tuple(fc.nat(), hostileText, fc.nat())
  .chain(([seq, text, rss]) =>
    fc.constantFrom(
      { v: 1, type: 'region_start', t: 2, pid: 7, seq, id: 3, label: text, mem: { rss } },
      { v: 1, type: 'bye', t: 3, pid: 7, seq },
      { v: 1.4, type: 'checkpoint', t: 4, pid: 7, seq, label: text, mem: { rss, devices: [{ kind: 'cuda', index: 0, allocated: rss }] } },
      { v: 1, type: 'oom', t: 5, pid: 7, seq, error: text, mem: { rss } },
    ),
  )
  .map((o) => Buffer.from(JSON.stringify(o)));

/** Any valid record line. */
export const validLine = fc.oneof({ weight: 4, arbitrary: checkpointLine }, { weight: 1, arbitrary: rawLabelLine }, { weight: 1, arbitrary: otherLine });

/** Lines every decoder must refuse (or skip), of every kind: the decoder's oracle says which code. */
export const garbageLine: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a))),
  fc.constantFrom(
    '{"v":1,"type":"checkpoint","t":NaN,"pid":1,"seq":0,"mem":{"rss":1}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0,"mem":{"rss":1e999}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0,"mem":{"rss":-1}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0,"line":0,"mem":{"rss":1}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0,"label":7,"mem":{"rss":1}}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0}',
    '{"v":2,"type":"checkpoint","t":1,"pid":1,"seq":0,"mem":{"rss":1}}',
    '{"v":1,"type":"<script>","t":1,"pid":1,"seq":0}',
    '{"v":1,"type":"checkpoint","t":1,"pid":1,"seq":0,"mem":{"rss":1}',
    '{"v":1,"type":"checkpoint","t":Infinity,"pid":1,"seq":0,"mem":{"rss":1}}',
    '[1,2,3]',
    'null',
    '"just a string"',
    '{"v":1,"type":"hello","t":1,"pid":1,"seq":0}',
  ).map((s) => Buffer.from(s)),
  deepNesting.map((s) => Buffer.from(s)),
  checkpointLine.chain((b) => fc.integer({ min: 1, max: Math.max(1, b.length - 1) }).map((n) => b.subarray(0, n))),
);
