// The header: the session's title, its live/ended status and the toolbar. Each button
// carries its action in `data-action` (tests and code find buttons by it, never by label).
import { el } from './dom';

export type ToolbarAction = 'follow' | 'fromZero' | 'resetZoom' | 'forceCleanup' | 'exportCsv' | 'exportRecording' | 'openRecording' | 'compare' | 'exportPng';

/** The buttons in order, with what each does; toggles show their state in aria-pressed. */
export const TOOLBAR_BUTTONS: readonly { readonly action: ToolbarAction; readonly label: string; readonly tip: string; readonly toggle?: true; readonly liveOnly?: true }[] = [
  { action: 'follow', label: 'Follow live', tip: 'Keep the newest samples in view while the program runs', toggle: true, liveOnly: true },
  { action: 'fromZero', label: 'Relative to start', tip: "Show each series relative to its first value: the memory gained since the run started", toggle: true },
  { action: 'resetZoom', label: 'Reset zoom', tip: 'Show the whole run' },
  { action: 'forceCleanup', label: 'Force Cleanup', tip: 'Run gc, malloc_trim and the framework cache cleanups inside the program, and show what was freed', liveOnly: true },
  { action: 'exportCsv', label: 'Export CSV', tip: 'Save the raw samples as CSV' },
  { action: 'exportRecording', label: 'Save Recording', tip: "Save a copy of this session's recording (NDJSON)" },
  { action: 'openRecording', label: 'Open Recording', tip: 'Open a saved recording in a timeline of its own' },
  { action: 'compare', label: 'Compare…', tip: 'Draw another recording over this one and compare their checkpoints' },
  { action: 'exportPng', label: 'Export PNG', tip: 'Save the chart as an image' },
];

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

  constructor(handlers: ToolbarHandlers) {
    const toolbar = el('div', 'toolbar');
    for (const spec of TOOLBAR_BUTTONS) {
      const b = el('button', undefined, spec.label);
      b.type = 'button';
      b.title = spec.tip;
      b.dataset.action = spec.action;
      b.addEventListener('click', () => {
        handlers.run(spec.action);
        if (spec.toggle) this.setPressed(spec.action, handlers.pressed(spec.action));
      });
      if (spec.toggle) this.setPressed(spec.action, handlers.pressed(spec.action), b);
      this.buttons.set(spec.action, b);
      toolbar.append(b);
    }
    this.element.append(this.title, this.status, toolbar);
  }

  setPressed(action: ToolbarAction, pressed: boolean, button = this.buttons.get(action)): void {
    button?.setAttribute('aria-pressed', String(pressed));
  }

  /** The session's name and whether it is still running. */
  showSession(name: string, live: boolean): void {
    this.title.textContent = name;
    this.status.textContent = live ? 'live' : 'ended';
    this.status.className = `status ${live ? 'live' : ''}`;
    for (const [action, b] of this.buttons) b.disabled = !buttonEnabled(action, live);
  }

  /** Back to the title with no session. */
  clearSession(): void {
    this.title.textContent = DEFAULT_TITLE;
    this.status.textContent = '';
  }
}

/** A toggle button's state in the timeline's state (false for plain buttons). */
export function isPressed(state: { readonly follow: boolean; readonly fromZero: boolean }, action: ToolbarAction): boolean {
  return action === 'follow' ? state.follow : action === 'fromZero' ? state.fromZero : false;
}
