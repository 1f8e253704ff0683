// Sampling cost on real process trees of 10 and 100 processes: Headroom's procfs sampler
// against a bare pread loop (the floor), pidusage and systeminformation, in one run.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import pidusage from 'pidusage';
import si from 'systeminformation';
import { ProcfsTreeSampler } from '../src/engine/sampling/procfsTreeSampler';
import { MemoryStore } from '../src/engine/store/memoryStore';
import { Series } from '../src/shared/series';
import { median, report, timeRuns } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real tree: a Python root with n-1 sleeping children. */
async function spawnTree(n: number) {
  const code = `import subprocess,sys,time\nkids=[subprocess.Popen(["sleep","600"]) for _ in range(${n - 1})]\nprint("up",flush=True)\nsys.stdin.read()\nfor k in kids: k.kill()`;
  const root = spawn('/usr/bin/python3', ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((r) => root.stdout.once('data', () => r()));
  return root;
}

/** % of one core used by `fn` called at `hz` for `seconds`. */
async function cpuPct(fn: () => void, hz: number, seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const timer = setInterval(fn, 1000 / hz);
  await sleep(seconds * 1000);
  clearInterval(timer);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
}

async function treeBench(n: number) {
  const root = await spawnTree(n);
  const sampler = new ProcfsTreeSampler(root.pid as number, { pss: 'off' });
  try {
    sampler.sample();
    const pids = sampler.pids();
    if (pids.length !== n) throw new Error(`tree has ${pids.length} processes, wanted ${n}`);
    // Floor: one pread of each statm, nothing else.
    const fds = pids.map((p) => openSync(`/proc/${p}/statm`, 'r'));
    const buf = Buffer.alloc(256);
    const bare = await timeRuns(() => {
      for (const fd of fds) readSync(fd, buf, 0, 256, 0);
    }, { runs: 2000, warmup: 100 });
    for (const fd of fds) closeSync(fd);
    // Headroom per sample, at the real discovery rate (every 500 ms) for a 10 Hz sampler:
    // 1 sample in 5 pays for discovery.
    let t = Date.now();
    const headroom = await timeRuns(() => {
      t += 100;
      sampler.sample(t);
    }, { runs: 2000, warmup: 50 });
    const discovery = await timeRuns(() => {
      t += 1000;
      sampler.sample(t);
    }, { runs: 200, warmup: 5 });
    const pu = await timeRuns(() => pidusage(pids), { runs: 100, warmup: 5 });
    pidusage.clear();
    // systeminformation answers repeated calls from a cache: space them out so each one works.
    const sis: number[] = [];
    for (let i = 0; i < 6; i++) {
      await sleep(1100);
      const t0 = performance.now();
      await si.processes();
      if (i > 0) sis.push(performance.now() - t0);
    }
    // Steady state, as in a run that lasts hours: the code paths warmed first (a 10 Hz
    // monitor is optimised by V8 within its first minute), PSS in its default `auto` mode.
    const live = new ProcfsTreeSampler(root.pid as number, { pss: 'auto' });
    for (let i = 0; i < 3000; i++) live.sample(Date.now() + i * 100);
    const idle = await cpuPct(() => undefined, 10, 5);
    const cpu10 = await cpuPct(() => live.sample(), 10, 10);
    const cpu100 = await cpuPct(() => live.sample(), 100, 5);
    live.dispose();
    return {
      ms: median(headroom),
      bare: median(bare),
      discovery: median(discovery),
      pidusage: median(pu),
      si: median(sis),
      cpu10,
      cpu100,
      idle,
    };
  } finally {
    sampler.dispose();
    root.stdin?.end();
    root.kill();
  }
}

async function storeBench() {
  const n = 1_000_000;
  const s = new Series();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s.append(i * 100, (i * 7919) % 1000);
  const appendPerS = n / ((performance.now() - t0) / 1000);
  const q = await timeRuns(() => s.query(0, n * 100, 1200), { runs: 200, warmup: 10 });
  const qNarrow = await timeRuns(() => s.query(n * 50, n * 50 + 60_000, 1200), { runs: 200, warmup: 10 });
  const st = new MemoryStore();
  const t1 = performance.now();
  for (let i = 0; i < 100_000; i++) {
    st.addTreeSample({ t: i * 100, rootPid: 1, rootAlive: true, rss: i, vms: i, processes: [{ pid: 1, ppid: 0, name: 'p', rss: i, vms: i, shared: 0 }] });
  }
  const treeSamplesPerS = 100_000 / ((performance.now() - t1) / 1000);
  return { appendPerS, queryMs: median(q), queryNarrowMs: median(qNarrow), treeSamplesPerS, bytes1m: s.bytes };
}

async function main() {
  const r10 = await treeBench(10);
  const r100 = await treeBench(100);
  const st = await storeBench();
  report(
    'sampler',
    {
      tree10_ms: r10.ms,
      tree10_bare_pread_ms: r10.bare,
      tree10_ratio_vs_bare: r10.ms / r10.bare,
      tree10_discovery_ms: r10.discovery,
      tree10_pidusage_ms: r10.pidusage,
      tree10_pidusage_ratio: r10.pidusage / r10.ms,
      tree10_si_ms: r10.si,
      tree10_si_ratio: r10.si / r10.ms,
      cpu_pct_10hz: r10.cpu10,
      cpu_pct_100hz: r10.cpu100,
      cpu_pct_idle_timer_10hz: r10.idle,
      tree100_ms: r100.ms,
      tree100_bare_pread_ms: r100.bare,
      tree100_ratio_vs_bare: r100.ms / r100.bare,
      tree100_discovery_ms: r100.discovery,
      tree100_pidusage_ms: r100.pidusage,
      tree100_pidusage_ratio: r100.pidusage / r100.ms,
      tree100_si_ms: r100.si,
      tree100_si_ratio: r100.si / r100.ms,
      cpu_pct_10hz_tree100: r100.cpu10,
      cpu_pct_100hz_tree100: r100.cpu100,
      store_append_per_s: st.appendPerS,
      store_tree_samples_per_s: st.treeSamplesPerS,
      store_query_1m_to_1200_ms: st.queryMs,
      store_query_narrow_ms: st.queryNarrowMs,
      store_bytes_1m_points: st.bytes1m,
    },
    {
      method: 'medians of repeated runs; cpu_pct_* are whole-process CPU (% of one core) while sampling, after warm-up; cpu_pct_idle_timer_10hz is an empty 10 Hz timer for reference; Headroom per-sample cost includes discovery at its real rate (every 500 ms at 10 Hz); pidusage and systeminformation asked for the same pids',
    },
  );
}

void main().then(() => process.exit(0));
