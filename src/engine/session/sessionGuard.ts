import type { Units } from '../../shared/format';
import type { MonitorTick } from '../monitor';
import type { ProtocolConnection } from '../protocol/listener';
import type { TreeSample } from '../sampling/types';
import { Guard, guardActionText, guardGauges, type GuardAction, type GuardDecision, type GuardMode, type GuardOptions } from './guard';
import type { MonitoringSession } from './monitoringSession';

export interface SessionGuardOptions extends GuardOptions {
  readonly mode: GuardMode;
  /** Units of the action's log line. */
  readonly units?: Units;
  /**
   * The host's own action for a decision (the editor asks its debug adapter to pause). Without
   * it, `interrupt` interrupts the tree (`interruptTree`) and `pause` does nothing.
   */
  readonly act?: (d: GuardDecision, tree: TreeSample) => Pick<GuardAction, 'how' | 'pids'>;
  /** Told of each action after it was recorded. */
  readonly onAction?: (a: GuardAction) => void;
}

/**
 * The processes an interrupt goes to: those of the tree with a client connection whose
 * ancestors in the tree have none (the program, or each rank of a launch; never their
 * DataLoader workers, whose loop the program's own interrupt ends).
 */
export function interruptTargets(processes: readonly { pid: number; ppid: number }[], connected: ReadonlySet<number>): number[] {
  const parent = new Map(processes.map((p) => [p.pid, p.ppid]));
  const out: number[] = [];
  for (const p of processes) {
    if (!connected.has(p.pid)) continue;
    let up = parent.get(p.pid);
    let covered = false;
    for (let hops = 0; up !== undefined && hops < processes.length; hops++) {
      if (connected.has(up)) {
        covered = true;
        break;
      }
      up = parent.get(up);
    }
    if (!covered) out.push(p.pid);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Asks the program to stop cleanly: a control `interrupt` to the client of each target
 * process (it raises KeyboardInterrupt in its main thread); with no client connected, SIGINT
 * to the root. Only processes of `tree` are ever acted on.
 */
export function interruptTree(session: MonitoringSession, tree: TreeSample, reason: string): Pick<GuardAction, 'how' | 'pids'> {
  const inTree = new Set(tree.processes.map((p) => p.pid));
  const byPid = new Map<number, ProtocolConnection[]>();
  for (const c of session.connections) {
    if (!inTree.has(c.hello.pid)) continue;
    byPid.set(c.hello.pid, [...(byPid.get(c.hello.pid) ?? []), c]);
  }
  const sent: number[] = [];
  const id = `guard-${tree.t}`;
  for (const pid of interruptTargets(tree.processes, new Set(byPid.keys()))) {
    if ((byPid.get(pid) ?? []).some((c) => c.send({ v: 1, type: 'interrupt', id, reason }))) sent.push(pid);
  }
  if (sent.length) return { how: 'client', pids: sent };
  if (tree.rootAlive && inTree.has(tree.rootPid)) {
    try {
      process.kill(tree.rootPid, 'SIGINT');
      return { how: 'signal', pids: [tree.rootPid] };
    } catch {
      /* it exited between the sample and the signal: nothing left to stop */
    }
  }
  return { how: 'none', pids: [] };
}

/**
 * Runs a `Guard` on a live session: feeds it each tick, acts once per crossing, and records
 * the action (a `guard` record in the recording, an `alert` event in the store with
 * `data.alert = 'guard'`) so the timeline can mark it.
 */
export class SessionGuard {
  private readonly guard: Guard;
  private readonly sub: { dispose(): void } | undefined;
  /** Every action so far, in order. */
  readonly actions: GuardAction[] = [];

  constructor(
    private readonly session: MonitoringSession,
    private readonly options: SessionGuardOptions,
  ) {
    this.guard = new Guard(options.mode);
    this.sub = options.mode === 'off' ? undefined : session.monitor?.onTick((t) => this.onTick(t));
  }

  dispose(): void {
    this.sub?.dispose();
  }

  private onTick(t: MonitorTick): void {
    if (!t.tree.rootAlive) return;
    const d = this.guard.feed(t.tree.t, guardGauges(t, this.options));
    if (!d) return;
    const reason = `Headroom guard: ${d.gauge.label} threshold crossed`;
    const done = this.options.act ? this.options.act(d, t.tree) : d.mode === 'interrupt' ? interruptTree(this.session, t.tree, reason) : { how: 'none' as const, pids: [] };
    const action: GuardAction = { ...d, ...done, text: guardActionText({ ...d, ...done }, this.options.units) };
    this.actions.push(action);
    this.session.monitor?.record({ type: 'guard', ...action });
    this.session.store.events.add({ t: d.t, kind: 'alert', label: action.text, pid: action.pids[0], data: { alert: 'guard', ...action } });
    this.options.onAction?.(action);
  }
}
