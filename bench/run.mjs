// Runs every bench/*.bench.ts (or the ones named on the command line) with tsx.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
if (benches.length === 0) {
  console.error(`no benchmarks match ${wanted.join(' ') || '*'}`);
  process.exit(1);
}
const walls = [];
for (const b of benches) {
  console.log(`\n### ${b}`);
  const t0 = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, b)], { stdio: 'inherit', cwd: join(here, '..') });
  const s = (performance.now() - t0) / 1000;
  walls.push([b, s]);
  console.log(`### ${b}: wall ${s.toFixed(1)} s${s > 300 ? ' (over the 5-minute budget)' : ''}`);
}
if (walls.length > 1) console.log(`\nwall times: ${walls.map(([b, s]) => `${b.replace('.bench.ts', '')} ${s.toFixed(0)} s`).join(', ')}`);
