// The one message file for the host <-> timeline webview boundary. Both sides import it
// with `import type`; every message is told apart by its `type`.
import type { Units } from './format';

/** How a series is drawn. */
export interface SeriesMeta {
  readonly name: string;
  readonly label: string;
  /** Theme colour variable to draw it with, e.g. `--vscode-charts-blue`. */
  readonly colour: string;
  /** The series' first value (for "from zero"). */
  readonly first: number;
  readonly hidden?: boolean;
  /** 'loss': a training loss, drawn against an axis of its own on the right; bytes otherwise. */
  readonly unit?: 'loss';
}

/** The training's global step over time: what the timeline's step axis maps time through. */
export interface StepPoints {
  /** Times, ms since the epoch. */
  readonly t: Float64Array;
  readonly step: Float64Array;
}

/** One series as a min/max envelope: at most one point per pixel column. */
export interface SeriesData extends SeriesMeta {
  /** Times, ms since the epoch. */
  readonly t: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** Samples that arrived since the last message, as they were taken. */
export interface SeriesAppend {
  readonly name: string;
  readonly t: Float64Array;
  readonly v: Float64Array;
  /** Sent with a series' first append. */
  readonly meta?: SeriesMeta;
}

/** A checkpoint matched across the shown run (A) and the compared recording (B). Bytes. */
export interface CompareRow {
  readonly key: string;
  readonly aSinceStart?: number;
  readonly bSinceStart?: number;
  readonly sinceStartDiff?: number;
  readonly aPeak?: number;
  readonly bPeak?: number;
  readonly peakDiff?: number;
  readonly aHits?: number;
  readonly bHits?: number;
}

/** A marker or span on the timeline; labels are untrusted text. */
export interface EventData {
  readonly t: number;
  readonly tEnd?: number;
  readonly kind: string;
  readonly label: string;
  readonly file?: string;
  readonly line?: number;
  /** RSS change at a checkpoint (since the previous one) or inside a span. */
  readonly delta?: number;
  readonly peak?: number;
}

/** A row of the checkpoints table. */
export interface CheckpointRow {
  readonly label: string;
  readonly where: string;
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly delta: number;
  readonly sinceStart: number;
  readonly peak: number;
  readonly hits: number;
  readonly growth?: number;
  /** Ranks of a distributed launch: the largest last delta and whose it is. */
  readonly rankMax?: number;
  readonly rankMaxOf?: number;
  /** The smallest last delta and whose it is. */
  readonly rankMin?: number;
  readonly rankMinOf?: number;
  /** A rank whose RSS here stands far above the others'. */
  readonly rankOutlier?: number;
}

/**
 * Who can report checkpoints: a Headroom client connected to the session ('client'), none did
 * ('none': an attached process, or a run without `headroom` calls), or an opened recording.
 */
export type Reporter = 'client' | 'none' | 'recording';

/** The data of one view: everything the panel draws, bounded by the plot's width. */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** The window the data covers, ms since the epoch. */
  readonly t0: number;
  readonly t1: number;
  /** The whole session's extent. */
  readonly start: number;
  readonly end: number;
  readonly series: readonly SeriesData[];
  readonly events: readonly EventData[];
  readonly rows: readonly CheckpointRow[];
  readonly threshold?: number;
  readonly live: boolean;
  readonly reporter: Reporter;
  readonly sessionName: string;
  /** The session's recording: kept in the webview state, reopened after a window reload. */
  readonly recordingPath?: string;
  /** The whole session's steps (thinned to a few thousand points); absent when it reported none. */
  readonly steps?: StepPoints;
}

/** What changed while following live: new samples, and markers and table rows when they changed. */
export interface AppendMessage {
  readonly type: 'append';
  readonly end: number;
  readonly series: readonly SeriesAppend[];
  readonly events?: readonly EventData[];
  readonly rows?: readonly CheckpointRow[];
  readonly threshold?: number;
  readonly live: boolean;
  /** Sent with every append: a client may connect at any time. */
  readonly reporter: Reporter;
  /** Step records that arrived since the last message. */
  readonly steps?: StepPoints;
}

/** Another recording drawn over this one, shifted by `offset` ms, and the per-checkpoint differences. */
export interface CompareMessage {
  readonly type: 'compare';
  readonly name: string;
  readonly offset: number;
  /** '' for "aligned at the start", else the checkpoint label both runs are aligned at. */
  readonly alignedAt: string;
  readonly labels: readonly string[];
  readonly series: readonly SeriesData[];
  readonly rows: readonly CompareRow[];
  /** Where the path is kept for a window reload. */
  readonly recordingPath: string;
  /** The recording's steps, shifted by `offset` as its series are; absent when it has none. */
  readonly steps?: StepPoints;
}

/** Host to webview. */
export type HostToWebview =
  | { readonly type: 'init'; readonly title: string; readonly live: boolean; readonly units: Units; readonly sessionName?: string }
  | SnapshotMessage
  | AppendMessage
  | CompareMessage
  | { readonly type: 'compareEnd' }
  | { readonly type: 'focus'; readonly t: number }
  /** Nothing to show; `actions`: the commands the empty state offers as buttons. */
  | { readonly type: 'empty'; readonly message: string; readonly actions?: readonly StartCommand[] };

/** Commands that start something to look at, offered by the empty timeline. */
export type StartCommand = 'runPythonFile' | 'attachProcess' | 'openRecording';

/** Webview to host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  /**
   * The visible window (undefined: everything) and the plot's width in pixels; `steps`: drawn
   * against steps, where a compared run's series are wanted whole (its steps fall at other times).
   */
  | { readonly type: 'view'; readonly t0?: number; readonly t1?: number; readonly width: number; readonly follow: boolean; readonly steps?: boolean }
  | { readonly type: 'reveal'; readonly file: string; readonly line: number }
  /** Align the compared recording at the start ('') or at a checkpoint label. */
  | { readonly type: 'align'; readonly label: string }
  /** A toolbar or empty-state button: one of a closed set of commands, never a command id or URI from text. */
  | { readonly type: 'command'; readonly command: PanelCommandName };

/** What the webview may ask the host to run. */
export type PanelCommandName = StartCommand | 'forceCleanup' | 'exportCsv' | 'exportParquet' | 'exportRecording' | 'compare' | 'compareEnd';
