import type { ProtocolConnection } from '../protocol/listener';
import type { AllocationsRecord } from '../../shared/protocol';
import type { AllocationSites } from './allocations';

/** What to ask for besides the tracemalloc sites. */
export interface AllocationsRequest {
  /** Sites per snapshot, 1 to 500 (the client's default: 50). */
  readonly top?: number;
  /** Also the live tensors (PyTorch), and the CUDA allocator's sites in a program that uses CUDA. */
  readonly tensors?: boolean;
  readonly cuda?: boolean;
  /** A label for the snapshot, so later ones say what grew since it. */
  readonly label?: string;
}

/**
 * "Headroom: Show Allocation Sites": asks every connected process for a snapshot now (the
 * `allocations` control message). Returns the processes asked; their answers arrive as
 * `allocations` records with this `id`, which RecordIngest hands to its AllocationSites.
 */
export function requestAllocations(connections: Iterable<ProtocolConnection>, id: string, ask: AllocationsRequest = {}): number[] {
  const asked: number[] = [];
  for (const c of connections) {
    if (c.send({ v: 1, type: 'allocations', id, ...ask })) asked.push(c.hello.pid);
  }
  return asked;
}

/**
 * Resolves with the tracemalloc answers to request `id` from `pids` (or those that came within
 * `timeoutMs`: a program busy in native code answers when it next runs Python).
 */
export function answersTo(sites: AllocationSites, id: string, pids: readonly number[], timeoutMs = 15_000): Promise<AllocationsRecord[]> {
  return new Promise((resolve) => {
    const got = new Map<number, AllocationsRecord>();
    const finish = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve([...got.values()]);
    };
    const timer = setTimeout(finish, timeoutMs);
    const sub = sites.onDidAdd((r) => {
      if (r.id !== id || r.source !== 'tracemalloc' || !pids.includes(r.pid)) return;
      got.set(r.pid, r);
      if (got.size === pids.length) finish();
    });
    if (pids.length === 0) finish();
  });
}
