// Parquet export of a day-long recording: 24 h sampled at 10 Hz (864,000 tree samples of four
// processes), a checkpoint and a two-GPU record every second. Median wall time of several
// exports, the rows written, and the process's peak RSS (the export streams: it must not
// grow with the recording). HEADROOM_BENCH_HOURS makes the recording shorter or longer.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRecordingParquet } from '../src/engine/recording/parquetExport';
import { median, report } from './harness';

const MB = 1024 * 1024;

/** Writes the recording straight to disk (no writer in the way: the export is what is measured). */
function writeRecording(path: string, hours: number, hz = 10, procs = 4): number {
  const fd = openSync(path, 'w');
  const start = Date.UTC(2026, 10, 30, 8, 0, 0);
  const rootPid = 4242;
  let lines: string[] = [JSON.stringify({ type: 'recording', v: 1, created: start, rootPid, name: 'train.py', command: ['python', 'train.py'], host: 'node1', tool: 'bench', part: 0, intervalMs: 1000 / hz })];
  const n = Math.round(hours * 3600 * hz);
  for (let i = 0; i < n; i++) {
    const t = start + Math.round((i * 1000) / hz);
    const ps: [number, number, number, number | null, string][] = [];
    let rss = 0;
    for (let p = 0; p < procs; p++) {
      const r = (p === 0 ? 2000 * MB + ((i % 12_000) / 12_000) * 300 * MB : 300 * MB) + ((i * 7919 + p * 104729) % 997) * 8192;
      rss += r;
      ps.push([rootPid + p, p === 0 ? 1 : rootPid, Math.round(r), p === 0 ? Math.round(r * 0.9) : null, p === 0 ? 'python' : `worker ${p}`]);
    }
    lines.push(JSON.stringify({ type: 'sample', t, rss, vms: rss * 3, pss: Math.round(rss * 0.95), procs: ps, sys: { used: 40_000 * MB + rss, available: 200_000 * MB - rss, total: 256_000 * MB }, cg: { limit: 64_000 * MB, usage: rss + 500 * MB }, psi: [0.1, 0] }));
    if (i % hz === 0) {
      lines.push(JSON.stringify({ type: 'checkpoint', v: 1, t: t / 1000, pid: rootPid, seq: i / hz, label: `step ${(i / hz) % 500}`, file: '/home/user/project/train.py', line: 40, func: 'train', mem: { rss: ps[0][2], devices: [{ kind: 'cuda', index: 0, allocated: 20_000 * MB, reserved: 24_000 * MB }] } }));
      lines.push(JSON.stringify({ type: 'gpu', t, devices: [[0, 30_000 * MB, 80_000 * MB, 97, 'NVIDIA H100'], [1, 29_000 * MB, 80_000 * MB, 95, 'NVIDIA H100']], tree: { used: 59_000 * MB, src: 'nvidia-smi' } }));
    }
    if (lines.length >= 10_000) {
      writeSync(fd, lines.join('\n') + '\n');
      lines = [];
    }
  }
  writeSync(fd, lines.join('\n') + '\n');
  closeSync(fd);
  return n;
}

async function main(): Promise<void> {
  const hours = Number(process.env.HEADROOM_BENCH_HOURS ?? 24);
  const runs = 3;
  const dir = mkdtempSync(join(tmpdir(), 'headroom-export-bench-'));
  try {
    const rec = join(dir, 'day.ndjson');
    const t0 = performance.now();
    const samples = writeRecording(rec, hours);
    const bytes = statSync(rec).size;
    console.log(`wrote ${samples} samples (${(bytes / MB).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const times: number[] = [];
    let rows: Record<string, number> = {};
    let outBytes = 0;
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      const r = await exportRecordingParquet(rec, join(dir, 'day'));
      times.push(performance.now() - s);
      rows = Object.fromEntries(r.files.map((f) => [f.table, f.rows]));
      outBytes = r.files.reduce((n, f) => n + statSync(f.path).size, 0);
      console.log(`export ${i + 1}/${runs}: ${(times[i] / 1000).toFixed(1)} s`);
    }
    const ms = median(times);
    report(
      'export',
      {
        hours,
        recordingMB: Math.round(bytes / MB),
        samples,
        exportMedianMs: Math.round(ms),
        exportMinMs: Math.round(Math.min(...times)),
        exportMBPerS: Math.round(bytes / MB / (ms / 1000)),
        parquetMB: Math.round((outBytes / MB) * 10) / 10,
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      { runs, rows, times: times.map(Math.round) },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
