// The recording format: NDJSON, one record per line. Recording records (below) interleave
// with the log-protocol records the program sent, stored verbatim. docs/recording.md.

import type { EndExplanation } from '../oom/endExplanation';
import type { GuardAction } from '../session/guard';

export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  readonly type: 'recording';
  readonly v: number;
  /** Milliseconds since the epoch. */
  readonly created: number;
  readonly rootPid: number;
  /** The session's name as the editor showed it (`train.py`, `ddp_train.py (2 ranks)`); optional. */
  readonly name?: string;
  readonly command?: readonly string[];
  readonly host?: string;
  readonly tool: string;
  /** 0 for the first file; rotated continuations count up. */
  readonly part: number;
  readonly intervalMs?: number;
}

/** A tree sample: [pid, ppid, rss, pss|null, name] per process. */
export interface SampleRecord {
  readonly type: 'sample';
  readonly t: number;
  readonly rss: number;
  /** Absent where nobody sampled the tree (a remote run's samples are its reports). */
  readonly vms?: number;
  readonly pss?: number;
  readonly uss?: number;
  readonly procs?: readonly (readonly [number, number, number, number | null, string])[];
  readonly sys?: { readonly used: number; readonly available: number; readonly total: number };
  readonly cg?: { readonly limit: number; readonly usage?: number };
  /** Memory pressure over the interval, percent stalled: [some, full] system-wide and for the job's cgroup. */
  readonly psi?: readonly [number | null, number | null];
  readonly cgpsi?: readonly [number | null, number | null];
}

export interface GpuRecord {
  readonly type: 'gpu';
  readonly t: number;
  /** [index, used, total, util] per device; null where unknown. */
  readonly devices: readonly (readonly [number, number | null, number | null, number | null, string])[];
  /** [pid, device index, used] for processes of the monitored tree. */
  readonly procs?: readonly (readonly [number, number, number | null])[];
  /** The tree's GPU memory, where it came from, and what it holds outside torch's allocator (see `TreeGpu`). */
  readonly tree?: { readonly used: number; readonly src: 'nvidia-smi' | 'client'; readonly outside?: number };
}

export interface ExitRecord {
  readonly type: 'exit';
  readonly t: number;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
}

/** How the run ended, explained (src/engine/oom/endExplanation.ts). */
export interface EndRecord {
  readonly type: 'end';
  readonly t: number;
  readonly explanation: EndExplanation;
}

/** The guard acted: a threshold was crossed and the program was interrupted or paused. */
export interface GuardRecord extends GuardAction {
  readonly type: 'guard';
}

/**
 * Monitoring stopped while the program ran on (its window closed or reloaded): not an end. A
 * later window may resume the recording; it then writes a `gap`.
 */
export interface DetachRecord {
  readonly type: 'detach';
  readonly t: number;
  readonly reason: string;
}

/** Nothing was sampled or received from `from` to `to` (ms): the timeline marks it and draws no line across it. */
export interface GapRecord {
  readonly type: 'gap';
  /** When the gap was written (the resume). */
  readonly t: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

export type RecordingRecord = RecordingHeader | SampleRecord | GpuRecord | ExitRecord | EndRecord | GuardRecord | DetachRecord | GapRecord;

/** Anything found on a line: our own records, or protocol records, typed loosely. */
export type AnyRecord = { readonly type: string; readonly t?: number } & Record<string, unknown>;
