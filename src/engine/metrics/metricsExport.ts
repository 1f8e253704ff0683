import type { MonitorTick } from '../monitor';
import type { MonitoringSession } from '../session/monitoringSession';
import { RemoteRunSession } from '../session/remoteRunSession';
import type { MetricsServer } from './metricsServer';
import { SessionMetrics, type MetricsIdentity } from './sessionMetrics';
import type { TextfileWriter } from './textfileWriter';

export interface MetricsExportOptions {
  readonly server?: MetricsServer;
  readonly textfile?: TextfileWriter;
  /** The textfile is rewritten at most this often (node_exporter reads it per scrape, seconds apart). */
  readonly textfileIntervalMs?: number;
  readonly maxCheckpointLabels?: number;
  readonly onProblem?: (message: string) => void;
}

/** Records arrive per batch, many a second: a remote run's text is rendered at most this often. */
const REPORT_INTERVAL_MS = 500;

/**
 * Renders a live session's figures once per sampling tick and hands the text to the server
 * (and, throttled, the textfile): scrapes never render, so their number and pace cost the
 * sampling loop nothing.
 */
export class MetricsExport {
  private readonly metrics: SessionMetrics;
  private readonly subscription: { dispose(): void } | undefined;
  private lastWrite = -Infinity;
  private lastReport = -Infinity;
  private reportTimer: ReturnType<typeof setTimeout> | undefined;
  private textfileFailed = false;
  /** The last text rendered, as served. */
  text = '';

  constructor(
    private readonly session: MonitoringSession,
    identity: MetricsIdentity,
    private readonly options: MetricsExportOptions,
  ) {
    this.metrics = new SessionMetrics(identity, { maxCheckpointLabels: options.maxCheckpointLabels });
    // A remote run has nothing sampled here: its ranks' own reports are its ticks.
    this.subscription = session.monitor?.onTick((t) => this.onTick(t)) ?? (session instanceof RemoteRunSession ? session.onDidReport(() => this.onReport()) : undefined);
  }

  /** Renders from the newest figures now and writes the textfile whatever its throttle says: the run's last word. */
  finish(): void {
    const m = this.session.monitor;
    const last = m?.last;
    const kernel = m?.readKernelCounters();
    if (last) this.onTick(kernel ? { ...last, kernel } : last, true);
  }

  dispose(): void {
    this.subscription?.dispose();
    clearTimeout(this.reportTimer);
  }

  /** Renders a remote run's reported figures (checkpoint series per rank, each with its host), at most every REPORT_INTERVAL_MS. */
  private onReport(): void {
    if (this.reportTimer !== undefined) return;
    const wait = this.lastReport + REPORT_INTERVAL_MS - Date.now();
    const render = () => {
      this.reportTimer = undefined;
      this.lastReport = Date.now();
      this.text = this.metrics.render({ tick: undefined, locations: this.session.ingest.all(), ranks: this.session.ingest.ranks(), places: this.session.ingest.rankPlaces() });
      this.options.server?.update(this.text);
    };
    if (wait <= 0) return render();
    this.reportTimer = setTimeout(render, wait);
    this.reportTimer.unref?.();
  }

  private onTick(tick: MonitorTick, force = false): void {
    // The tick that finds the tree gone carries no memory: keep the last live figures, with the
    // kill counters read after the end (the kill is counted as the process dies).
    const gone = tick.tree.processes.length === 0;
    const alive = gone ? this.session.monitor?.lastAlive : tick;
    if (!alive) return;
    this.text = this.metrics.render({ tick: gone ? { ...alive, kernel: tick.kernel ?? alive.kernel } : alive, locations: this.session.ingest.all(), ranks: this.session.ingest.ranks(), places: this.session.ingest.rankPlaces() });
    this.options.server?.update(this.text);
    const { textfile } = this.options;
    if (!textfile || this.textfileFailed) return;
    if (!force && tick.tree.t - this.lastWrite < (this.options.textfileIntervalMs ?? 1000)) return;
    this.lastWrite = tick.tree.t;
    try {
      textfile.write(this.text);
    } catch (e) {
      this.textfileFailed = true; // said once; the run goes on without it
      this.options.onProblem?.(`metrics textfile ${textfile.path}: ${(e as Error).message}`);
    }
  }
}
