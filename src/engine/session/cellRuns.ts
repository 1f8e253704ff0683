import { createHash } from 'node:crypto';
import type { NotebookCell, RegionEndRecord, RegionStartRecord } from '../../shared/protocol';
import { cudaReserved } from './deviceSeries';

/** Runs kept per ingest; a notebook session rarely has more, and the oldest go first. */
const MAX_RUNS = 10_000;

/** One run of a notebook cell, as the kernel reported it (times in ms, memory in bytes). */
export interface CellRun {
  readonly pid: number;
  /** The run's region id in its process. */
  readonly region: number;
  /** The cell as its start said, then as its end said. */
  cell: NotebookCell;
  readonly label: string;
  /** Start; end once it ended (undefined while the cell runs). */
  readonly t: number;
  tEnd?: number;
  /** The name the cell's code was compiled as (ipykernel: `<tmp>/ipykernel_<pid>/<murmur2>.py`); known at the end. */
  file?: string;
  readonly rssStart: number;
  /** CUDA reserved at the start; undefined without CUDA. */
  readonly cudaStart: number | undefined;
  rss?: number;
  delta?: number;
  /** Highest RSS inside the run. */
  peak?: number;
  /** Change of CUDA reserved memory over the run; undefined without CUDA. */
  cudaDelta?: number;
  duration?: number;
  error?: string;
}

/** A cell of the notebook open in the editor, as the matching rule needs it. */
export interface EditorCell {
  /** The cell document's URI as a string (what VS Code sends as `cellId`). */
  readonly id: string;
  /** `cellSourceHash` of the cell's current text. */
  readonly hash: string;
  /** The editor's execution order for the cell (`executionSummary.executionOrder`), if any. */
  readonly executionOrder?: number;
}

/**
 * The `cell.hash` a kernel reports for `text`: SHA-256 of its UTF-8, first 16 hex digits.
 * CRLF is made LF first, as VS Code's Jupyter extension does before it sends a cell.
 */
export function cellSourceHash(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex').slice(0, 16);
}

/**
 * The index in `cells` of the cell `run` was a run of, or undefined (docs/protocol.md,
 * "Notebook cells"): the front end's id first; else the one cell whose text hashes alike
 * (several: the one among them with the run's execution order); else, when `byCount` (the
 * run is from the kernel the notebook uses now: counts restart with each kernel), the one
 * cell with the run's execution order.
 */
export function matchCell(run: Pick<CellRun, 'cell'>, cells: readonly EditorCell[], byCount = false): number | undefined {
  const { id, hash, count } = run.cell;
  if (id !== undefined) {
    const i = cells.findIndex((c) => c.id === id);
    if (i >= 0) return i;
  }
  const same = indexesWhere(cells, (c) => c.hash === hash);
  if (same.length === 1) return same[0];
  if (count === undefined) return undefined;
  if (same.length > 1) return only(same.filter((i) => cells[i].executionOrder === count));
  return byCount ? only(indexesWhere(cells, (c) => c.executionOrder === count)) : undefined;
}

const indexesWhere = <T>(xs: readonly T[], f: (x: T) => boolean): number[] => xs.flatMap((x, i) => (f(x) ? [i] : []));
const only = (xs: readonly number[]): number | undefined => (xs.length === 1 ? xs[0] : undefined);

/**
 * Every cell run the kernels of a session reported, in the order they started, and which run
 * a checkpoint belongs to. Pure: fed by RecordIngest from region records that carry `cell`.
 */
export class CellRuns {
  private readonly list: CellRun[] = [];
  private readonly open = new Map<string, CellRun>();

  /** Runs, oldest first (the running ones too). */
  all(): readonly CellRun[] {
    return this.list;
  }

  /** A region_start that carries `cell`. */
  start(r: RegionStartRecord, cell: NotebookCell): void {
    const run: CellRun = { pid: r.pid, region: r.id, cell, label: r.label ?? labelOf(cell), t: r.t * 1000, rssStart: r.mem.rss, cudaStart: cudaReserved(r.mem.devices) };
    this.open.set(`${r.pid}:${r.id}`, run);
    this.push(run);
  }

  /** A region_end that carries `cell`: the run it ends, made from the end alone when its start never came. */
  end(r: RegionEndRecord, cell: NotebookCell): CellRun {
    const key = `${r.pid}:${r.id}`;
    const started = this.open.get(key);
    this.open.delete(key);
    let run = started;
    const tEnd = r.t * 1000;
    if (run === undefined) {
      // Its start was lost (dropped, or before a recording began): the end says enough.
      run = { pid: r.pid, region: r.id, cell, label: r.label ?? labelOf(cell), t: tEnd - r.duration * 1000, rssStart: r.mem.rss, cudaStart: undefined };
      this.push(run);
    }
    run.cell = cell;
    run.tEnd = tEnd;
    run.file = r.file;
    run.rss = r.mem.rss;
    run.delta = started === undefined ? undefined : r.mem.rss - run.rssStart;
    run.peak = Math.max(r.peak?.rss ?? 0, r.mem.rss);
    run.duration = r.duration;
    run.error = r.error;
    const cuda = cudaReserved(r.mem.devices);
    // A run whose start had no CUDA began before the kernel used it: it held nothing then.
    run.cudaDelta = started === undefined || cuda === undefined ? undefined : cuda - (started.cudaStart ?? 0);
    return run;
  }

  /**
   * The run a checkpoint of `pid` at `file` (at `tMs`) was in or defined by: the newest ended
   * run of that process compiled as `file`; else the run of that process open at `tMs` (a
   * cell's first run names its file only when it ends). Its line is a line of that run's
   * source: of the editor's cell only while the cell's text still has the run's hash.
   */
  forCheckpoint(pid: number, file: string, tMs: number): CellRun | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const r = this.list[i];
      if (r.pid === pid && r.file === file) return r;
    }
    for (let i = this.list.length - 1; i >= 0; i--) {
      const r = this.list[i];
      if (r.pid === pid && r.t <= tMs && (r.tEnd === undefined || r.tEnd >= tMs) && (r.file === undefined || r.file === file)) return r;
    }
    return undefined;
  }

  private push(run: CellRun): void {
    this.list.push(run);
    if (this.list.length > MAX_RUNS) this.list.splice(0, this.list.length - MAX_RUNS);
  }
}

/** `cell [7]`, or `cell` for a run kept out of history. */
export function labelOf(cell: NotebookCell): string {
  return cell.count === undefined ? 'cell' : `cell [${cell.count}]`;
}
