// What a notebook cell's status bar item says about its runs: pure, so it is unit-tested.
// Figures come from the kernel; the preview and error are its untrusted text: plain, defused.
import type { CellRun } from '../../engine/session/cellRuns';
import { formatBytes, formatDuration, plainLabel, type Units } from '../../shared/format';

/** Runs listed in a cell's tooltip, newest first. */
export const HISTORY_ROWS = 10;

/**
 * `+1.20 GB · peak +3.40 GB · CUDA +800 MB · 2.10 s` for the cell's last run (the peak as its
 * climb above where the cell started); `running…` while it runs; `⚠` when it raised; `(before
 * edit)` when the cell's text has changed since.
 */
export function cellItemText(run: CellRun, units: Units, edited: boolean): string {
  if (run.tEnd === undefined) return '$(loading~spin) running…';
  const parts: string[] = [];
  if (run.delta !== undefined) parts.push(formatBytes(run.delta, units, true));
  else if (run.rss !== undefined) parts.push(`RSS ${formatBytes(run.rss, units)}`);
  const above = run.peak !== undefined ? run.peak - run.rssStart : undefined;
  if (above !== undefined && above > Math.max(0, run.delta ?? 0)) parts.push(`peak ${formatBytes(above, units, true)}`);
  if (run.cudaDelta !== undefined && run.cudaDelta !== 0) parts.push(`CUDA ${formatBytes(run.cudaDelta, units, true)}`);
  if (run.duration !== undefined) parts.push(formatDuration(run.duration));
  return `${run.error ? '$(warning) ' : ''}${parts.join(' · ')}${edited ? ' (before edit)' : ''}`;
}

/** The tooltip: every run of the cell it holds, newest first, as a plain-text table. */
export function cellHistory(runs: readonly CellRun[], units: Units): string {
  const rows = runs
    .slice(-HISTORY_ROWS)
    .reverse()
    .map((r) => {
      const count = r.cell.count === undefined ? '' : `[${r.cell.count}]`;
      const delta = r.delta !== undefined ? formatBytes(r.delta, units, true) : '?';
      const peak = r.peak !== undefined ? formatBytes(r.peak, units) : '?';
      const dur = r.duration !== undefined ? formatDuration(r.duration) : 'running';
      const err = r.error ? `  ${plainLabel(r.error, 60)}` : '';
      return `${count.padStart(6)} ${delta.padStart(10)} ${peak.padStart(10)} ${dur.padStart(10)}${err}`;
    });
  const head = `${'run'.padStart(6)} ${'RSS Δ'.padStart(10)} ${'peak RSS'.padStart(10)} ${'time'.padStart(10)}`;
  const more = runs.length > HISTORY_ROWS ? [`… and ${runs.length - HISTORY_ROWS} earlier runs`] : [];
  // A code block keeps it aligned; no backtick from a program survives to close the fence.
  return [head, ...rows, ...more].join('\n').replace(/`/g, 'ˋ');
}
