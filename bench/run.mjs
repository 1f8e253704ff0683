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
for (const b of benches) {
  console.log(`\n### ${b}`);
  execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, b)], { stdio: 'inherit', cwd: join(here, '..') });
}
