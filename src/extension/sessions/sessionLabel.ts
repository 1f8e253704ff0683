// How a session is named wherever the user meets it (status bar, CodeLens hover, the Headroom
// view, notifications): one place, so they all say the same. Names come from programs and
// paths: defused with plainLabel, never markup.
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { plainLabel } from '../../shared/format';

/** A session's name; a recording's as it was recorded (its header's name), else its file's name. */
export function shortName(s: Pick<MonitoringSession, 'name' | 'source'> & { readonly recordedName?: string }): string {
  if (s.source !== 'recording') return s.name;
  return s.recordedName || (s.name.split(/[\\/]/).pop() ?? s.name);
}

/** `train.py (pid 4242, running)`, `train.py (pid 4242, exited with code 1)`, `run.ndjson (recording)`. */
export function sessionTitle(s: Pick<MonitoringSession, 'name' | 'source' | 'rootPid' | 'live' | 'exitDescription'> & { readonly recordedName?: string }): string {
  const name = plainLabel(shortName(s), 60);
  if (s.source === 'recording') return `${name} (recording)`;
  // A run of another machine's ranks (rootPid 0) has no local pid to show.
  return `${name} (${s.rootPid > 0 ? `pid ${s.rootPid}, ` : ''}${s.live ? 'running' : (s.exitDescription ?? 'ended')})`;
}

/** How a run ended, in a row's few characters (the tooltip has the whole sentence). */
export function shortExit(description: string | undefined): string {
  if (!description) return 'ended';
  const code = /exited with code (-?\d+)/.exec(description);
  if (code) return code[1] === '0' ? 'done' : `exit ${code[1]}`;
  const signal = /killed by (\w+)/.exec(description);
  if (signal) return `killed (${signal[1]})`;
  if (/^stopped/.test(description)) return 'stopped';
  return description.length > 24 ? `${description.slice(0, 23)}…` : description;
}
