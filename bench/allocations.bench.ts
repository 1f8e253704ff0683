// Allocation sites: how long the client takes to reduce a tracemalloc snapshot with many live
// blocks to its top sites (against the standard library's own groupings of the same snapshot,
// interleaved), and what tracing costs a training-like step, on against off (and against memray
// on the same loop where memray is installed), interleaved, medians.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, report } from './harness';

const workload = join(__dirname, 'allocations_workload.py');
// memray is no dependency of Headroom: where one is installed in its own venv, the tracing-cost
// comparison runs there (the workload needs only the standard library and the client).
const MEMRAY_PY = process.env.MEMRAY_PYTHON ?? '/tmp/memray-venv/bin/python';
const PY = existsSync(MEMRAY_PY) ? MEMRAY_PY : '/usr/bin/python3';
const BLOCKS = Number(process.env.ALLOC_BENCH_BLOCKS ?? 1_000_000);
const ROUNDS = 3; // interleaved rounds inside each process
const PROCESSES = 2;

type Figures = Record<string, number>;

function run(): Figures {
  const p = spawnSync(PY, [workload, String(BLOCKS), String(ROUNDS)], { encoding: 'utf8', timeout: 240_000 });
  if (p.status !== 0) throw new Error(`workload exited ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop() as string) as Figures;
}

function main() {
  const t0 = performance.now();
  const runs: Figures[] = [];
  for (let k = 0; k < PROCESSES; k++) {
    console.error(`[allocations bench] process ${k + 1}/${PROCESSES}`);
    runs.push(run());
  }
  const m = (key: string) => median(runs.map((r) => r[key]).filter((v) => v !== undefined));
  const numbers: Record<string, number | string> = {
    live_blocks: m('live_blocks'),
    snapshot_ms: m('snapshot_ms'),
    reduce_ms: m('reduce_ms'),
    stdlib_statistics_lineno_ms: m('stdlib_lineno_ms'),
    stdlib_statistics_traceback_ms: m('stdlib_traceback_ms'),
    reduce_vs_stdlib_lineno_x: m('reduce_ms') / m('stdlib_lineno_ms'),
    reduce_vs_stdlib_traceback_x: m('reduce_ms') / m('stdlib_traceback_ms'),
    record_bytes: m('record_bytes'),
    step_ms_untraced: m('step_ms_off'),
    step_x_tracemalloc_nframe1: m('x_vs_off_nframe1'),
    step_x_tracemalloc_nframe5: m('x_vs_off_nframe5'),
    step_x_memray: runs[0].x_vs_off_memray === undefined ? 'memray not installed' : m('x_vs_off_memray'),
    client_measured_overhead_x: m('client_measured_overhead_x'),
    seconds: (performance.now() - t0) / 1000,
  };
  report('allocations', numbers, {
    method: `${PROCESSES} processes of ${PY} running bench/allocations_workload.py. Reduction: ${BLOCKS} live blocks (tuples made by 200 one-line functions) traced with nframe=5; in each of ${ROUNDS} rounds one snapshot is reduced by the client (group by traceback, by the innermost line of the program's own code, top 50, bounded record) and by tracemalloc's own Snapshot.statistics('lineno') and ('traceback'), in alternating order; medians. All three run with tracing on, as in a program that asked for a snapshot: their own allocations are traced too. Tracing cost: a training-like step (2000 small dicts made, summed, dropped) 20 times per timing, untraced / tracemalloc nframe 1 / nframe 5 / memray.Tracker (trace_python_allocators) in ABBA order over 6 rounds; medians. client_measured_overhead_x: what the client reports in tracing.overhead when it starts tracing (allocation-only loop: its worst case).`,
  });
}

main();
