// Rendering /metrics for a 64-rank job (64 processes, 8 GPUs with a process each, 32
// checkpoints hit by every rank: 6312 series) as `headroom run --metrics` renders it once per
// tick: Headroom's renderer (label sets written once per series, then reused) against a naive
// one written the obvious way (template strings, a regex escape per label value per render,
// lines joined) over the same families, interleaved in one run; medians. prom-client is not a
// dependency, so it is not in the comparison.
import type { Labels, MetricFamily } from '../src/engine/metrics/exposition';
import { renderExposition } from '../src/engine/metrics/exposition';
import { SessionMetrics, type MetricsInput } from '../src/engine/metrics/sessionMetrics';
import { HitRing } from '../src/engine/session/hitRing';
import type { LocationStats } from '../src/engine/session/locationStats';
import type { RankFigures } from '../src/engine/session/rankFigures';
import { median, percentile, report } from './harness';

const RANKS = 64;
const GPUS = 8;
const CHECKPOINTS = 32;
const MiB = 2 ** 20;

function input(): MetricsInput {
  const t = Date.now();
  const processes = Array.from({ length: RANKS + 1 }, (_, i) => ({ pid: 1000 + i, ppid: i ? 1000 : 1, name: i ? 'python3' : 'torchrun', rss: (500 + i) * MiB, vms: 4000 * MiB, shared: 0, pss: (450 + i) * MiB }));
  const ranks = new Map(processes.slice(1).map((p, i) => [p.pid, i]));
  const devices = Array.from({ length: GPUS }, (_, i) => ({ index: i, uuid: `GPU-${i}`, name: 'NVIDIA H200', vendor: 'nvidia' as const, memUsed: 60e9 + i, memTotal: 141e9 }));
  const locations: LocationStats[] = Array.from({ length: CHECKPOINTS }, (_, c) => ({
    file: '/work/train.py',
    line: 10 + c,
    kind: 'checkpoint',
    label: `after "layer" ${c}\\block`,
    hits: 100,
    lastDelta: c * MiB,
    sinceStart: c * MiB,
    lastRss: 600 * MiB,
    peak: 700 * MiB,
    lastPeakAbove: 0,
    ring: new HitRing(),
    lastT: t,
    ranks: new Map(Array.from({ length: RANKS }, (_, r): [number, RankFigures] => [r, { rank: r, pid: 1001 + r, hits: 100, lastDelta: (c + r) * MiB, sinceStart: 0, lastRss: (600 + r) * MiB, peak: 0 }])),
  }));
  return {
    tick: {
      tree: { t, rootPid: 1000, rootAlive: true, processes, rss: 40e9, vms: 200e9, pss: 38e9 },
      system: { t, total: 2e12, available: 1e12, used: 1e12, swapTotal: 0, swapUsed: 0, cgroupLimit: 1.8e12, cgroupUsage: 1e12 },
      gpu: { t, devices, processes: devices.map((d, i) => ({ pid: 1001 + i, gpuUuid: d.uuid, usedMemory: 59e9 })), tree: { used: 472e9, source: 'nvidia-smi' } },
      kernel: { t, oomKills: { cgroup: 0, system: 0 } },
    },
    locations,
    ranks,
  };
}

/** The renderer as it is usually first written. */
function naiveRender(families: readonly MetricFamily[]): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const set = (ls: Labels) => (ls.length ? `{${ls.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}` : '');
  const lines: string[] = [];
  for (const f of families) {
    if (!f.samples.length) continue;
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${set(s.labels)} ${Number.isNaN(s.value) ? 'NaN' : s.value}`);
  }
  return lines.join('\n') + '\n';
}

function main(): void {
  const inp = input();
  const metrics = new SessionMetrics({ job: 'train.py', host: 'node-07', rank: undefined, localRank: undefined });
  const families = metrics.families(inp);
  const ours = renderExposition(families);
  if (naiveRender(families) !== ours) throw new Error('the naive renderer must write the same text');
  const series = ours.split('\n').filter((l) => l && !l.startsWith('#')).length;
  const full: number[] = [];
  const text: number[] = [];
  const naive: number[] = [];
  const ROUNDS = 3000;
  for (let i = 0; i < ROUNDS + 200; i++) {
    // Interleaved: each round times all three, in a rotating order, so drift hits them alike.
    const order = [0, 1, 2].map((k) => (k + i) % 3);
    for (const k of order) {
      const t0 = performance.now();
      if (k === 0) metrics.render(inp);
      else if (k === 1) renderExposition(families);
      else naiveRender(metrics.families(inp));
      const ms = performance.now() - t0;
      if (i >= 200) (k === 0 ? full : k === 1 ? text : naive).push(ms);
    }
  }
  report(
    'metrics',
    {
      ranks: RANKS,
      series,
      bytes: Buffer.byteLength(ours),
      'render_ms (families + text), median': median(full),
      'render_ms (families + text), p99': percentile(full, 99),
      'text_ms (families given), median': median(text),
      'naive render_ms (families + naive text), median': median(naive),
      'naive / ours (families + text)': median(naive) / median(full),
    },
    { rounds: ROUNDS, gpus: GPUS, checkpoints: CHECKPOINTS, claim: '64 ranks render in under 1 ms (median)' },
  );
}

main();
