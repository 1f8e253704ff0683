// The one message file for the host <-> timeline webview boundary. Both sides import it
// with `import type`; every message is told apart by its `type`.
import type { Units } from './format';

/** One series as a min/max envelope: at most one point per pixel column. */
export interface SeriesData {
  readonly name: string;
  readonly label: string;
  /** Theme colour variable to draw it with, e.g. `--vscode-charts-blue`. */
  readonly colour: string;
  /** Times, ms since the epoch. */
  readonly t: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The series' first value (for "from zero"). */
  readonly first: number;
  readonly hidden?: boolean;
}

/** A marker or span on the timeline; labels are untrusted text. */
export interface EventData {
  readonly t: number;
  readonly tEnd?: number;
  readonly kind: string;
  readonly label: string;
  readonly file?: string;
  readonly line?: number;
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
}

/** Host to webview. */
export type HostToWebview =
  | { readonly type: 'init'; readonly title: string; readonly live: boolean; readonly units: Units; readonly sessionName?: string }
  | {
      readonly type: 'data';
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
      readonly sessionName: string;
      /** The session's recording: kept in the webview state, reopened after a window reload. */
      readonly recordingPath?: string;
    }
  | { readonly type: 'focus'; readonly t: number }
  | { readonly type: 'empty'; readonly message: string };

/** Webview to host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  /** The visible window (undefined: everything) and the plot's width in pixels. */
  | { readonly type: 'view'; readonly t0?: number; readonly t1?: number; readonly width: number; readonly follow: boolean }
  | { readonly type: 'reveal'; readonly file: string; readonly line: number }
  | { readonly type: 'command'; readonly command: 'forceCleanup' | 'exportCsv' | 'exportRecording' | 'openRecording' };
