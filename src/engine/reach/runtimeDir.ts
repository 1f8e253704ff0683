import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Why a folder or file cannot be trusted, for the log; undefined when it can. */
export type Refusal = string | undefined;

/**
 * The private folder that holds the windows' connection files (docs/connection.md):
 * `$HEADROOM_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/headroom`, else a folder under the home.
 */
export function runtimeDirPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.HEADROOM_RUNTIME_DIR) return env.HEADROOM_RUNTIME_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'headroom', 'runtime');
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'headroom');
  return join(home, '.local', 'share', 'headroom', 'runtime');
}

/** The user id files must belong to; undefined on Windows, where the profile's ACLs keep them private. */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * Whether `path` is a `kind` only this user can use: not a symbolic link, owned by `uid`,
 * with no permission bits for group or others. POSIX only: on Windows the ownership checks pass.
 */
export function checkPrivate(path: string, kind: 'folder' | 'file', uid: number | undefined = currentUid()): Refusal {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    return `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (st.isSymbolicLink()) return `${path} is a symbolic link`;
  if (kind === 'folder' ? !st.isDirectory() : !st.isFile()) return `${path} is not ${kind === 'folder' ? 'a folder' : 'a regular file'}`;
  if (uid === undefined) return undefined;
  if (st.uid !== uid) return `${path} belongs to user ${st.uid}, not ${uid}`;
  if ((st.mode & 0o077) !== 0) return `${path} is open to other users (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

/** Whether `path` is a real directory only this user can use. */
export function checkPrivateDir(path: string, uid: number | undefined = currentUid()): Refusal {
  return checkPrivate(path, 'folder', uid);
}

/** Makes the runtime folder (0700) if it is missing, then checks it; a refusal says why it cannot be used. */
export function ensureRuntimeDir(path: string, uid: number | undefined = currentUid()): Refusal {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (e) {
    return `${path} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const refusal = checkPrivateDir(path, uid);
  // A folder we own that is merely too open (an old umask) is ours to close; anything else is refused.
  if (refusal && uid !== undefined && /open to other users/.test(refusal)) {
    try {
      chmodSync(path, 0o700);
    } catch {
      return refusal;
    }
    return checkPrivateDir(path, uid);
  }
  return refusal;
}
