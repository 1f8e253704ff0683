import * as vscode from 'vscode';
import { formatBytes, formatPair, formatPercent, plainLabel } from '../../shared/format';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import type { MonitoringSession } from '../../engine/session/monitoringSession';
import { endText } from '../../engine/oom/endExplanation';
import { runPeakRss, shownRss } from '../../engine/session/runPeak';
import type { SessionManager } from '../sessions/sessionManager';
import { Coalescer } from '../util/coalescer';
import { Disposable } from '../util/dispose';
import { shortName } from '../sessions/sessionLabel';
import { gpuStatus, gpuTreeLine } from './gpuText';
import { levelOf, pressureOf } from './pressure';

const MIN_INTERVAL_MS = 500;
/** The program's name in the status bar is cut to this; the accessibility label has it whole. */
const STATUS_NAME_CHARS = 24;


/**
 * The status-bar entry: the focused session's tree memory and GPU use, at most twice a
 * second, coloured by pressure. With nothing monitored it reads `Headroom` and costs nothing.
 */
export class StatusBarController extends Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly refresh = this._register(new Coalescer(() => this.render(), MIN_INTERVAL_MS));
  private tickSub: { dispose(): void } | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('headroom.status', vscode.StatusBarAlignment.Left, 100));
    this.item.name = 'Headroom';
    this.item.command = CommandId.ShowTimeline;
    this._register(sessions.onDidChangeSessions(() => this.follow()));
    this._register(sessions.onDidReceiveRecords(() => this.refresh.trigger()));
    this._register(config.onDidChange(() => this.render()));
    this._register({ dispose: () => this.tickSub?.dispose() });
    this.follow();
    this.item.show();
  }

  private follow(): void {
    this.tickSub?.dispose();
    this.tickSub = this.sessions.focused?.monitor?.onTick(() => this.refresh.trigger());
    this.render();
  }

  render(): void {
    const s = this.sessions.focused;
    if (!s) return this.showIdle();
    const cfg = this.config.current;
    const tick = s.monitor?.last;
    const rss = shownRss(s);
    // Whose memory it is, always: the program's name (short), else Headroom.
    const who = plainLabel(shortName(s), STATUS_NAME_CHARS) || 'Headroom';
    const size = rss !== undefined && Number.isFinite(rss) ? `${s.live ? '' : 'peak '}${formatBytes(rss, cfg.units)}` : undefined;
    let text = `$(pulse) ${size ? `${who}: ${size}` : who}`;
    const gpu = s.live ? gpuStatus(tick?.gpu, cfg.units) : undefined;
    if (gpu) text += ` | ${gpu}`;
    // A run that ran out of memory keeps saying so, in the error colour, until another takes the bar.
    const oom = !s.live && s.endExplanation !== undefined && s.endExplanation.kind !== 'none';
    if (!s.live) text += oom ? ' (out of memory)' : ' (ended)';
    this.item.text = text;
    const p = pressureOf(tick);
    const level = s.live ? levelOf(p, cfg.warningPercent, cfg.errorPercent) : oom ? 'error' : 'ok';
    this.item.backgroundColor =
      level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltip(s);
    this.item.accessibilityInformation = {
      label: `Headroom: ${plainLabel(s.name, 80)}, ${size ? `${size} RSS` : 'no data yet'}, ${s.live ? 'running' : 'ended'}`,
      role: 'button',
    };
  }

  private tooltip(s: MonitoringSession): vscode.MarkdownString {
    const cfg = this.config.current;
    const md = new vscode.MarkdownString(undefined, true);
    // Only our own commands may run from this tooltip; every program-supplied string goes through appendText.
    md.isTrusted = { enabledCommands: [CommandId.ForceCleanup, CommandId.ShowTimeline, CommandId.SelectSession, CommandId.StopMonitoring] };
    md.supportHtml = false;
    md.appendMarkdown('**Headroom** · ');
    md.appendText(`${plainLabel(s.name, 80)}${s.live ? '' : ` (${s.exitDescription ?? 'ended'})`}\n\n`);
    const tick = s.monitor?.last;
    if (!s.live) {
      // An ended run: its peak, not its last sample, and nothing to clean up any more.
      const peak = runPeakRss(s.store, s.ingest);
      if (peak !== undefined && Number.isFinite(peak)) md.appendText(`peak RSS: ${formatBytes(peak, cfg.units)}\n\n`);
      if (s.endExplanation && s.endExplanation.kind !== 'none') md.appendText(`${endText(s.endExplanation, cfg.units)}\n\n`);
    } else if (tick) {
      for (const p of tick.tree.processes.slice(0, 12)) {
        md.appendText(`${p.pid} ${plainLabel(p.name, 30)}: ${formatBytes(p.rss, cfg.units)} RSS${p.pss !== undefined ? `, ${formatBytes(p.pss, cfg.units)} PSS` : ''}\n\n`);
      }
      if (tick.tree.processes.length > 12) md.appendText(`… and ${tick.tree.processes.length - 12} more processes\n\n`);
      const p = pressureOf(tick);
      if (p) md.appendText(`${p.source === 'cgroup' ? 'cgroup limit' : 'system'}: ${formatBytes(p.used, cfg.units)} of ${formatBytes(p.limit, cfg.units)} (${formatPercent(p.percent)})\n\n`);
      for (const d of tick.gpu?.devices ?? []) {
        md.appendText(`GPU ${d.index} ${plainLabel(d.name, 40)}: ${d.memUsed !== undefined && d.memTotal !== undefined ? formatPair(d.memUsed, d.memTotal, cfg.units) : 'n/a'}\n\n`);
      }
      const treeLine = gpuTreeLine(tick.gpu, cfg.units);
      if (treeLine) md.appendText(`${treeLine}\n\n`);
    }
    const last = s.ingest.lastCheckpoint;
    if (last) md.appendText(`last checkpoint: ${plainLabel(last.label ?? `line ${last.line}`, 60)}\n\n`);
    md.appendMarkdown(`[Open Timeline](command:${CommandId.ShowTimeline})`);
    if (s.live) md.appendMarkdown(` · [Force Cleanup](command:${CommandId.ForceCleanup})`);
    if (this.sessions.all().length > 1) md.appendMarkdown(` · [Switch Session](command:${CommandId.SelectSession})`);
    return md;
  }

  private showIdle(): void {
    this.item.text = '$(pulse) Headroom';
    this.item.tooltip = 'Headroom: nothing monitored. Click to open the timeline.';
    this.item.backgroundColor = undefined;
    this.item.accessibilityInformation = { label: 'Headroom: nothing monitored', role: 'button' };
  }
}
