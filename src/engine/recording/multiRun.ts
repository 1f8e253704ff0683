import { basename } from 'node:path';
import type { HelloRecord, ProtocolRecord } from '../../shared/protocol';
import { objectBatch } from '../protocol/recordBatch';
import { RecordIngest } from '../session/recordIngest';
import { MemoryStore } from '../store/memoryStore';
import { loadIntoStoreAsync } from './loadRecordingAsync';
import { protocolRecords } from './loadRecording';
import type { RecordingHeader } from './format';
import { readRecordingAsync } from './recordingReader';

/**
 * Several recordings of one distributed job (one `headroom run --out` per node, or per rank)
 * opened as one run. Each recording keeps its own store (its tree, processes, system, GPUs: one
 * line per host or rank); their program records go through one RecordIngest, so every
 * checkpoint is aggregated across ranks (max, min, which rank, see rankSpread) as for a
 * single-node launch. Times are each machine's wall clock as recorded: aligned as well as the
 * machines' clocks agree (NTP keeps them within milliseconds).
 */
export interface MultiRun {
  /** One per recording, in host then first-rank order. */
  readonly parts: readonly MultiRunPart[];
  /** Events and checkpoint statistics of every part (pids made unique with `globalPid`). */
  readonly store: MemoryStore;
  readonly ingest: RecordIngest;
  /** The earliest and latest time in any part, ms since the epoch: the run's common x axis. */
  readonly t0: number;
  readonly t1: number;
}

export interface MultiRunPart {
  readonly path: string;
  readonly header: RecordingHeader;
  /** The machine the recording was made on (its header's host; else the file's name). */
  readonly host: string;
  /** Ranks of the processes that reported one in their hello, by rank: their pid in this part's store. */
  readonly rankPids: ReadonlyMap<number, number>;
  /** `host`, or `host rank 3`, or `host ranks 0-7`: the line's name in a legend. */
  readonly label: string;
  /** This part's series (tree.rss, proc.<pid>.rss, sys.used, gpu.N.used, ...), pids as recorded. */
  readonly store: MemoryStore;
  /** The part's index: what `globalPid` takes. */
  readonly index: number;
  readonly t0: number;
  readonly t1: number;
  /** Lines that were not records. */
  readonly errorCount: number;
}

/** A recording that cannot be part of a multi-node run: says which file and why. */
export class MultiRunError extends Error {}

/** Pids are per machine: in the shared ingest each part's pids move to a range of their own. */
const PID_RANGE = 2 ** 23; // above Linux's pid_max (2^22)

/** The pid the shared ingest knows part `index`'s process `pid` by. */
export function globalPid(index: number, pid: number): number {
  return index * PID_RANGE + pid;
}

/** The part index and recorded pid of a pid from the shared ingest (its events, rank figures). */
export function localPid(global: number): { index: number; pid: number } {
  return { index: Math.floor(global / PID_RANGE), pid: global % PID_RANGE };
}

/** At most this many recordings in one run (a 1024-rank job recorded per rank). */
const MAX_PARTS = 1024;

/** Loads `paths` as one run; throws MultiRunError naming the file when one cannot be read or is not a recording. */
export async function loadMultiRunAsync(paths: readonly string[]): Promise<MultiRun> {
  if (paths.length === 0) throw new MultiRunError('no recordings to open');
  if (paths.length > MAX_PARTS) throw new MultiRunError(`${paths.length} recordings: at most ${MAX_PARTS} open as one run`);
  if (new Set(paths).size !== paths.length) throw new MultiRunError('the same recording is listed twice');
  const loaded: Loaded[] = [];
  for (const path of paths) {
    let read;
    try {
      read = await readRecordingAsync(path);
    } catch (e) {
      throw new MultiRunError(`${path}: cannot read: ${(e as Error).message}`);
    }
    if (!read.header) throw new MultiRunError(`${path}: not a Headroom recording (no header line)`);
    const store = new MemoryStore();
    await loadIntoStoreAsync(read.records, store);
    const proto = protocolRecords(read.records);
    const rankPids = new Map<number, number>();
    for (const r of proto) if (r.type === 'hello' && isRank(r)) rankPids.set(r.rank as number, r.pid);
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const r of read.records) {
      // Samples are in ms, program records in seconds.
      const t = typeof r.t !== 'number' ? undefined : RECORDING_MS.has(r.type) ? r.t : r.t * 1000;
      if (t === undefined || !Number.isFinite(t)) continue;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
    }
    if (t0 === Infinity) t0 = t1 = read.header.created;
    loaded.push({ path, header: read.header, host: read.header.host || basename(path), rankPids, store, proto, t0, t1, errorCount: read.errorCount });
  }
  const firstRank = (p: Loaded) => Math.min(Infinity, ...p.rankPids.keys());
  loaded.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : firstRank(a) - firstRank(b)));
  const parts: MultiRunPart[] = loaded.map((p, index) => ({ path: p.path, header: p.header, host: p.host, rankPids: p.rankPids, label: partLabel(p.host, [...p.rankPids.keys()]), store: p.store, index, t0: p.t0, t1: p.t1, errorCount: p.errorCount }));

  const store = new MemoryStore();
  const ingest = new RecordIngest(store);
  ingest.addBatch(objectBatch(interleave(loaded.map((p, index) => p.proto.map((r) => relocate(r, index))))));
  return { parts, store, ingest, t0: Math.min(...parts.map((p) => p.t0)), t1: Math.max(...parts.map((p) => p.t1)) };
}

/** One recording read, before the parts are put in order. */
interface Loaded {
  readonly path: string;
  readonly header: RecordingHeader;
  readonly host: string;
  readonly rankPids: Map<number, number>;
  readonly store: MemoryStore;
  readonly proto: ProtocolRecord[];
  readonly t0: number;
  readonly t1: number;
  readonly errorCount: number;
}

const RECORDING_MS = new Set(['sample', 'gpu', 'exit', 'end', 'guard', 'recording']);

function isRank(r: HelloRecord): boolean {
  return Number.isInteger(r.rank) && (r.rank as number) >= 0 && (r.world_size ?? 2) > 1;
}

/**
 * The parts' records in one stream, roughly by time as a live launch's would arrive, each part's
 * own order kept (a process's records are ingested in the order it sent them: a region is
 * reported when it ends, with its start time). Sorted stably on each part's running maximum of t.
 */
function interleave(parts: readonly ProtocolRecord[][]): ProtocolRecord[] {
  const keyed: { key: number; r: ProtocolRecord }[] = [];
  for (const records of parts) {
    let key = 0;
    for (const r of records) {
      if (Number.isFinite(r.t) && r.t > key) key = r.t;
      keyed.push({ key, r });
    }
  }
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map((k) => k.r);
}

/** A program record of part `index`, its pids moved to the part's range. */
export function relocate(r: ProtocolRecord, index: number): ProtocolRecord {
  if (index === 0) return r;
  const moved = { ...r, pid: globalPid(index, r.pid) } as ProtocolRecord & { ppid?: number };
  if (r.type === 'hello' && typeof r.ppid === 'number') moved.ppid = globalPid(index, r.ppid);
  return moved;
}

/** `host`, `host rank 3`, `host ranks 0-7` (or `host ranks 0,2,5` when not a range). */
function partLabel(host: string, ranks: number[]): string {
  if (ranks.length === 0) return host;
  ranks.sort((a, b) => a - b);
  if (ranks.length === 1) return `${host} rank ${ranks[0]}`;
  const contiguous = ranks[ranks.length - 1] - ranks[0] === ranks.length - 1;
  return `${host} ranks ${contiguous ? `${ranks[0]}-${ranks[ranks.length - 1]}` : ranks.join(',')}`;
}
