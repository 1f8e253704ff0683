import { hostname } from 'node:os';
import type { HelloRecord } from '../../shared/protocol';
import type { ProtocolConnection } from '../protocol/listener';
import type { RecordingWriterOptions } from '../recording/recordingWriter';
import type { RemoteResumable } from './remoteResume';
import { isRank, programName } from './adoption';
import { RemoteRunSession } from './remoteRunSession';

/**
 * True when a hello comes from another machine: it names a host and that host is not this
 * one. Its pid is another kernel's, so it must never be adopted (or sampled) by pid here.
 * Python's `socket.gethostname()` and Node's `os.hostname()` both read uname's nodename, so
 * a program on this machine names the same host the editor does.
 */
export function isRemoteHello(hello: Pick<HelloRecord, 'host'>, localHost: string = hostname()): boolean {
  return typeof hello.host === 'string' && hello.host !== '' && hello.host !== localHost;
}

export interface RemoteRunsOptions {
  /** This machine's name (default: `os.hostname()`); tests name another. */
  readonly localHost?: string;
  /** A run whose last rank has gone ends this long after (a rank that reconnects in time rejoins it). */
  readonly graceMs?: number;
  /** A fresh session id. */
  readonly newId: () => string;
  /** A run was started for the first rank of a job: add it where sessions live. */
  readonly onStart: (s: RemoteRunSession) => void;
  /**
   * Where a new run (its id given, started for `first`) is recorded; not recorded when absent or
   * undefined. With `resume`, `first` was a process of that detached run: it goes on in its file.
   */
  readonly recording?: (id: string, first: { readonly program: string; readonly worldSize: number; readonly host: string; readonly pid: number }) =>
    | { readonly path: string; readonly options?: RecordingWriterOptions; readonly resume?: RemoteResumable }
    | undefined;
}

/**
 * Groups the processes of other machines into runs, one per job. The rule, kept simple so it
 * is predictable: a rank (WORLD_SIZE > 1) joins a live remote run of the same program and
 * WORLD_SIZE in which no connected process holds its RANK (two live rank 0s are two jobs);
 * otherwise it starts one. A process that is not a rank is a run of its own. A run ends
 * `graceMs` after its last process disconnected.
 */
export class RemoteRuns {
  private readonly runs = new Set<RemoteRunSession>();
  private readonly of = new Map<number, RemoteRunSession>();
  private readonly timers = new Map<RemoteRunSession, ReturnType<typeof setTimeout>>();
  readonly localHost: string;

  constructor(private readonly options: RemoteRunsOptions) {
    this.localHost = options.localHost ?? hostname();
  }

  /** Whether `c` comes from another machine (see `isRemoteHello`). */
  isRemote(c: ProtocolConnection): boolean {
    return isRemoteHello(c.hello, this.localHost);
  }

  /** The run `c` joins: an open one of its job, or a new one. */
  place(c: ProtocolConnection): RemoteRunSession {
    const known = this.of.get(c.id);
    if (known) return known;
    const h = c.hello;
    const program = programName(h.argv, h.pid);
    const worldSize = isRank(h) ? (h.world_size ?? h.local_world_size ?? 1) : 1;
    let run: RemoteRunSession | undefined;
    if (worldSize > 1) {
      for (const r of this.runs) {
        if (r.live && r.program === program && r.worldSize === worldSize && !r.holdsLiveRank(h.rank)) run = r;
      }
    }
    if (!run) {
      const id = this.options.newId();
      const host = (h.host ?? '?').slice(0, 255);
      run = new RemoteRunSession(id, program, worldSize, this.options.recording?.(id, { program, worldSize, host, pid: h.pid }));
      this.runs.add(run);
      run.onDidEnd(() => {
        this.runs.delete(run as RemoteRunSession);
        this.cancelEnd(run as RemoteRunSession);
      });
      run.join(c);
      this.options.onStart(run);
    } else {
      this.cancelEnd(run);
      run.join(c);
    }
    this.of.set(c.id, run);
    return run;
  }

  /** A connection closed (call after the router has let go of it); its run ends after the grace once empty. */
  disconnected(c: ProtocolConnection): void {
    const run = this.of.get(c.id);
    if (!run) return;
    this.of.delete(c.id);
    run.connections.delete(c);
    if (run.connections.size > 0 || !run.live) return;
    this.cancelEnd(run);
    const t = setTimeout(() => {
      this.timers.delete(run);
      if (run.connections.size === 0) run.end('every rank disconnected');
    }, this.options.graceMs ?? 5000);
    t.unref?.();
    this.timers.set(run, t);
  }

  /** Live remote runs. */
  all(): RemoteRunSession[] {
    return [...this.runs];
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.runs.clear();
    this.of.clear();
  }

  private cancelEnd(run: RemoteRunSession): void {
    const t = this.timers.get(run);
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(run);
  }
}
