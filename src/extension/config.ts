import * as vscode from 'vscode';
import type { Units } from '../shared/format';
import type { PssMode } from '../engine/sampling/types';
import type { GuardMode } from '../engine/session/guard';

export const CONFIG_SECTION = 'headroom';

/** Every Headroom setting, read once into an immutable snapshot. */
export interface HeadroomConfig {
  /** Milliseconds between samples of a monitored tree. */
  readonly samplingIntervalMs: number;
  /** PSS/USS from smaps_rollup: on a time budget (auto), every sample (on), never (off). */
  readonly pss: PssMode;
  /** Percent of the memory that can kill the job at which the status bar warns and one alert is raised. */
  readonly warningPercent: number;
  /** Percent at which the status bar turns to the error colour. */
  readonly errorPercent: number;
  readonly units: Units;
  readonly codeLensEnabled: boolean;
  readonly gpuEnabled: boolean;
  /** Add HEADROOM_ADDR, HEADROOM_TOKEN and PYTHONPATH to Python debug sessions. */
  readonly injectPython: boolean;
  /** Also listen on 127.0.0.1 (containers, other ranks). */
  readonly tcpListener: boolean;
  /** `HOST:PORT` on which ranks of other machines may report with the window token; empty: off. */
  readonly remoteListen: string;
  /** Size at which a recording rotates, MB. */
  readonly recordingMaxMB: number;
  /** Interpreter for Run Python File; empty: the Python extension's choice, else python3. */
  readonly pythonInterpreter: string;
  /** Monitor every debug session's process automatically. */
  readonly attachToDebugSessions: boolean;
  /** Give new integrated terminals HEADROOM_ADDR, the window token and the client on PYTHONPATH. */
  readonly injectTerminals: boolean;
  /** Publish a connection file so programs started outside the editor, in a workspace folder, report here. */
  readonly connectionFile: boolean;
  /** Say once when a new run starts being monitored ("Monitoring train.py"), with Open Timeline / Open File. */
  readonly notifyOnStart: boolean;
  /** Connect every notebook kernel that starts (through the Jupyter extension) to this window. */
  readonly monitorNotebookKernels: boolean;
  /** What the guard does when memory nears what can kill the job: nothing, pause a debugged program, or interrupt the program. */
  readonly guard: GuardMode;
  /** The guard's threshold, percent of the memory that can kill the job (cgroup limit, else system memory; GPU total). */
  readonly guardPercent: number;
  /** Serve the focused run's Prometheus metrics on 127.0.0.1 at this port; 0: off. */
  readonly metricsPort: number;
}

export function readConfig(): HeadroomConfig {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(v) ? v : lo));
  const warning = clamp(c.get<number>('alerts.warningPercent', 80), 1, 100);
  return {
    samplingIntervalMs: clamp(c.get<number>('sampling.intervalMs', 100), 10, 10_000),
    pss: (['auto', 'on', 'off'] as const).find((m) => m === c.get('sampling.pss')) ?? 'auto',
    warningPercent: warning,
    errorPercent: clamp(c.get<number>('alerts.errorPercent', 95), warning, 100),
    units: c.get<string>('units') === 'GiB' ? 'GiB' : 'GB',
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true),
    gpuEnabled: c.get<boolean>('gpu.enabled', true),
    injectPython: c.get<boolean>('python.injectEnvironment', true),
    tcpListener: c.get<boolean>('listener.tcp', false),
    remoteListen: (c.get<string>('remote.listen', '') ?? '').trim(),
    recordingMaxMB: clamp(c.get<number>('recordings.maxMB', 256), 1, 100_000),
    attachToDebugSessions: c.get<boolean>('debug.autoAttach', true),
    pythonInterpreter: (c.get<string>('python.interpreter', '') ?? '').trim(),
    injectTerminals: c.get<boolean>('terminal.injectEnvironment', true),
    connectionFile: c.get<boolean>('connectionFile.enabled', true),
    notifyOnStart: c.get<boolean>('notifications.sessionStart', true),
    monitorNotebookKernels: c.get<boolean>('notebook.monitorKernels', false),
    guard: (['off', 'pause', 'interrupt'] as const).find((m) => m === c.get('guard.mode')) ?? 'off',
    guardPercent: clamp(c.get<number>('guard.thresholdPercent', 95), 50, 99.9),
    metricsPort: Math.round(clamp(c.get<number>('metrics.port', 0), 0, 65535)),
  };
}

/** Holds the current snapshot; fires only when a Headroom setting really changed. */
export class ConfigService implements vscode.Disposable {
  private _current = readConfig();
  private readonly _onDidChange = new vscode.EventEmitter<{ previous: HeadroomConfig; current: HeadroomConfig }>();
  readonly onDidChange = this._onDidChange.event;
  private readonly sub: vscode.Disposable;

  constructor() {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(CONFIG_SECTION)) return;
      const next = readConfig();
      if (JSON.stringify(next) === JSON.stringify(this._current)) return;
      const previous = this._current;
      this._current = next;
      this._onDidChange.fire({ previous, current: next });
    });
  }

  get current(): HeadroomConfig {
    return this._current;
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }
}
