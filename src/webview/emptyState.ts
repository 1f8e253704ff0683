// What the panel says when it has nothing to draw, and what the checkpoints table says when
// it has no rows: why, and what to do. The empty panel's buttons ask the host for one of a
// closed set of commands (a typed message, never a command URI). The helpers above the class are pure.
import type { Reporter, StartCommand } from '../shared/webviewMessages';
import { codicon, el } from './dom';

/** The empty panel's buttons: the commands' own titles, so they read as in the palette. */
export const START_BUTTONS: Readonly<Record<StartCommand, { readonly label: string; readonly icon: string; readonly tip: string }>> = {
  runPythonFile: { label: 'Run Python File with Headroom', icon: 'play', tip: 'Run the Python file open beside this panel (or one you pick) and watch its memory' },
  attachProcess: { label: 'Attach to Process...', icon: 'debug-alt', tip: 'Watch the memory of a process that is already running' },
  openRecording: { label: 'Open Recording...', icon: 'folder-opened', tip: 'Open a saved Headroom recording (.ndjson)' },
};

/** Text with code in it: a string is plain text, `{ code }` is shown as code. */
export type Segment = string | { readonly code: string };

const CALL = 'import headroom; headroom.checkpoint("label")';

/**
 * The checkpoints table's line when it has no rows. A process no client speaks for (attached,
 * or run without `headroom` calls) will never send any: it says so and how, rather than
 * "No checkpoints yet" as if they were coming.
 */
export function noCheckpointsText(reporter: Reporter | undefined, live: boolean): Segment[] {
  if (reporter === 'recording') return ['This recording has no checkpoints.'];
  if (reporter === 'none') {
    return live
      ? ['This process does not report checkpoints: add ', { code: CALL }, ' to it, or run it with Headroom.']
      : ['This process reported no checkpoints: add ', { code: CALL }, ' to it and run it with Headroom.'];
  }
  return ['No checkpoints yet: call ', { code: 'headroom.checkpoint("label")' }, ' in your program.'];
}

/** Segments as DOM nodes: text nodes and <code>, all through textContent. */
export function segmentNodes(segments: readonly Segment[]): Node[] {
  return segments.map((s) => (typeof s === 'string' ? document.createTextNode(s) : el('code', undefined, s.code)));
}

/** The panel's empty state: a message and, with no session, buttons that start one. */
export class EmptyState {
  readonly element = el('div', 'empty');
  private readonly message = el('p');
  private readonly actions = el('div', 'actions');

  constructor(run: (command: StartCommand) => void) {
    this.element.append(this.message, this.actions);
    this.actions.setAttribute('role', 'group');
    this.actions.setAttribute('aria-label', 'Start monitoring');
    for (const [command, spec] of Object.entries(START_BUTTONS) as [StartCommand, (typeof START_BUTTONS)[StartCommand]][]) {
      const b = el('button', command === 'runPythonFile' ? 'primary' : 'secondary');
      b.type = 'button';
      b.dataset.command = command;
      b.title = spec.tip;
      b.append(codicon(spec.icon), el('span', undefined, spec.label));
      b.addEventListener('click', () => run(command));
      this.actions.append(b);
    }
  }

  set hidden(hidden: boolean) {
    this.element.hidden = hidden;
  }

  /** Shows `message` and the buttons of `commands` (none: no buttons). */
  show(message: string, commands: readonly StartCommand[] = []): void {
    this.element.hidden = false;
    this.message.textContent = message;
    for (const b of this.actions.querySelectorAll<HTMLButtonElement>('button')) b.hidden = !commands.includes(b.dataset.command as StartCommand);
    this.actions.hidden = commands.length === 0;
  }
}
