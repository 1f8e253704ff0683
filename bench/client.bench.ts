// The Python client's cost, connected to the real listener, and ingest throughput into
// the store against the JSON.parse bound, in one run.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LineSplitter } from '../src/engine/protocol/lineSplitter';
import { ProtocolListener } from '../src/engine/protocol/listener';
import { RecordIngest } from '../src/engine/session/recordIngest';
import { MemoryStore } from '../src/engine/store/memoryStore';
import { median, report } from './harness';

const root = join(__dirname, '..');
const PY = '/usr/bin/python3';
const workload = join(__dirname, 'client_workload.py');
const pyEnv: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: join(root, 'src', 'python') };
delete pyEnv.HEADROOM_ADDR;
delete pyEnv.HEADROOM_LOG;

function py(args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number | boolean>> {
  return new Promise((resolve, reject) => {
    const c = spawn(PY, [workload, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string)) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

/**
 * Sizes, chosen so that the whole benchmark takes under 5 minutes on this 2-core machine while
 * others work on it (a training step takes ~15 ms of CPU but ~40 ms of wall time there).
 */
const SIZES = {
  checkpointRuns: 5,
  disabledRuns: 5,
  /** In-process A/B/A' runs: each 3 cycles of 6 blocks of 20 steps (120 steps per arm). */
  abRuns: 7,
  abCycles: 3,
  abBlock: 20,
  /** Separate on/off processes, alternating: the noisier cross-check. */
  loopPairs: 3,
  loopSteps: 100,
  mprofPairs: 3,
  mprofSteps: 60,
  ingestRuns: 7,
};

async function main() {
  const wall = performance.now();
  const phases: Record<string, number> = {};
  let phaseStart = wall;
  let phaseName = '';
  const store = new MemoryStore();
  const ingest = new RecordIngest(store);
  let ingestInto = ingest;
  const listener = new ProtocolListener({ onRecords: (_c, b) => ingestInto.addBatch(b) });
  await listener.start();
  const on = { ...pyEnv, ...listener.env(listener.issueToken('bench')) };

  const phase = (m: string) => {
    const now = performance.now();
    if (phaseName) phases[`${phaseName}_s`] = (now - phaseStart) / 1000;
    phaseName = m.replace(/\W+/g, '_');
    phaseStart = now;
    console.error(`[client bench] ${m} (${((now - wall) / 1000).toFixed(0)} s so far)`);
  };
  phase('checkpoint latency');
  const cps = [];
  for (let i = 0; i < SIZES.checkpointRuns; i++) cps.push(await py(['checkpoint'], on));
  if (!cps.every((c) => c.enabled)) throw new Error('client not enabled');
  phase('disabled calls');
  const disabled = [];
  for (let i = 0; i < SIZES.disabledRuns; i++) disabled.push((await py(['disabled'], pyEnv)).ns as number);

  // Loop overhead, first in one process (on, off and off again in ABCCBA blocks: the two off
  // arms' difference is the noise floor of the same run), then across processes.
  phase('training loop A/B/A');
  const ab: number[] = [];
  const aa: number[] = [];
  for (let i = 0; i < SIZES.abRuns; i++) {
    const r = await py(['loop_ab', String(SIZES.abCycles), String(SIZES.abBlock)], on);
    ab.push(r.overhead_pct as number);
    aa.push(r.floor_pct as number);
  }
  // Separate processes, alternating on and off so drift on a shared machine hits both alike.
  phase('training loop on/off processes');
  const loopOn: number[] = [];
  const loopOff: number[] = [];
  const iterMs: number[] = [];
  for (let i = 0; i < SIZES.loopPairs; i++) {
    const off = await py(['loop', String(SIZES.loopSteps)], pyEnv);
    loopOff.push(off.cpu_seconds as number);
    iterMs.push(off.per_iter_ms as number);
    loopOn.push((await py(['loop', String(SIZES.loopSteps)], on)).cpu_seconds as number);
  }
  phase('memory_profiler');
  const mprof: number[] = [];
  const mprofOff: number[] = [];
  for (let i = 0; i < SIZES.mprofPairs; i++) {
    mprofOff.push((await py(['loop', String(SIZES.mprofSteps)], pyEnv)).cpu_seconds as number);
    mprof.push((await py(['loop_mprof', String(SIZES.mprofSteps)], pyEnv)).cpu_seconds as number);
  }
  const received = ingest.records;

  // Ingest: a child process writes 200k realistic records as fast as the socket takes them.
  const n = 200_000;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ type: 'checkpoint', t: 1764000000 + i * 0.01, pid: 4242, seq: i + 1, file: '/home/user/project/train.py', line: 40 + (i % 7), func: 'train_step', label: `step ${i % 7}`, mem: { rss: 2_000_000_000 + (i % 1000) * 4096, vms: 9_000_000_000 }, v: 1 }));
  }
  phase('ingest');
  const parseOnly: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    for (const l of lines) JSON.parse(l);
    parseOnly.push(n / ((performance.now() - t0) / 1000));
  }
  // One body for every run (joining 38 MB of lines per run would put a major GC inside
  // whichever run came next), and a full GC before each timed run: both sides start alike.
  const body = Buffer.from(lines.join('\n') + '\n');
  const payloadFor = (token: string) => Buffer.concat([Buffer.from(JSON.stringify({ v: 1, type: 'hello', t: 1, pid: 4242, seq: 0, token }) + '\n'), body]);
  setFlagsFromString('--expose-gc');
  const fullGc = runInNewContext('gc') as () => void;
  /** Receiving process CPU seconds per timed run, in call order. */
  const cpu: number[] = [];
  /** Sends `payload` to `path` from another process; resolves when `count()` reaches n + 1. */
  const timeDelivery = (path: string, payload: Buffer, count: () => number) =>
    new Promise<number>((resolve) => {
      fullGc();
      const before = count();
      let t0 = 0;
      let c0 = process.cpuUsage();
      const poll = setInterval(() => {
        if (t0 === 0 && count() > before) {
          t0 = performance.now();
          c0 = process.cpuUsage();
        }
        if (count() - before >= n + 1) {
          clearInterval(poll);
          const c = process.cpuUsage(c0);
          cpu.push((c.user + c.system) / 1e6);
          resolve(n / ((performance.now() - t0) / 1000));
        }
      }, 0);
      const writer = spawn(process.execPath, ['-e', `const s=require('net').connect(${JSON.stringify(path)},()=>{s.end(require('fs').readFileSync(0))})`], { stdio: ['pipe', 'inherit', 'inherit'] });
      writer.stdin.end(payload);
    });
  // The bound: the same socket, the same sender, the same line splitter, and JSON.parse alone.
  const boundDir = mkdtempSync(join(tmpdir(), 'hr-bound-'));
  const boundPath = join(boundDir, 'b.sock');
  let parsed = 0;
  const boundServer = createServer((sock) => {
    const splitter = new LineSplitter((buf, start, bytes) => {
      JSON.parse(buf.toString('utf8', start, start + bytes));
      parsed++;
    }, () => undefined);
    sock.on('data', (c: Buffer) => splitter.push(c));
  });
  await new Promise<void>((r) => boundServer.listen(boundPath, r));
  const bound: number[] = [];
  const rates: number[] = [];
  // A fresh store, as a new session would have.
  const fresh = new RecordIngest(new MemoryStore());
  ingestInto = fresh;
  for (let k = 0; k < SIZES.ingestRuns; k++) {
    bound.push(await timeDelivery(boundPath, payloadFor('x'), () => parsed));
    const token = listener.issueToken(`ingest-${k}`);
    rates.push(await timeDelivery((listener.address as string).slice('unix:'.length), payloadFor(token), () => fresh.records));
  }
  // The runs alternate, bound first: even entries are the bound's.
  const cpuBound = cpu.filter((_, i) => i % 2 === 0);
  const cpuIngest = cpu.filter((_, i) => i % 2 === 1);
  boundServer.close();
  rmSync(boundDir, { recursive: true, force: true });
  listener.dispose();
  phase('done');
  const memProfilerVersion = spawnSync(PY, ['-c', 'import memory_profiler; print(memory_profiler.__version__)'], { encoding: 'utf8' }).stdout.trim();

  const loopOverhead = ((median(loopOn) - median(loopOff)) / median(loopOff)) * 100;
  report(
    'client',
    {
      checkpoint_us_median: median(cps.map((c) => c.median_us as number)),
      checkpoint_us_p95: median(cps.map((c) => c.p95_us as number)),
      disabled_call_ns: median(disabled),
      loop_iter_ms_off: median(iterMs),
      loop_overhead_pct: median(ab),
      loop_overhead_noise_floor_pct: median(aa),
      loop_overhead_noise_floor_abs_pct: median(aa.map(Math.abs)),
      loop_overhead_pct_separate_processes: loopOverhead,
      checkpoint_share_of_step_pct: (median(cps.map((c) => c.median_us as number)) / 1000 / median(iterMs)) * 100,
      memory_profiler_overhead_pct: ((median(mprof) - median(mprofOff)) / median(mprofOff)) * 100,
      memory_profiler_vs_headroom_overhead: (((median(mprof) - median(mprofOff)) / median(mprofOff)) * 100) / Math.max(median(ab), 0.01),
      ingest_records_per_s: median(rates),
      json_parse_bound_records_per_s: median(bound),
      ingest_vs_json_parse_pct: (median(rates) / median(bound)) * 100,
      ingest_vs_json_parse_pct_paired: median(rates.map((r, i) => (r / bound[i]) * 100)),
      ingest_vs_json_parse_pct_cpu: (median(cpuBound) / median(cpuIngest)) * 100,
      json_parse_in_memory_records_per_s: median(parseOnly),
      records_received_during_client_runs: received,
      ...phases,
      wall_seconds: (performance.now() - wall) / 1000,
    },
    {
      method: `checkpoint latency: 20,000 timed calls per run, connected to the real listener, ${SIZES.checkpointRuns} runs; loop_overhead_pct: a torch CPU training step (~13 ms of CPU, one thread) with one checkpoint per step, in one connected process alternating blocks of ${SIZES.abBlock} steps in ABCCBA order (checkpoint on, replaced by a no-op, the no-op again), ${SIZES.abCycles} cycles, process CPU time (the writer thread counts), median of ${SIZES.abRuns} processes; loop_overhead_noise_floor_pct: the two identical no-op arms of the same processes against each other (signed median; _abs_: median of absolute values); loop_overhead_pct_separate_processes: the same step from ${SIZES.loopPairs} alternating separate off/on processes of ${SIZES.loopSteps} steps (noisier); memory_profiler: the same step under @profile against without, ${SIZES.mprofSteps} steps, ${SIZES.mprofPairs} alternating pairs, CPU time; ingest: 200k checkpoint records written by another process over the Unix socket into the listener (decoding and validation in its worker thread, batches back to this thread) and RecordIngest.addBatch (the event index columns and per-line statistics), run from the TypeScript sources under tsx as the other benches are, timed from the first record to the last, ${SIZES.ingestRuns} runs alternating with the bound, a full GC before each run; ingest_vs_json_parse_pct_paired: the median of the run-by-run ratios; ingest_vs_json_parse_pct_cpu: the same comparison in CPU seconds of the receiving process (user + system, all its threads) per run instead of wall time; json_parse_bound: the same records, sender and socket, into a server on this thread that only splits lines and JSON.parses them (one string per line, as a JSON.parse reader must make); json_parse_in_memory: JSON.parse of the same strings in a loop, for reference. *_s: each phase's wall seconds; wall_seconds: the whole benchmark's (under 5 minutes is the budget).`,
      memory_profiler: memProfilerVersion,
      sizes: SIZES,
    },
  );
}

void main().then(() => process.exit(0));
