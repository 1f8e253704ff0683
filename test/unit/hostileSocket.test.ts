import * as assert from 'node:assert/strict';
import { problemBound, runHostile } from './hostileDriver';

/** Lines per flood connection here; bench/hostile.bench.ts sends 1M+ the same way. */
const LINES_EACH = Number(process.env.HEADROOM_HOSTILE_LINES ?? 50_000);
const CONNECTIONS = 4;

describe(`a hostile corpus through a real socket (${CONNECTIONS} × ${LINES_EACH} lines, the real decode worker)`, function () {
  this.timeout(180_000);
  let r: Awaited<ReturnType<typeof runHostile>>;
  before(async () => {
    r = await runHostile(CONNECTIONS, LINES_EACH);
  });

  it('decodes in the worker thread, which never fails', () => {
    assert.equal(r.decodeMode, 'worker');
    assert.equal(r.stats.errors.internal, undefined);
  });

  it('ingests every valid record, intact (label as sent) and in order, and nothing else', () => {
    assert.deepEqual(r.mismatches, []);
    for (const [i, e] of r.expected.entries()) assert.equal(r.received.get(10_000 + i), e.valid + 1, `connection ${i}: the hello and ${e.valid} records`);
    // The half-open and cut-off connections: their complete line kept, the half line refused (counted below).
    assert.equal(r.received.get(9004), 2);
    assert.equal(r.received.get(9005), 2);
    assert.equal(r.received.get(9001), 1, 'the silent connection after its hello: just the hello');
    assert.equal(r.stats.records, r.expected.reduce((a, e) => a + e.valid + 1, 0) + 2 + 2 + 1);
  });

  it('counts every refused line by its code', () => {
    const want: Record<string, number> = { ...r.sideRefused };
    for (const e of r.expected) for (const [code, n] of Object.entries(e.refused)) want[code] = (want[code] ?? 0) + (n as number);
    assert.ok(Object.keys(want).length >= 7, `every kind of refusal was sent: ${JSON.stringify(want)}`);
    assert.ok((want['too-long'] ?? 0) >= 1 || LINES_EACH < 50_000, 'a 2 MiB line was sent');
    assert.deepEqual(r.stats.errors, want);
  });

  it('refuses the silent, wrong-token, missing-token, garbage and oversized-hello connections, each counted', () => {
    assert.equal(r.stats.refused, 5);
    assert.equal(r.stats.connections, CONNECTIONS + 3);
  });

  it('reports problems rate-limited: a bounded number of log lines, whatever the flood', () => {
    const refusedLines = r.problems.filter((p) => p.startsWith('refused') || p.includes('refused connections'));
    assert.ok(r.problems.length <= problemBound(CONNECTIONS, r.ms), `${r.problems.length} lines:\n${r.problems.join('\n')}`);
    assert.ok(refusedLines.length >= 1 && refusedLines.length <= 3, refusedLines.join('\n'));
    assert.ok(r.problems.every((p) => p.length < 600), 'each line short, whatever the line it describes');
  });
});
