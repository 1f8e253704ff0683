// The header: the session's title, its live/ended status and the toolbar of codicon buttons
// (as VS Code's own title bars have: ten text buttons wrapped to three rows in a half-width
// column). Each button carries its action in `data-action` (tests and code find buttons by
// it), says what it does in its tooltip and aria-label, and toggles show aria-pressed. Steps is
// there only for a run that reported training steps.
import { codicon, el } from './dom';

export type ToolbarAction = 'follow' | 'fromZero' | 'steps' | 'resetZoom' | 'forceCleanup' | 'exportCsv' | 'exportParquet' | 'exportRecording' | 'openRecording' | 'compare' | 'exportPng';

export interface ToolbarButton {
  readonly action: ToolbarAction;
  /** The accessible name, and the tooltip's first words. */
  readonly label: string;
  /** What it does, after the label in the tooltip. */
  readonly tip: string;
  /** The codicon's name (`codicon-<icon>`). */
  readonly icon: string;
  /** Buttons of one group sit together; a separator stands between groups. */
  readonly group: 'view' | 'program' | 'files';
  readonly toggle?: true;
  readonly liveOnly?: true;
  /** Shown only for a run with training steps. */
  readonly stepsOnly?: true;
}

/** The buttons in order, with what each does. */
export const TOOLBAR_BUTTONS: readonly ToolbarButton[] = [
  { action: 'follow', label: 'Follow live', tip: 'Keep the newest samples in view while the program runs', icon: 'eye', group: 'view', toggle: true, liveOnly: true },
  { action: 'fromZero', label: 'Relative to start', tip: 'Show each series relative to its first value: the memory gained since the run started', icon: 'arrow-up', group: 'view', toggle: true },
  { action: 'steps', label: 'Steps', tip: 'Draw against the training step instead of time (the global step the trainer reported)', icon: 'debug-step-over', group: 'view', toggle: true, stepsOnly: true },
  { action: 'resetZoom', label: 'Reset zoom', tip: 'Show the whole run', icon: 'zoom-out', group: 'view' },
  { action: 'forceCleanup', label: 'Force Cleanup', tip: 'Run gc, malloc_trim and the framework cache cleanups inside the program, and show what was freed', icon: 'clear-all', group: 'program', liveOnly: true },
  { action: 'compare', label: 'Compare…', tip: 'Draw another recording over this one and compare their checkpoints', icon: 'diff', group: 'program' },
  { action: 'openRecording', label: 'Open Recording…', tip: 'Open a saved recording in a timeline of its own', icon: 'folder-opened', group: 'files' },
  { action: 'exportRecording', label: 'Save Recording…', tip: "Save a copy of this session's recording (NDJSON)", icon: 'save', group: 'files' },
  { action: 'exportCsv', label: 'Export CSV…', tip: 'Save the raw samples as CSV', icon: 'table', group: 'files' },
  { action: 'exportParquet', label: 'Export Parquet…', tip: 'Export the whole recording as Parquet tables (samples, processes, events, GPU) for pandas, polars, DuckDB', icon: 'database', group: 'files' },
  { action: 'exportPng', label: 'Export PNG', tip: 'Save the chart as an image', icon: 'file-media', group: 'files' },
];

/** A button's tooltip: its name, then what it does; an unavailable one says why (`why`, or that it needs a running program). */
export function buttonTitle(b: ToolbarButton, enabled: boolean, why = 'needs a running program'): string {
  return `${b.label}: ${b.tip}${enabled ? '' : ` (${why})`}`;
}

/** Whether a button applies: following and cleaning up need a running program. */
export function buttonEnabled(action: ToolbarAction, live: boolean): boolean {
  return live || !TOOLBAR_BUTTONS.find((b) => b.action === action)?.liveOnly;
}

/** What the header shows of a session: its name, whether it runs, and whether it has steps. */
export interface SessionHeader {
  readonly name: string;
  readonly live: boolean;
  /** Undefined: the run has steps and they can be drawn; 'none': it has none (no Steps button); else why they cannot be drawn now. */
  readonly stepsWhy?: 'none' | string;
}

/** Whether a button is in the toolbar for this session: Steps only where there are steps. */
export function buttonShown(b: ToolbarButton, session: SessionHeader): boolean {
  return !b.stepsOnly || session.stepsWhy !== 'none';
}

/** Whether a shown button can be used now, and why not. */
export function buttonState(b: ToolbarButton, session: SessionHeader): { enabled: boolean; why?: string } {
  if (b.stepsOnly && session.stepsWhy !== undefined) return { enabled: false, why: session.stepsWhy };
  return { enabled: buttonEnabled(b.action, session.live) };
}

export const DEFAULT_TITLE = 'Headroom Timeline';

export interface ToolbarHandlers {
  /** Runs a button's action. */
  run(action: ToolbarAction): void;
  /** A toggle's state, read after its action runs. */
  pressed(action: ToolbarAction): boolean;
}

export class Header {
  readonly element = el('header');
  private readonly title = el('h1', undefined, DEFAULT_TITLE);
  private readonly status = el('span', 'status');
  private readonly buttons = new Map<ToolbarAction, HTMLButtonElement>();
  private readonly toolbar = el('div', 'toolbar');
  /** The buttons and separators in order, each button with its spec: the toolbar is made of those shown. */
  private readonly items: { spec?: ToolbarButton; node: HTMLElement }[] = [];

  constructor(private readonly handlers: ToolbarHandlers) {
    const toolbar = this.toolbar;
    // Nothing to act on until there is a session: the empty state offers its own buttons.
    toolbar.hidden = true;
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Timeline actions');
    let group: ToolbarButton['group'] | undefined;
    for (const spec of TOOLBAR_BUTTONS) {
      if (group && group !== spec.group) this.items.push({ node: el('span', 'separator') });
      group = spec.group;
      const b = el('button', 'icon-button');
      b.type = 'button';
      b.append(codicon(spec.icon));
      b.title = buttonTitle(spec, true);
      b.setAttribute('aria-label', spec.label);
      b.dataset.action = spec.action;
      b.addEventListener('click', () => {
        handlers.run(spec.action);
        if (spec.toggle) this.setPressed(spec.action, handlers.pressed(spec.action));
      });
      if (spec.toggle) this.setPressed(spec.action, handlers.pressed(spec.action), b);
      this.buttons.set(spec.action, b);
      this.items.push({ spec, node: b });
    }
    toolbar.append(...this.items.filter((i) => !i.spec?.stepsOnly).map((i) => i.node));
    this.title.className = 'title';
    const name = el('div', 'session');
    name.append(this.title, this.status);
    this.element.append(name, toolbar);
  }

  setPressed(action: ToolbarAction, pressed: boolean, button = this.buttons.get(action)): void {
    button?.setAttribute('aria-pressed', String(pressed));
  }

  /** The session's name, whether it is still running and whether it has steps; the toggles' states. */
  showSession(session: SessionHeader): void {
    const { name, live } = session;
    this.title.textContent = name;
    this.title.title = name;
    this.status.textContent = live ? 'live' : 'ended';
    this.status.className = `status ${live ? 'live' : ''}`;
    this.toolbar.hidden = false;
    const shown = this.items.filter((i) => !i.spec || buttonShown(i.spec, session)).map((i) => i.node);
    if (shown.length !== this.toolbar.childElementCount) this.toolbar.replaceChildren(...shown);
    for (const spec of TOOLBAR_BUTTONS) {
      const b = this.buttons.get(spec.action);
      if (!b) continue;
      const { enabled, why } = buttonState(spec, session);
      b.disabled = !enabled;
      b.title = buttonTitle(spec, enabled, why);
      if (spec.toggle) this.setPressed(spec.action, this.handlers.pressed(spec.action), b);
    }
  }

  /** Back to the title with no session. */
  clearSession(): void {
    this.title.textContent = DEFAULT_TITLE;
    this.status.textContent = '';
    this.toolbar.hidden = true;
  }
}

/** A toggle button's state in the timeline's state (false for plain buttons); `steps`: drawn against steps. */
export function isPressed(state: { readonly follow: boolean; readonly fromZero: boolean; readonly steps?: boolean }, action: ToolbarAction): boolean {
  return action === 'follow' ? state.follow : action === 'fromZero' ? state.fromZero : action === 'steps' ? state.steps === true : false;
}
