// The header: the session's title, its live/ended status and the toolbar. Each button
// carries its action in `data-action` (tests and code find buttons by it, never by label).
import { el } from './dom';

export type ToolbarAction = 'follow' | 'fromZero' | 'resetZoom' | 'forceCleanup' | 'exportCsv' | 'exportRecording' | 'openRecording' | 'compare' | 'exportPng';

/** The buttons in order; toggles show their state in aria-pressed. */
export const TOOLBAR_BUTTONS: readonly { readonly action: ToolbarAction; readonly label: string; readonly toggle?: true }[] = [
  { action: 'follow', label: 'Follow live', toggle: true },
  { action: 'fromZero', label: 'From zero', toggle: true },
  { action: 'resetZoom', label: 'Reset zoom' },
  { action: 'forceCleanup', label: 'Force Cleanup' },
  { action: 'exportCsv', label: 'Export CSV' },
  { action: 'exportRecording', label: 'Save Recording' },
  { action: 'openRecording', label: 'Open Recording' },
  { action: 'compare', label: 'Compare…' },
  { action: 'exportPng', label: 'Export PNG' },
];

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
