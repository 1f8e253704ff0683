// The timeline webview's entry: makes the views, wires them to the Timeline and the host,
// and says "ready". Each module does its own job; nothing else here.
import { registerChartParts, TimelineChart } from './chart';
import { CheckpointTable } from './checkpointTable';
import { CompareTable } from './compareTable';
import { EmptyState } from './emptyState';
import { Legend } from './legend';
import { connectHost, listen } from './messaging';
import { createState } from './state';
import { Timeline } from './timeline';
import { Header, isPressed } from './toolbar';
import { inSteps } from './xAxis';

async function start(app: HTMLElement): Promise<void> {
  const host = connectHost();
  const state = createState();
  const reveal = (file: string, line: number) => host.post({ type: 'reveal', file, line });
  const views = {
    header: new Header({ run: (action) => timeline.runAction(action), pressed: (action) => isPressed({ ...state, steps: inSteps(state) }, action) }),
    empty: new EmptyState((command) => host.post({ type: 'command', command })),
    legend: new Legend((name) => timeline.toggleSeries(name)),
    chart: new TimelineChart(state, { userMovedView: () => timeline.userMovedView(), reveal }),
    checkpoints: new CheckpointTable(state, reveal),
    compare: new CompareTable({
      align: (label) => host.post({ type: 'align', label }),
      end: () => host.post({ type: 'command', command: 'compareEnd' }),
    }),
  };
  const timeline = new Timeline(state, host, views);
  app.replaceChildren(views.header.element, views.empty.element, views.legend.element, views.chart.element, views.checkpoints.element, views.compare.element);

  // The host queues its messages until "ready": the chart is complete before the first one.
  await registerChartParts();
  listen(timeline.handlers);
  // VS Code swaps the body's theme class and the --vscode-* variables: the canvas colours follow.
  new MutationObserver(() => timeline.applyTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  new ResizeObserver(() => timeline.requestView()).observe(views.chart.element);
  host.post({ type: 'ready' });
}

// Only inside a webview: a Node test run given this folder (`mocha src/webview`) imports every file in it.
if (typeof acquireVsCodeApi === 'function') void start(document.getElementById('app') as HTMLElement);
