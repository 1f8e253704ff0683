import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPrivate, currentUid, type Refusal } from './runtimeDir';

/** What a window publishes for programs started outside it (docs/connection.md). */
export interface ConnectionInfo {
  readonly v: 1;
  /** The listener, as HEADROOM_ADDR spells it. */
  readonly addr: string;
  /** The window token. */
  readonly token: string;
  /** Workspace folders, absolute, symbolic links resolved. */
  readonly folders: readonly string[];
  /** The extension host's pid: the file is stale once it is dead. */
  readonly pid: number;
  /** Seconds since the epoch. */
  readonly created: number;
  /** The bundled client's folder. */
  readonly python?: string;
}

export const connectionFileName = (pid: number): string => `window-${pid}.json`;
const FILE_PATTERN = /^window-\d+\.json$/;

/** True while `pid` runs (a process we may not signal still runs). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the window's file atomically (a temporary name, mode 0600, then a rename); returns its path. */
export function writeConnectionFile(dir: string, info: ConnectionInfo): string {
  const path = join(dir, connectionFileName(info.pid));
  const tmp = join(dir, `.${connectionFileName(info.pid)}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return path;
}

/** Checks a file before it is trusted: a regular file (not a link) of this user, closed to others. */
export function checkPrivateFile(path: string, uid: number | undefined = currentUid()): Refusal {
  return checkPrivate(path, 'file', uid);
}

/** A connection file read and validated; `refused` says why it cannot be used. */
export function readConnectionFile(path: string, uid: number | undefined = currentUid()): { info: ConnectionInfo } | { refused: string } {
  const refusal = checkPrivateFile(path, uid);
  if (refusal) return { refused: refusal };
  let text: string;
  try {
    // Read through the descriptor we checked, so a swap between check and read is caught.
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (uid !== undefined && (st.uid !== uid || (st.mode & 0o077) !== 0)) return { refused: `${path} changed while it was read` };
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { refused: `${path} cannot be read (${(e as Error).message})` };
  }
  let o: Partial<ConnectionInfo>;
  try {
    o = JSON.parse(text) as Partial<ConnectionInfo>;
  } catch {
    return { refused: `${path} is not JSON` };
  }
  if (!o || typeof o !== 'object' || Math.trunc(Number(o.v)) !== 1) return { refused: `${path} has an unknown format version ${JSON.stringify(o?.v)}` };
  if (typeof o.addr !== 'string' || typeof o.token !== 'string' || !Array.isArray(o.folders) || !o.folders.every((f) => typeof f === 'string') || !Number.isInteger(o.pid)) {
    return { refused: `${path} lacks addr, token, folders or pid` };
  }
  return { info: o as ConnectionInfo };
}

/**
 * Removes the files of windows that are gone (their pid is dead) from `dir`; files of other
 * users or with odd permissions are left alone and reported. Returns what it removed and refused.
 */
export function cleanStaleConnectionFiles(dir: string, uid: number | undefined = currentUid(), alive: (pid: number) => boolean = pidAlive): { removed: string[]; refused: string[] } {
  const removed: string[] = [];
  const refused: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { removed, refused };
  }
  for (const name of names) {
    if (!FILE_PATTERN.test(name)) continue;
    const path = join(dir, name);
    const r = readConnectionFile(path, uid);
    if ('refused' in r) {
      refused.push(r.refused);
      continue;
    }
    if (!alive(r.info.pid)) {
      rmSync(path, { force: true });
      removed.push(path);
    }
  }
  return { removed, refused };
}
