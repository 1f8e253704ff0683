import type { MonitorTick } from '../engine/monitor';
import type { MonitoringSession } from '../engine/session/monitoringSession';
import { SeriesName } from '../engine/store/memoryStore';
import { formatBytes, formatPercent, plainLabel, type Units } from '../shared/format';
import { BottomLine, freshLineSequence, type TerminalSize } from './bottomLine';

/** What the live status writes to: process.stderr, or a stand-in in tests. */
export interface StatusStream {
  readonly isTTY?: boolean;
  readonly rows?: number;
  readonly columns?: number;
  /** The size asked of the terminal now (tty.WriteStream); `rows`/`columns` change only once the SIGWINCH handler ran. */
  getWindowSize?(): [number, number];
  write(s: string): boolean;
  on(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
  off(event: 'resize' | 'error', listener: (...args: unknown[]) => void): unknown;
}

/** Redraws at most this often: the figures are read by a person, and each draw is a write between the program's. */
const DRAW_MS = 250;

/** `[headroom] RSS 1.20 GB | peak 2.00 GB | system 41% | last: after forward` */
export function statusText(t: MonitorTick, peak: number, units: Units, last: { readonly label?: string; readonly line?: number } | undefined): string {
  const parts = [`[headroom] RSS ${formatBytes(t.tree.rss, units)}`, `peak ${formatBytes(peak, units)}`];
  if (t.system && t.system.total > 0) parts.push(`system ${formatPercent((100 * t.system.used) / t.system.total)}`);
  const where = last?.label ?? (last?.line !== undefined ? `line ${last.line}` : undefined);
  if (where) parts.push(`last: ${plainLabel(where, 40)}`);
  return parts.join(' | ');
}

/**
 * The live status of `headroom run`, on the terminal's bottom row below the program's output
 * (`BottomLine`), redrawn on resize. None when stderr is not a terminal (CI logs get the
 * summary and no escape codes) or with `--quiet`. The screen is given back when the run ends,
 * at Ctrl-Z (and taken again at `fg`), at Ctrl-\ and at any exit of this process, crashes
 * included; only SIGKILL can leave the region behind.
 */
export function liveStatus(session: MonitoringSession, units: Units, quiet: boolean, stream: StatusStream = process.stderr, env: NodeJS.ProcessEnv = process.env): { dispose(): void } {
  const monitor = session.monitor;
  if (!stream.isTTY) return { dispose: () => undefined };
  const size = (): TerminalSize => {
    try {
      const ws = stream.getWindowSize?.();
      if (ws) return { rows: ws[1], cols: ws[0] };
    } catch {
      // not a terminal any more: the cached size, and the next write finds out
    }
    return { rows: stream.rows ?? 0, cols: stream.columns ?? 0 };
  };
  // Whatever is written after the run starts on a line of its own, quiet or not.
  const freshLine = () => {
    if ((stream.columns ?? 0) > 0) write(freshLineSequence(stream.columns as number));
  };
  let broken = false;
  const write = (s: string) => {
    if (broken) return;
    try {
      stream.write(s);
    } catch {
      broken = true; // the terminal went away (EIO after a hangup): nothing left to draw on
    }
  };
  if (quiet || !monitor || env.TERM === 'dumb') return { dispose: freshLine };

  const line = new BottomLine(write);
  const store = session.store;
  let lastDraw = 0;
  const sub = monitor.onTick((t) => {
    const now = Date.now();
    if (now - lastDraw < DRAW_MS) return;
    lastDraw = now;
    // A draw with the size from before a resize whose signal is not handled yet (a busy event
    // loop) would put the status on a row that is no longer the bottom one: ask the terminal.
    const current = size();
    if (line.active && !line.isSize(current)) line.resize(current);
    const peak = store.get(SeriesName.treeRss)?.max ?? t.tree.rss;
    line.draw(statusText(t, peak, units, session.ingest.lastCheckpoint));
  });
  const onResize = () => (line.active ? line.resize(size()) : line.start(size()));
  const onError = () => {
    broken = true;
  };
  const onExit = () => line.stop();
  // Ctrl-Z stops the program (it got SIGTSTP too) and gives the shell its terminal: give the
  // whole screen back before stopping; take the bottom row again when resumed.
  const onStop = () => {
    line.stop();
    process.kill(process.pid, 'SIGSTOP');
  };
  const onCont = () => line.start(size());
  // Ctrl-\ ends this process at once (no summary): give the screen back, then die of it.
  const onQuit = () => {
    line.stop();
    process.off('SIGQUIT', onQuit);
    process.kill(process.pid, 'SIGQUIT');
  };
  stream.on('resize', onResize);
  stream.on('error', onError);
  process.on('exit', onExit);
  process.on('SIGTSTP', onStop);
  process.on('SIGCONT', onCont);
  process.on('SIGQUIT', onQuit);
  line.start(size());
  return {
    dispose: () => {
      sub.dispose();
      line.stop();
      stream.off('resize', onResize);
      stream.off('error', onError);
      process.off('exit', onExit);
      process.off('SIGTSTP', onStop);
      process.off('SIGCONT', onCont);
      process.off('SIGQUIT', onQuit);
      freshLine();
    },
  };
}
