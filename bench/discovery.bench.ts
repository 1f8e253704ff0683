// The Python client's one-time look for a window's connection file (docs/connection.md) over
// runtime folders of 1, 10 and 50 live window files, against the floor (os.listdir and a
// plain read of every file) and one checkpoint to a connected socket, in one run; and what a
// program no window holds pays afterwards per reporting call, against HEADROOM=off.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, report } from './harness';

const root = join(__dirname, '..');
const PY = '/usr/bin/python3';
const workload = join(__dirname, 'discovery_workload.py');
const SIZES = [1, 10, 50];
const PROCESSES = 7; // fresh processes per size and mode
const ROUNDS = 400; // interleaved look / floor / checkpoint timings per process

const baseEnv: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: join(root, 'src', 'python') };
for (const k of ['HEADROOM_ADDR', 'HEADROOM_TOKEN', 'HEADROOM_LOG', 'HEADROOM', 'HEADROOM_DISABLE', 'HEADROOM_DEBUG']) delete baseEnv[k];

function py(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const c = spawn(PY, [workload, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string)) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

/** A private runtime folder of `n` window files of live pids (this process), each with its own workspace folder; the last holds `match`. */
function runtimeDir(base: string, n: number): { dir: string; match: string } {
  const dir = join(base, `runtime-${n}`);
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  let match = '';
  for (let i = 0; i < n; i++) {
    const folder = join(base, `ws-${n}-${i}`);
    mkdirSync(join(folder, 'src'), { recursive: true });
    if (i === n - 1) match = join(folder, 'src');
    const info = { v: 1, addr: `unix:${join(base, 'nowhere', `${i}.sock`)}`, token: i === n - 1 ? `match-${n}` : `tok-${n}-${i}`, folders: [realpathSync(folder)], pid: process.pid, created: 1764650000 + i, python: '/ext/dist/python' };
    writeFileSync(join(dir, `window-${100000 + i}.json`), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  }
  return { dir, match };
}

async function main() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'hr-discovery-')));
  const sock = join(base, 'hr.sock');
  // A connected socket for the checkpoints: it reads and discards.
  const server = createServer((s) => s.on('data', () => undefined).on('error', () => undefined));
  await new Promise<void>((r) => server.listen(sock, r));
  const dirs = new Map(SIZES.map((n) => [n, runtimeDir(base, n)]));
  const outside = join(base, 'outside');
  mkdirSync(outside);

  const look = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const first = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const floor = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const checkpoint: number[] = [];
  const firstCall = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const afterNone: number[] = [];
  const off: number[] = [];
  const t0 = performance.now();
  for (let p = 0; p < PROCESSES; p++) {
    // Sizes interleaved, in a rotating order, so drift on a shared machine weighs on all alike.
    const order = SIZES.map((_, i) => SIZES[(i + p) % SIZES.length]);
    for (const n of order) {
      const { dir, match } = dirs.get(n) as { dir: string; match: string };
      const r = await py(['look', String(ROUNDS)], match, { ...baseEnv, HEADROOM_RUNTIME_DIR: dir, HEADROOM_ADDR: `unix:${sock}`, HEADROOM_TOKEN: 'bench', EXPECT_TOKEN: `match-${n}` });
      if (r.files !== n) throw new Error(`runtime folder holds ${r.files} files, wanted ${n}`);
      look.get(n)?.push(r.look_us as number);
      first.get(n)?.push(r.first_us as number);
      floor.get(n)?.push(r.floor_us as number);
      checkpoint.push(r.checkpoint_us as number);
      const none = await py(['first'], outside, { ...baseEnv, HEADROOM_RUNTIME_DIR: dir });
      if (none.source !== 'none') throw new Error(`a program outside every folder found ${none.source}`);
      firstCall.get(n)?.push(none.first_us as number);
      afterNone.push(none.ns as number);
      off.push((await py(['first'], outside, { ...baseEnv, HEADROOM_RUNTIME_DIR: dir, HEADROOM: 'off' })).ns as number);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  server.close();
  rmSync(base, { recursive: true, force: true });

  const m = (xs: number[] | undefined) => median(xs ?? []);
  const numbers: Record<string, number | string> = {};
  for (const n of SIZES) {
    numbers[`look_us_${n}_files`] = m(look.get(n));
    numbers[`floor_us_${n}_files`] = m(floor.get(n));
    numbers[`look_vs_floor_x_${n}_files`] = m(look.get(n)) / m(floor.get(n));
  }
  for (const n of SIZES) numbers[`first_look_in_process_us_${n}_files`] = m(first.get(n));
  for (const n of SIZES) numbers[`first_checkpoint_no_window_us_${n}_files`] = m(firstCall.get(n));
  numbers.checkpoint_connected_us = m(checkpoint);
  numbers.disabled_call_after_look_ns = m(afterNone);
  numbers.disabled_call_headroom_off_ns = m(off);
  numbers.target_under_1ms_for_10_files = m(look.get(10)) < 1000 ? 'met' : 'missed';
  numbers.seconds = seconds;
  report('discovery', numbers, {
    method: `${PROCESSES} fresh /usr/bin/python3 processes per size (sizes interleaved, rotating order), each over a private runtime folder of 1, 10 or 50 valid window files (mode 0600, pids alive: this bench's own) whose last window's folder holds the working directory. look_us: median over ${ROUNDS} calls of headroom._discovery.look() per process (the function the first reporting call runs: folder checks, every file opened, fstat-checked, parsed and validated, liveness by kill(pid, 0), matching of cwd and script), median of the process medians; interleaved in the same loop with floor_us (os.listdir and open/read of every file, no checks, no parsing) and one headroom.checkpoint() to a connected Unix socket (checkpoint_connected_us). first_look_in_process_us: the first look of each process (colder caches). first_checkpoint_no_window_us: a fresh process that no window holds, its first headroom.checkpoint() (the look, then the answer kept). disabled_call_*_ns: each later checkpoint() of that process, 2M calls less the empty loop, against the same under HEADROOM=off.`,
    python: PY,
  });
}

void main().then(() => process.exit(0));
