import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcCgroup } from '../../src/engine/sampling/procfsParsers';

/** A real memory cgroup made for a test under this process's own, with a limit and no swap. */
export interface TestCgroup {
  readonly dir: string;
  readonly version: 1 | 2;
  /** The file a program writes its pid to, to enter the cgroup. */
  readonly procs: string;
  /** The OOM kill count of the cgroup's own counter file. */
  oomKills(): number;
  /** Removes it: kills what is left in it (only processes of this test are), then rmdir, retried. */
  remove(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes `headroom-test-<pid>-<n>` under this process's memory cgroup (v1 `memory.limit_in_bytes`
 * and `memory.memsw.limit_in_bytes`, or v2 `memory.max` and `memory.swap.max = 0`). Throws a
 * clear reason when it cannot (not root, no memory controller here): a test that needs a
 * real cgroup fails then, it does not skip.
 */
export function makeTestCgroup(limitBytes: number, n: number): TestCgroup {
  const m = parseProcCgroup(readFileSync('/proc/self/cgroup', 'latin1'));
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && m.unified !== undefined;
  let base: string;
  if (v2) base = join('/sys/fs/cgroup', m.unified as string);
  else if (m.memoryV1 !== undefined) base = join('/sys/fs/cgroup/memory', m.memoryV1);
  else throw new Error('no memory cgroup controller for this process (neither v1 memory nor a v2 hierarchy at /sys/fs/cgroup): these tests need one');
  const dir = join(base, `headroom-test-${process.pid}-${n}`);
  try {
    mkdirSync(dir);
    if (v2) {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      // Without swap accounting a job can swap instead of being killed; with it, memory+swap gets the same limit.
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
    }
  } catch (e) {
    try {
      rmdirSync(dir);
    } catch {
      /* never made */
    }
    throw new Error(`cannot make a memory cgroup with a limit at ${dir}: ${(e as Error).message}. These tests need root (or a delegated memory controller) to put a program in a cgroup of its own.`);
  }
  const counter = join(dir, v2 ? 'memory.events' : 'memory.oom_control');
  return {
    dir,
    version: v2 ? 2 : 1,
    procs: join(dir, 'cgroup.procs'),
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(readFileSync(counter, 'latin1'))?.[1] ?? NaN),
    remove: async () => {
      for (let i = 0; i < 40; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch {
          for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'latin1').split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
          await sleep(50);
        }
      }
      throw new Error(`could not remove the test cgroup ${dir}`);
    },
  };
}
