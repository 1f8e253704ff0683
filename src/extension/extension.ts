import { join } from 'node:path';
import * as vscode from 'vscode';
import { ConfigService } from './config';
import { DebugTracking } from './debug/debugTracking';
import { TimelinePanels } from './panel/timelinePanels';
import { HeadroomTaskProvider, TASK_TYPE } from './sessions/headroomTasks';
import { AllocationViews } from './allocations/allocationViews';
import { MemoryGuard } from './sessions/memoryGuard';
import { MetricsService } from './sessions/metricsService';
import { RemoteListenService } from './sessions/remoteListen';
import { WindowReach } from './reach/windowReach';
import { NotebookCellFigures } from './notebook/notebookCells';
import { NotebookKernels } from './notebook/notebookKernels';
import { registerCommands } from './registerCommands';
import { SessionManager } from './sessions/sessionManager';
import { SessionResumer } from './sessions/resumeSessions';
import { PressureAlerts } from './views/alerts';
import { CheckpointLensController } from './views/checkpointLenses';
import { SessionsView } from './views/sessionsView';
import { StartNotices } from './views/startNotice';
import { StatusBarController } from './views/statusBar';
import { WalkthroughProgress } from './views/walkthroughProgress';

/** What `activate` returns: used by the editor suites and by other extensions. */
export interface HeadroomApi {
  /** Time spent in `activate`, milliseconds. */
  readonly activationMs: number;
  readonly statusBarItem: vscode.StatusBarItem;
  readonly panels: TimelinePanels;
  readonly sessions: SessionManager;
  readonly alerts: PressureAlerts;
  /** Terminals' environment and the window's connection file. */
  readonly reach: WindowReach;
  /** Where the bundled Python client lives (put on PYTHONPATH of launched runs). */
  readonly pythonPath: string;
  /** The Headroom view (Run and Debug) and the start notifications. */
  readonly sessionsView: SessionsView;
  readonly notices: StartNotices;
  /** Per-cell figures in the notebook editor. */
  readonly notebooks: NotebookCellFigures;
  /** Monitor Notebook Kernel (through the Jupyter extension, or the runner put in its place). */
  readonly kernels: NotebookKernels;
  /** The guard and the out-of-memory explanations. */
  readonly guard: MemoryGuard;
  /** Prometheus metrics of the focused run (setting headroom.metrics.port). */
  readonly metrics: MetricsService;
  /** Allocation sites and live tensors: inline readouts and their view. */
  readonly allocations: AllocationViews;
  /** Ranks of other machines reporting over TCP (setting headroom.remote.listen). */
  readonly remote: RemoteListenService;
  /** Runs taken up again after a window reload. */
  readonly resumer: SessionResumer;
}

/** The composition root: builds every service once and hands each root to the context. */
export function activate(context: vscode.ExtensionContext): HeadroomApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Headroom', { log: true });
  const config = new ConfigService();
  const pythonPath = join(context.extensionPath, 'dist', 'python');
  const recordingsDir = join(context.globalStorageUri.fsPath, 'recordings');
  const sessions = new SessionManager(recordingsDir, config, pythonPath, log);
  // Before the listener starts: a program that reconnects after a reload finds its run resumed.
  const resumer = new SessionResumer(sessions, context.workspaceState, log);
  const panels = new TimelinePanels({ extensionUri: context.extensionUri, sessions, config, log, memento: context.workspaceState });
  const statusBar = new StatusBarController(sessions, config);
  const notebooks = new NotebookCellFigures(sessions, config);
  const kernels = new NotebookKernels(sessions, config, pythonPath, log);
  const lenses = new CheckpointLensController(sessions, config, (doc) => notebooks.checkpointsIn(doc));
  const debug = new DebugTracking(sessions, config, log);
  const alerts = new PressureAlerts(sessions, config, log);
  const guard = new MemoryGuard(sessions, config, debug, log);
  const metrics = new MetricsService(sessions, config, log);
  const allocations = new AllocationViews(sessions, config, pythonPath, debug);
  const remote = new RemoteListenService(sessions, config, context.secrets, log);
  // The window token changes with every window: terminals restored after a reload get the new one, not a stale one.
  context.environmentVariableCollection.persistent = false;
  const reach = new WindowReach(sessions, config, context.environmentVariableCollection, pythonPath, log);
  const sessionsView = new SessionsView(sessions, config, recordingsDir);
  const notices = new StartNotices(sessions, config, log);
  const walkthrough = new WalkthroughProgress(sessions);
  // Disposed in this order: the log last, so what closes before it (sessions letting go of their
  // runs on a reload) can still say so, and a closed channel never throws in the middle of that.
  context.subscriptions.push(config, resumer, sessions, panels, statusBar, lenses, debug, alerts, reach, sessionsView, notices, walkthrough, notebooks, kernels, guard, metrics, allocations, remote, log);
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, new HeadroomTaskProvider(sessions, config)));

  registerCommands(context, { sessions, panels, config, debug, log, recordingsDir, sessionsView, extensionPath: context.extensionPath, kernels, allocations });

  const activationMs = performance.now() - started;
  log.info(`Headroom ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(2)} ms`);
  return { activationMs, statusBarItem: statusBar.item, panels, sessions, alerts, reach, pythonPath, sessionsView, notices, notebooks, kernels, guard, metrics, allocations, remote, resumer };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
