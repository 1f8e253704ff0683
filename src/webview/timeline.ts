// The timeline's behaviour: what each host message and each toolbar action does to the
// state, and how the views are redrawn from it. The views are made and wired in index.ts.
import type { PanelCommandName } from '../shared/webviewMessages';
import type { CheckpointTable } from './checkpointTable';
import type { CompareTable } from './compareTable';
import type { TimelineChart } from './chart';
import { buildDatasets, toggleSeries } from './datasets';
import { cssVar, download } from './dom';
import type { EmptyState } from './emptyState';
import { compareKey, legendEntries, type Legend } from './legend';
import type { Host, MessageHandlers } from './messaging';
import { applyAppend, applyCompare, applySnapshot, clearData, type TimelineState } from './state';
import type { Header, ToolbarAction } from './toolbar';
import { chartX, convertRange, inSteps, stepsUnavailable, windowOf } from './xAxis';

export interface TimelineViews {
  readonly header: Header;
  /** What is shown instead of the chart when there is nothing to draw. */
  readonly empty: EmptyState;
  readonly legend: Legend;
  readonly chart: TimelineChart;
  readonly checkpoints: CheckpointTable;
  readonly compare: CompareTable;
}

/** The shortest window (ms) a focus request shows. */
const MIN_FOCUS_SPAN = 5000;

const COMMANDS: Partial<Record<ToolbarAction, PanelCommandName>> = {
  forceCleanup: 'forceCleanup',
  exportCsv: 'exportCsv',
  exportParquet: 'exportParquet',
  exportRecording: 'exportRecording',
  openRecording: 'openRecording',
  compare: 'compare',
};

export class Timeline {
  /** Whether the chart was last drawn against steps: a change converts the shown range. */
  private drawnInSteps = false;

  constructor(
    private readonly state: TimelineState,
    private readonly host: Host,
    private readonly views: TimelineViews,
  ) {}

  /** What each host message does. */
  readonly handlers: MessageHandlers = {
    init: (m) => {
      this.state.units = m.units;
      this.views.empty.show('Waiting for data…');
      this.showData(false);
    },
    empty: (m) => {
      clearData(this.state);
      this.views.empty.show(m.message, m.actions);
      this.showData(false);
      this.views.header.clearSession();
    },
    snapshot: (m) => {
      applySnapshot(this.state, m);
      this.render();
    },
    append: (m) => {
      if (applyAppend(this.state, m)) this.render(m.rows !== undefined);
    },
    compare: (m) => {
      applyCompare(this.state, m);
      this.views.compare.show(m, this.state.data?.sessionName, this.state.units);
      this.render(false);
    },
    compareEnd: () => {
      applyCompare(this.state, undefined);
      this.views.compare.hide();
      this.render(false);
    },
    focus: (m) => {
      const data = this.state.data;
      if (!data) return;
      this.state.follow = false;
      const span = Math.max(MIN_FOCUS_SPAN, (data.end - data.start) / 10);
      const t0 = m.t - span / 2;
      const t1 = m.t + span / 2;
      this.host.post({ type: 'view', t0, t1, width: this.views.chart.element.clientWidth || 1000, follow: false, steps: inSteps(this.state) });
      this.views.chart.setRange(chartX(this.state, t0), chartX(this.state, t1));
    },
  };

  /** A toolbar button was clicked. */
  runAction(action: ToolbarAction): void {
    const s = this.state;
    const command = COMMANDS[action];
    if (command) return this.host.post({ type: 'command', command });
    switch (action) {
      case 'follow':
        s.follow = !s.follow;
        if (s.follow) this.requestView();
        break;
      case 'fromZero':
        s.fromZero = !s.fromZero;
        this.render();
        break;
      case 'steps':
        if (stepsUnavailable(s) !== undefined) break;
        s.xAxis = s.xAxis === 'steps' ? 'time' : 'steps';
        this.render(); // asks the host for the view again: a compared run's series are wanted whole against steps
        break;
      case 'resetZoom':
        this.views.chart.resetZoom();
        s.follow = true;
        this.requestView();
        break;
      case 'exportPng': {
        const png = this.views.chart.toPng();
        if (png) download(png, 'headroom-timeline.png');
        break;
      }
    }
  }

  /** The user panned or zoomed: stop following and ask the host for that window. */
  userMovedView(): void {
    this.state.follow = false;
    this.views.header.setPressed('follow', false);
    this.requestView();
  }

  /** A legend click. */
  toggleSeries(name: string): void {
    toggleSeries(this.state.hiddenSeries, name);
    this.render();
  }

  /** The theme changed: recolour the canvas. */
  applyTheme(): void {
    if (this.views.chart.applyTheme()) this.render(false);
  }

  /** Asks the host for the data of the shown window (the newest while following) at the plot's width. */
  requestView(): void {
    const { data, follow } = this.state;
    const width = this.views.chart.plotWidth();
    const range = this.views.chart.visibleRange();
    const steps = inSteps(this.state);
    const w = range && windowOf(this.state, range.min, range.max);
    if (follow || !w || !data) {
      this.host.post({ type: 'view', width, follow: true, steps });
      return;
    }
    this.host.post({ type: 'view', t0: w.t0, t1: w.t1, width, follow: false, steps });
  }

  /** Redraws the header and the chart, and the checkpoints table unless `withTable` is false. */
  render(withTable = true): void {
    const { data } = this.state;
    if (!data) return;
    const { header, empty, legend, chart, checkpoints } = this.views;
    chart.ensure();
    empty.hidden = true;
    this.showData(true);
    header.showSession({ name: data.sessionName, live: data.live, stepsWhy: stepsUnavailable(this.state) });
    const axisChanged = this.keepRangeAcrossAxes();
    this.views.compare.setStepAligned(inSteps(this.state));
    const colourOf = (v: string) => cssVar(v, '#888');
    legend.render(legendEntries(this.state, colourOf), compareKey(data.sessionName, this.state.compare?.name));
    const datasets = buildDatasets(this.state, chart.plotWidth(), colourOf);
    chart.draw(datasets, this.state.follow ? { min: chartX(this.state, data.t0), max: chartX(this.state, data.t1) } : undefined);
    if (withTable) checkpoints.render(data.rows);
    this.saveState();
    if (axisChanged) this.requestView(); // after the draw: the view is read off the drawn axis
  }

  /**
   * Drawn against steps now and not before (or the reverse: Steps toggled, a compared run
   * without steps came or went): the same moments stay in view. True when the axis changed.
   */
  private keepRangeAcrossAxes(): boolean {
    const steps = inSteps(this.state);
    if (steps === this.drawnInSteps) return false;
    const range = this.views.chart.visibleRange();
    const next = range && !this.state.follow ? convertRange(this.state, range.min, range.max, this.drawnInSteps) : undefined;
    this.drawnInSteps = steps;
    if (next) this.views.chart.setRange(next.min, next.max); // following, draw() sets the window itself
    return true;
  }

  private showData(shown: boolean): void {
    this.views.legend.element.hidden = !shown;
    this.views.chart.element.hidden = !shown;
    this.views.checkpoints.element.hidden = !shown;
  }

  private saveState(): void {
    this.host.setState({ recordingPath: this.state.data?.recordingPath ?? this.host.getState()?.recordingPath, comparePath: this.state.compare?.recordingPath });
  }
}
