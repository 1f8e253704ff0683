// Whether a recording left by an earlier window is a run that still goes on: the check a
// reloaded window makes before it resumes the run in the same recording (resumeSessions.ts).
// Bounded work: the first line and the last MiB of each file, nothing in between.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { RecordingHeader } from '../../engine/recording/format';

/** How much of a recording's end is read for its last records. */
const TAIL_BYTES = 1 << 20;
/** The recorder's own records, whose `t` is in milliseconds. */
const TIMED = new Set(['sample', 'gpu', 'guard', 'detach', 'gap']);
/** A header line is small; a longer first line is not one of ours. */
const HEADER_BYTES = 64 * 1024;

export interface ResumeCandidate {
  readonly path: string;
  readonly header: RecordingHeader;
  /** The time of the newest record (ms): where the gap starts. */
  readonly lastT: number;
  /** False when the file ends inside a line (the host was killed mid-write). */
  readonly endsWithNewline: boolean;
  /** True when its last record says a closing window let go of it; false after a killed host. */
  readonly detached: boolean;
}

export interface ResumeCheck {
  readonly host: string;
  readonly now: number;
  /** Recordings written to longer ago than this are not looked at. */
  readonly maxAgeMs: number;
  readonly alive: (pid: number) => boolean;
  /** When `pid` started (ms since the epoch), where the platform says; undefined otherwise. */
  readonly startedAt?: (pid: number) => number | undefined;
}

/** The candidate, or why the recording is not one (`old`, `host`, `ended`, ...). */
export function resumeCandidate(path: string, check: ResumeCheck): { candidate?: ResumeCandidate; why?: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { why: 'missing' };
  }
  try {
    const st = fstatSync(fd);
    if (check.now - st.mtimeMs > check.maxAgeMs) return { why: 'old' };
    const head = readAt(fd, 0, Math.min(HEADER_BYTES, st.size));
    const nl = head.indexOf('\n');
    const header = parseHeader(nl >= 0 ? head.slice(0, nl) : head);
    if (!header) return { why: 'not a recording' };
    if (header.host !== check.host) return { why: 'host' };
    const root = header.rootPid;
    if (!(root > 0) || !check.alive(root)) return { why: 'root gone' };
    // A pid that came back as another process started after the recording did.
    const started = check.startedAt?.(root);
    if (started !== undefined && started > header.created + 5000) return { why: 'pid reused' };
    const from = Math.max(0, st.size - TAIL_BYTES);
    const tail = readAt(fd, from, st.size - from);
    const last = scanTail(tail, from > 0);
    if (last.ended) return { why: 'ended' };
    return { candidate: { path, header, lastT: last.lastT ?? header.created, endsWithNewline: tail.endsWith('\n') || st.size === 0, detached: last.detached } };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n).toString('utf8');
}

function parseHeader(line: string): RecordingHeader | undefined {
  try {
    const h = JSON.parse(line) as Partial<RecordingHeader>;
    if (h?.type !== 'recording' || typeof h.rootPid !== 'number' || typeof h.created !== 'number') return undefined;
    return h as RecordingHeader;
  } catch {
    return undefined;
  }
}

/** The last records' facts: an `end` or `exit` among them, a final `detach`, the newest time. */
export function scanTail(text: string, cutAtStart: boolean): { ended: boolean; detached: boolean; lastT?: number } {
  const lines = text.split('\n');
  if (cutAtStart) lines.shift(); // the first line of a tail read is part of a line
  let ended = false;
  let detached = false;
  let lastT: number | undefined;
  for (const line of lines) {
    if (!line) continue;
    let r: { type?: unknown; t?: unknown };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      continue; // a line cut by a killed writer
    }
    if (r.type === 'end' || r.type === 'exit') ended = true;
    if (typeof r.type === 'string' && TIMED.has(r.type)) detached = r.type === 'detach';
    // The program's own records count time in seconds: only the recorder's (ms) place the gap.
    if (typeof r.t === 'number' && Number.isFinite(r.t) && typeof r.type === 'string' && TIMED.has(r.type)) lastT = Math.max(lastT ?? r.t, r.t);
  }
  return { ended, detached, lastT };
}

/** When a Linux process started (ms since the epoch), from /proc; undefined elsewhere or when unreadable. */
export function linuxStartedAt(pid: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces and parentheses): the 22nd field overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime || !Number.isFinite(ticks)) return undefined;
    return Number(btime[1]) * 1000 + ticks * 10; // USER_HZ is 100 on every Linux this runs on
  } catch {
    return undefined;
  }
}
