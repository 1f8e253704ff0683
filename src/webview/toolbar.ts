// The header: the session's title, its live/ended status and the toolbar of codicon buttons
// (as VS Code's own title bars have: ten text buttons wrapped to three rows in a half-width
// column). Each button carries its action in `data-action` (tests and code find buttons by
// it), says what it does in its tooltip and aria-label, and toggles show aria-pressed.
import { codicon, el } from './dom';

export type ToolbarAction = 'follow' | 'fromZero' | 'resetZoom' | 'forceCleanup' | 'exportCsv' | 'exportRecording' | 'openRecording' | 'compare' | 'exportPng';

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
}

/** The buttons in order, with what each does. */
export const TOOLBAR_BUTTONS: readonly ToolbarButton[] = [
  { action: 'follow', label: 'Follow live', tip: 'Keep the newest samples in view while the program runs', icon: 'eye', group: 'view', toggle: true, liveOnly: true },
  { action: 'fromZero', label: 'Relative to start', tip: 'Show each series relative to its first value: the memory gained since the run started', icon: 'arrow-up', group: 'view', toggle: true },
  { action: 'resetZoom', label: 'Reset zoom', tip: 'Show the whole run', icon: 'zoom-out', group: 'view' },
  { action: 'forceCleanup', label: 'Force Cleanup', tip: 'Run gc, malloc_trim and the framework cache cleanups inside the program, and show what was freed', icon: 'clear-all', group: 'program', liveOnly: true },
  { action: 'compare', label: 'Compare…', tip: 'Draw another recording over this one and compare their checkpoints', icon: 'diff', group: 'program' },
  { action: 'openRecording', label: 'Open Recording…', tip: 'Open a saved recording in a timeline of its own', icon: 'folder-opened', group: 'files' },
  { action: 'exportRecording', label: 'Save Recording…', tip: "Save a copy of this session's recording (NDJSON)", icon: 'save', group: 'files' },
  { action: 'exportCsv', label: 'Export CSV…', tip: 'Save the raw samples as CSV', icon: 'table', group: 'files' },
  { action: 'exportPng', label: 'Export PNG', tip: 'Save the chart as an image', icon: 'file-media', group: 'files' },
];

/** A button's tooltip: its name, then what it does; an unavailable one says why. */
export function buttonTitle(b: ToolbarButton, enabled: boolean): string {
  return `${b.label}: ${b.tip}${enabled ? '' : ' (needs a running program)'}`;
}

/** Whether a button applies: following and cleaning up need a running program. */
export function buttonEnabled(action: ToolbarAction, live: boolean): boolean {
  return live || !TOOLBAR_BUTTONS.find((b) => b.action === action)?.liveOnly;
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

  constructor(handlers: ToolbarHandlers) {
    const toolbar = this.toolbar;
    // Nothing to act on until there is a session: the empty state offers its own buttons.
    toolbar.hidden = true;
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', 'Timeline actions');
    let group: ToolbarButton['group'] | undefined;
    for (const spec of TOOLBAR_BUTTONS) {
      if (group && group !== spec.group) toolbar.append(el('span', 'separator'));
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
      toolbar.append(b);
    }
    this.title.className = 'title';
    const name = el('div', 'session');
    name.append(this.title, this.status);
    this.element.append(name, toolbar);
  }

  setPressed(action: ToolbarAction, pressed: boolean, button = this.buttons.get(action)): void {
    button?.setAttribute('aria-pressed', String(pressed));
  }

  /** The session's name and whether it is still running. */
  showSession(name: string, live: boolean): void {
    this.title.textContent = name;
    this.title.title = name;
    this.status.textContent = live ? 'live' : 'ended';
    this.status.className = `status ${live ? 'live' : ''}`;
    this.toolbar.hidden = false;
    for (const spec of TOOLBAR_BUTTONS) {
      const b = this.buttons.get(spec.action);
      if (!b) continue;
      b.disabled = !buttonEnabled(spec.action, live);
      b.title = buttonTitle(spec, !b.disabled);
    }
  }

  /** Back to the title with no session. */
  clearSession(): void {
    this.title.textContent = DEFAULT_TITLE;
    this.status.textContent = '';
    this.toolbar.hidden = true;
  }
}

/** A toggle button's state in the timeline's state (false for plain buttons). */
export function isPressed(state: { readonly follow: boolean; readonly fromZero: boolean }, action: ToolbarAction): boolean {
  return action === 'follow' ? state.follow : action === 'fromZero' ? state.fromZero : false;
}
