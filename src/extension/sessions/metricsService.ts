import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { MetricsExport } from '../../engine/metrics/metricsExport';
import { MetricsServer } from '../../engine/metrics/metricsServer';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import type { ConfigService } from '../config';
import { Disposable } from '../util/dispose';
import { shortName } from './sessionLabel';
import type { SessionManager } from './sessionManager';

/**
 * Serves the focused live session's figures in Prometheus' text format on 127.0.0.1 (setting
 * `headroom.metrics.port`, off by default): the same families `headroom run --metrics` serves,
 * job = the session's name, so a local Prometheus or Grafana can watch what the editor watches.
 * Loopback only: nothing outside this machine can reach it.
 */
export class MetricsService extends Disposable {
  private server: MetricsServer | undefined;
  private port = 0;
  private exported: { session: MonitoringSession; exp: MetricsExport } | undefined;
  /** The address served, once listening (editor tests read it). */
  address: string | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(config.onDidChange(() => void this.apply()));
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register({ dispose: () => this.stop() });
    void this.apply();
  }

  private async apply(): Promise<void> {
    const want = this.config.current.metricsPort;
    if (want === this.port) return;
    this.stop();
    this.port = want;
    if (!want) return;
    const server = new MetricsServer();
    try {
      const a = await server.listen('127.0.0.1', want);
      this.server = server;
      this.address = `http://127.0.0.1:${a.port}/metrics`;
      this.log.info(`Prometheus metrics of the focused run on ${this.address}`);
      this.follow();
    } catch (e) {
      server.dispose();
      this.port = 0;
      void vscode.window.showWarningMessage(`Headroom cannot serve metrics on 127.0.0.1:${want}: ${(e as Error).message}`);
    }
  }

  private follow(): void {
    if (!this.server) return;
    const s = this.sessions.focused;
    const live = s?.live ? s : undefined;
    if (this.exported?.session === live) return;
    this.exported?.exp.dispose();
    this.exported = live ? { session: live, exp: new MetricsExport(live, { job: shortName(live), host: hostname() }, { server: this.server, onProblem: (m) => this.log.warn(m) }) } : undefined;
  }

  private stop(): void {
    this.exported?.exp.dispose();
    this.exported = undefined;
    this.server?.dispose();
    this.server = undefined;
    this.address = undefined;
  }
}
