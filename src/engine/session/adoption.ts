import { isAbsolute, resolve } from 'node:path';
import type { HelloRecord } from '../../shared/protocol';
import type { MonitoringSession } from './monitoringSession';

/** What to do with a program that connected with the window token. */
export type Adoption =
  | { readonly join: MonitoringSession }
  | { readonly start: { readonly rootPid: number; readonly name: string; readonly command: readonly string[]; readonly programFile?: string } };

/** The hello's launch fields (RANK, WORLD_SIZE and their local forms). */
type LaunchHello = HelloRecord & { readonly local_world_size?: number; readonly local_rank?: number };

/** True for a rank of a distributed launch (torchrun, accelerate, deepspeed set these). */
export function isRank(hello: LaunchHello): boolean {
  return (hello.world_size ?? 0) > 1 || (hello.local_world_size ?? 0) > 1;
}

/** A session's name from the program's argv: its script's file name, else the command. */
export function programName(argv: readonly string[] | undefined, pid: number): string {
  const first = argv?.find((a) => a !== '' && a !== '-c' && a !== '-m') ?? '';
  const base = first.split(/[\\/]/).pop() ?? '';
  // A notebook's kernel runs ipykernel's launcher: say what it is, not the launcher's file name.
  if (/^ipykernel(_launcher)?(\.py)?$/.test(base)) return 'Jupyter kernel';
  return base || `pid ${pid}`;
}

/**
 * The script a Python program runs, from its sys.argv and working directory: what "Open File"
 * opens. Undefined for `-c` code and for anything that is not a .py file.
 */
export function programFileOf(argv: readonly string[] | undefined, cwd: string | undefined): string | undefined {
  const first = argv?.[0];
  if (!first || !/\.pyw?$/i.test(first)) return undefined;
  if (isAbsolute(first)) return first;
  return cwd && isAbsolute(cwd) ? resolve(cwd, first) : undefined;
}

/** Whether `pid` is the root of `s` or in its last sampled tree. */
function holds(s: MonitoringSession, pid: number | undefined): boolean {
  if (pid === undefined || pid <= 0) return false;
  if (s.rootPid === pid) return true;
  return s.monitor?.last?.tree.processes.some((p) => p.pid === pid) ?? false;
}

/**
 * Where a self-reporting program belongs. A process already in a live session's tree, or
 * whose parent is (a forked child, a DataLoader worker, the second rank of a launch), joins
 * it. Otherwise it starts a session: rooted at itself, or for a rank at its launcher (the
 * parent), so every rank of one launch lands in one session with the launcher's tree sampled.
 */
export function adoptionOf(hello: LaunchHello, live: readonly MonitoringSession[]): Adoption {
  const owner = live.find((s) => s.live && (holds(s, hello.pid) || holds(s, hello.ppid)));
  if (owner) return { join: owner };
  const rank = isRank(hello) && hello.ppid !== undefined && hello.ppid > 1;
  const name = programName(hello.argv, hello.pid);
  return {
    start: {
      rootPid: rank ? (hello.ppid as number) : hello.pid,
      name: rank ? `${name} (${hello.world_size ?? hello.local_world_size} ranks)` : name,
      command: hello.argv ?? [],
      programFile: programFileOf(hello.argv, hello.cwd),
    },
  };
}
