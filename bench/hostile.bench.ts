// The hostile corpus at full size: 1M+ lines (4 connections × 262,144) of valid records with
// dangerous labels among every kind of refused line, plus silent, half-open, cut-off and
// wrong-token connections, through a real Unix socket into the real listener and its decode
// worker. The unit test (test/unit/hostileSocket.test.ts) sends 200k the same way; this proves
// the same outcome at 1M and says how fast: it fails loudly if anything was lost or miscounted.
import { report } from './harness';
import { problemBound, runHostile } from '../test/unit/hostileDriver';

async function main(): Promise<void> {
  const wall = performance.now();
  const connections = 4;
  const each = Number(process.env.HEADROOM_HOSTILE_LINES ?? 262_144);
  const r = await runHostile(connections, each);
  const valid = r.expected.reduce((a, e) => a + e.valid, 0);
  const refusedWant: Record<string, number> = { ...r.sideRefused };
  for (const e of r.expected) for (const [k, n] of Object.entries(e.refused)) refusedWant[k] = (refusedWant[k] ?? 0) + (n as number);
  const failures: string[] = [];
  if (r.decodeMode !== 'worker') failures.push(`decoded ${r.decodeMode}`);
  if (r.mismatches.length) failures.push(`records changed or out of order: ${r.mismatches.join('; ')}`);
  for (const [i, e] of r.expected.entries()) if (r.received.get(10_000 + i) !== e.valid + 1) failures.push(`connection ${i}: ${r.received.get(10_000 + i)} records, sent ${e.valid + 1}`);
  if (JSON.stringify(Object.entries(r.stats.errors).sort()) !== JSON.stringify(Object.entries(refusedWant).sort())) failures.push(`refusals ${JSON.stringify(r.stats.errors)}, sent ${JSON.stringify(refusedWant)}`);
  if (r.stats.refused !== 5) failures.push(`${r.stats.refused} connections refused, 5 misbehaved`);
  if (r.problems.length > problemBound(connections, r.ms)) failures.push(`${r.problems.length} problem lines, more than ${problemBound(connections, r.ms)}`);
  report(
    'hostile',
    {
      lines: r.lines,
      validRecords: valid,
      refusedLines: Object.values(refusedWant).reduce((a, n) => a + n, 0),
      megabytes: r.bytes / 2 ** 20,
      seconds: r.ms / 1000,
      linesPerSecond: r.lines / (r.ms / 1000),
      problemLines: r.problems.length,
      problemLinesAllowed: problemBound(connections, r.ms),
      verdict: failures.length ? 'FAILED' : 'every valid record ingested, every refusal counted',
      wallSeconds: (performance.now() - wall) / 1000,
    },
    { refusedByCode: r.stats.errors, failures },
  );
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
}

void main();
