// A tiny benchmark harness: repeated runs, medians, one JSON file per benchmark in
// bench-results/, and a printed table. Speed is claimed from these files, never from tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const resultsDir = join(__dirname, '..', 'bench-results');

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Runs `fn` `warmup` times, then `runs` times; returns each run's milliseconds. */
export async function timeRuns(fn: () => unknown, { runs = 30, warmup = 3 } = {}): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Writes bench-results/<name>.json and prints its numbers as a table. */
export function report(name: string, numbers: Record<string, number | string>, notes: Record<string, unknown> = {}): void {
  mkdirSync(resultsDir, { recursive: true });
  // Every benchmark states its wall time: the process's own, unless it measured one itself.
  if (!Object.keys(numbers).some((k) => k.startsWith('wall'))) numbers = { ...numbers, wall_s: process.uptime() };
  const file = join(resultsDir, `${name}.json`);
  const doc = { benchmark: name, measuredAt: new Date().toISOString(), node: process.version, ...numbers, notes };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  const width = Math.max(...Object.keys(numbers).map((k) => k.length));
  console.log(`\n${name} (${file})`);
  for (const [k, v] of Object.entries(numbers)) {
    const shown = typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4)) : v;
    console.log(`  ${k.padEnd(width)}  ${shown}`);
  }
}
