import { randomBytes } from 'node:crypto';
import { formatBytes, formatDuration, type Units } from '../../shared/format';
import type { CleanupResultRecord } from '../../shared/protocol';
import type { DebugTracking } from '../debug/debugTracking';
import type { MonitoringSession } from '../../engine/session/monitoringSession';

/** `Freed 1.8 GB RSS, 3.1 GB CUDA reserved in 0.12 s` (summed over the processes that answered). */
export function describeCleanup(results: readonly Pick<CleanupResultRecord, 'rss' | 'devices' | 'duration'>[], units: Units): string {
  const rss = results.reduce((a, r) => a + r.rss.freed, 0);
  const byDevice = new Map<string, number>();
  for (const r of results) {
    for (const d of r.devices ?? []) {
      const name = d.kind === 'cuda' ? `CUDA ${d.field}` : d.kind === 'mps' ? `MPS ${d.field}` : `MLX ${d.field}`;
      byDevice.set(name, (byDevice.get(name) ?? 0) + d.freed);
    }
  }
  const parts = [`${formatBytes(rss, units)} RSS`];
  for (const [name, freed] of byDevice) if (freed > 0) parts.push(`${formatBytes(freed, units)} ${name}`);
  const dur = Math.max(0, ...results.map((r) => r.duration));
  return `Freed ${parts.join(', ')} in ${formatDuration(dur)}`;
}

/** Python evaluated in a paused frame: gc, malloc_trim, and framework caches if loaded. */
export const PAUSED_CLEANUP_EXPRESSION = [
  '(lambda gc, sys, ct: (',
  'gc.collect(),',
  "(ct.CDLL('libc.so.6').malloc_trim(0) if sys.platform.startswith('linux') else None),",
  "(sys.modules['torch'].cuda.empty_cache() if 'torch' in sys.modules and sys.modules['torch'].cuda.is_initialized() else None),",
  "(sys.modules['torch'].mps.empty_cache() if 'torch' in sys.modules and hasattr(sys.modules['torch'], 'mps') and sys.modules['torch'].backends.mps.is_available() else None),",
  "((getattr(sys.modules['mlx.core'], 'clear_cache', None) or sys.modules['mlx.core'].metal.clear_cache)() if 'mlx.core' in sys.modules else None),",
  "'headroom cleanup done'))(__import__('gc'), __import__('sys'), __import__('ctypes'))",
].join('');

export interface CleanupOutcome {
  readonly message: string;
  readonly freedRss?: number;
  readonly ok: boolean;
}

/**
 * Force Cleanup for a session: in a paused Python debuggee, evaluated in the paused frame (its
 * client's threads are paused with it); else through the connected client; else an exact reason.
 */
export async function forceCleanup(session: MonitoringSession | undefined, debug: DebugTracking, units: Units): Promise<CleanupOutcome> {
  if (!session) return { ok: false, message: 'Headroom is not monitoring anything. Run or debug a program with Headroom first.' };
  if (!session.live) return { ok: false, message: `The session "${session.name}" has ended: there is no process to clean up.` };
  // Paused in the debugger, the client's threads are paused too: run it in the paused frame.
  const paused = debug.pausedFor(session);
  if (paused && /python|debugpy/.test(paused.session.type)) {
    const before = session.monitor?.tick().tree.rss ?? 0;
    const trace = (await paused.session.customRequest('stackTrace', { threadId: paused.threadId, startFrame: 0, levels: 1 })) as { stackFrames: { id: number }[] };
    const frameId = trace.stackFrames[0]?.id;
    await paused.session.customRequest('evaluate', { expression: PAUSED_CLEANUP_EXPRESSION, frameId, context: 'repl' });
    const after = session.monitor?.tick().tree.rss ?? before;
    const freed = Math.max(0, before - after);
    const message = `Freed ${formatBytes(freed, units)} RSS (evaluated in the paused frame)`;
    session.store.events.add({ t: Date.now(), kind: 'cleanup', label: message, data: { freed } });
    return { ok: true, message, freedRss: freed };
  }
  if (session.connections.size > 0) {
    const id = randomBytes(6).toString('hex');
    const before = session.monitor?.last?.tree.rss;
    const results = await session.requestCleanup(id);
    if (results.length === 0) return { ok: false, message: 'The program did not answer the cleanup request within 15 s (is it blocked in native code?).' };
    const message = describeCleanup(results, units);
    const freed = results.reduce((a, r) => a + r.rss.freed, 0);
    session.store.events.add({ t: Date.now(), kind: 'cleanup', label: message, data: { freed, before, results: results.length } });
    return { ok: true, message, freedRss: freed };
  }
  if (debug.isDebugged(session)) {
    return { ok: false, message: 'Pause the program in the debugger (or import headroom in it) to run a cleanup inside it: Headroom can only act inside the process.' };
  }
  return {
    ok: false,
    message: 'This process has no Headroom client connected, so nothing can run inside it. Run it with "Headroom: Run Python File with Headroom" or add `import headroom` to it (the client ships with the extension).',
  };
}
