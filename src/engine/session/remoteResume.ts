// A window reload while ranks of other machines report: the closing window writes a `detach`
// naming the run's processes (host and pid) and hosts in order; the next window, when one of
// those processes reconnects (the client retries its address), continues the same recording
// and timeline with a gap, instead of starting a run of its own. docs/connection.md.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A detached remote run that a reconnecting process may resume. */
export interface RemoteResumable {
  readonly path: string;
  readonly program: string;
  readonly worldSize: number;
  /** Hosts in the order the run first saw them: their pid ranges (`globalPid`) depend on it. */
  readonly hosts: readonly string[];
  /** The run's processes, `[host, pid]`, as the detach record lists them. */
  readonly members: readonly (readonly [string, number])[];
  /** When the old window let go (ms): where the gap starts. */
  readonly detachedAt: number;
}

/** The detach record of a remote run: a plain detach plus what a resume needs. */
export interface RemoteDetachRecord {
  readonly type: 'detach';
  readonly t: number;
  readonly reason: string;
  readonly program: string;
  readonly worldSize: number;
  readonly hosts: readonly string[];
  readonly members: readonly (readonly [string, number])[];
}

export const memberKey = (host: string, pid: number): string => `${host} ${pid}`;

/** Whether a process (its hello's program, WORLD_SIZE, host and pid) was one of `r`'s. */
export function resumes(r: RemoteResumable, program: string, worldSize: number, host: string, pid: number): boolean {
  return r.program === program && r.worldSize === worldSize && r.members.some(([h, p]) => h === host && p === pid);
}

/** Remote recordings are named `<time>-remote-<id>.ndjson` in the window's recordings folder. */
const REMOTE_NAME = /-remote-[^/\\]*\.ndjson$/;
const TAIL_BYTES = 64 * 1024;

/**
 * The remote runs in `dir` that a closing window detached less than `maxAgeMs` ago: files
 * whose last line is a detach naming their processes. Bounded work: a directory listing and
 * the last 64 KiB of each such file; unreadable files are skipped.
 */
export function findRemoteResumables(dir: string, now: number, maxAgeMs: number): RemoteResumable[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => REMOTE_NAME.test(n));
  } catch {
    return [];
  }
  const out: RemoteResumable[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      const st = statSync(path);
      if (!st.isFile() || now - st.mtimeMs > maxAgeMs) continue;
      const d = lastDetach(path, st.size);
      if (!d || now - d.t > maxAgeMs) continue;
      out.push({ path, program: d.program, worldSize: d.worldSize, hosts: d.hosts, members: d.members, detachedAt: d.t });
    } catch {
      continue;
    }
  }
  return out;
}

/** The file's last line as a remote detach record, if it is one. */
function lastDetach(path: string, size: number): RemoteDetachRecord | undefined {
  const from = Math.max(0, size - TAIL_BYTES);
  const buf = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  const lines = buf.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  try {
    const r = JSON.parse(lines[lines.length - 1] ?? '') as Partial<RemoteDetachRecord>;
    const ok =
      r?.type === 'detach' &&
      typeof r.t === 'number' &&
      typeof r.program === 'string' &&
      Number.isInteger(r.worldSize) &&
      Array.isArray(r.hosts) &&
      r.hosts.every((h) => typeof h === 'string') &&
      Array.isArray(r.members) &&
      r.members.every((m) => Array.isArray(m) && typeof m[0] === 'string' && Number.isInteger(m[1]));
    return ok ? (r as RemoteDetachRecord) : undefined;
  } catch {
    return undefined;
  }
}
