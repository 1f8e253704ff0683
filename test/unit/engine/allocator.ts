import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PYTHON = '/usr/bin/python3';

/** A real Python process that allocates on command (test/fixtures/procs/allocator.py). */
export class Allocator {
  readonly proc: ChildProcessWithoutNullStreams;
  private readonly replies: string[] = [];
  private waiters: ((line: string) => void)[] = [];

  constructor() {
    this.proc = spawn(PYTHON, ['-u', join(__dirname, '..', '..', 'fixtures', 'procs', 'allocator.py')]);
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.replies.push(l);
    });
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  /** Sends a command and resolves with the words after "ok". */
  async send(cmd: string): Promise<string[]> {
    this.proc.stdin.write(cmd + '\n');
    const line = this.replies.shift() ?? (await new Promise<string>((r) => this.waiters.push(r)));
    const [ok, ...rest] = line.split(' ');
    if (ok !== 'ok') throw new Error(`allocator answered ${line}`);
    return rest;
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin.end('exit\n');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await done;
    clearTimeout(t);
  }
}

export const MiB = 1 << 20;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
