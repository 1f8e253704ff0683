// A day-long recording written through the real RecordingWriter (so rotation and the index
// beside it are the ones a live run produces): a tree of processes sampled at `hz`, a
// checkpoint every `checkpointEverySec` from the root, values that drift, saw and spike.
// Used by the long-recording benchmark and the editor's event-loop benchmark.
import { RecordingWriter } from '../src/engine/recording/recordingWriter';

export interface DayLongOptions {
  readonly hours?: number;
  readonly hz?: number;
  /** Processes in the tree (the root plus workers). */
  readonly procs?: number;
  readonly checkpointEverySec?: number;
  /** The writer's rotation size; the default is the extension's (256 MiB). */
  readonly maxBytes?: number;
  readonly maxFiles?: number;
  readonly start?: number;
}

export interface DayLongResult {
  readonly samples: number;
  readonly checkpoints: number;
  /** The highest tree RSS written, the run's true peak. */
  readonly peakRss: number;
  readonly firstRss: number;
  readonly lastRss: number;
}

const MB = 1024 * 1024;

/** Writes the run to `path` (rotated parts beside it); returns what was written. */
export function writeDayLong(path: string, o: DayLongOptions = {}): DayLongResult {
  const hours = o.hours ?? 24;
  const hz = o.hz ?? 10;
  const nProcs = o.procs ?? 9;
  const every = Math.max(1, Math.round((o.checkpointEverySec ?? 1) * hz));
  const start = o.start ?? Date.UTC(2026, 10, 30, 8, 0, 0);
  const rootPid = 4242;
  const w = new RecordingWriter(path, { created: start, rootPid, name: 'train.py', command: ['python', 'train.py'], host: 'node1', tool: 'bench', intervalMs: 1000 / hz }, { maxBytes: o.maxBytes, maxFiles: o.maxFiles ?? 8, flushMs: 60_000, flushBytes: Math.min(4 * MB, Math.ceil((o.maxBytes ?? 256 * MB) / 8)) });
  const n = Math.round(hours * 3600 * hz);
  let seq = 0;
  let peak = 0;
  let first = 0;
  let last = 0;
  let checkpoints = 0;
  for (let i = 0; i < n; i++) {
    const t = start + Math.round((i * 1000) / hz);
    const hour = i / (3600 * hz);
    const procs: [number, number, number, number | null, string][] = [];
    let rss = 0;
    for (let p = 0; p < nProcs; p++) {
      // The root grows slowly and saws each "epoch" (20 min); workers hold steady with noise; one spike an hour.
      const base = p === 0 ? 2000 * MB + hour * 40 * MB + ((i % (1200 * hz)) / (1200 * hz)) * 300 * MB : 300 * MB + ((i * 7919 + p * 104729) % 997) * 1024 * 8;
      const spike = p === 0 && i % (3600 * hz) === 1800 * hz ? 900 * MB : 0;
      const r = Math.round(base + spike);
      rss += r;
      procs.push([rootPid + p, p === 0 ? 1 : rootPid, r, p === 0 ? Math.round(r * 0.9) : null, p === 0 ? 'python' : `worker ${p}`]);
    }
    peak = Math.max(peak, rss);
    if (i === 0) first = rss;
    last = rss;
    w.write({ type: 'sample', t, rss, vms: rss * 3, pss: Math.round(rss * 0.95), procs, sys: { used: 40_000 * MB + rss, available: 200_000 * MB - rss, total: 256_000 * MB }, cg: { limit: 64_000 * MB, usage: rss + 500 * MB } });
    if (i % every === 0) {
      checkpoints++;
      const line = JSON.stringify({ type: 'checkpoint', v: 1, t: t / 1000, pid: rootPid, seq: seq++, label: `step ${checkpoints % 500}`, file: '/home/user/project/train.py', line: 40 + (checkpoints % 5), func: 'train', mem: { rss: procs[0][2] } });
      w.writeRaw(Buffer.from(line + '\n'));
    }
  }
  w.write({ type: 'exit', t: start + Math.round((n * 1000) / hz), pid: rootPid, code: 0, signal: null });
  w.close();
  return { samples: n, checkpoints, peakRss: peak, firstRss: first, lastRss: last };
}
