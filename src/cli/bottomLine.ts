// A status line on the terminal's bottom row, kept apart from the program's own output the way
// apt keeps its progress bar: the rows above are a scroll region (DECSTBM) that the program's
// lines scroll in, the bottom row is outside it and only ever written between a cursor save
// and restore. The program writes straight to the terminal, so its stdout stays a real TTY,
// and a line it has half written stays where it was.

const SAVE = '\x1b7'; // DECSC: cursor position, attributes, pending wrap
const RESTORE = '\x1b8'; // DECRC
const FULL_REGION = '\x1b[r'; // DECSTBM with no margins: the whole screen scrolls again
const INDEX = '\x1bD'; // IND: down one row in the same column, scrolling at the bottom margin
const UP = '\x1b[A';
const PLAIN_CLEAR = '\x1b[0m\x1b[2K'; // attributes reset first, so the cleared row has no colour
const region = (bottom: number) => `\x1b[1;${bottom}r`;
const row = (n: number) => `\x1b[${n};1H`;

export interface TerminalSize {
  readonly rows: number;
  readonly cols: number;
}

/** Fewer rows and the program would have too little room; fewer columns and no figure fits. */
export const MIN_ROWS = 4;
export const MIN_COLS = 20;

export function fits(size: TerminalSize | undefined): size is TerminalSize {
  return !!size && Number.isInteger(size.rows) && Number.isInteger(size.cols) && size.rows >= MIN_ROWS && size.cols >= MIN_COLS;
}

/**
 * Makes the bottom row the status row without moving the program's cursor: IND first (on the
 * last row it scrolls everything up one, so the cursor's line is not the one given to the
 * status), then the region, which homes the cursor, hence the save and restore around it,
 * then back up the row IND went down. Column and half-written line are kept.
 */
export function reserveSequence(rows: number): string {
  return `${INDEX}${SAVE}${region(rows - 1)}${RESTORE}${UP}`;
}

/**
 * After a resize: the whole screen, the bottom row reserved again for the new height, and
 * everything from the program's cursor on erased: the rest of its line and the rows below.
 * Where the old status row went depends on the terminal (pulled down with the lines from the
 * scrollback, or left where it was with empty rows added below it), and on whether the program
 * wrote a line between the resize and this (its newline can land on the old status row, which
 * the reserve's IND then scrolls up onto the cursor's row). Either way it is at or below the
 * cursor, and left there the program's next lines would be written over it and keep its tail.
 * What the program wrote on its line is before the cursor, and is kept.
 */
export function resizeSequence(rows: number): string {
  const eraseBelow = `${SAVE}\x1b[0m\x1b[J${RESTORE}`;
  return `${SAVE}${FULL_REGION}${RESTORE}${reserveSequence(rows)}${SAVE}${FULL_REGION}${RESTORE}${eraseBelow}${SAVE}${region(rows - 1)}${RESTORE}`;
}

/** The status text on the bottom row, the program's cursor and attributes untouched. */
export function drawSequence(size: TerminalSize, text: string): string {
  return `${SAVE}${row(size.rows)}${PLAIN_CLEAR}${fitWidth(text, size.cols - 1)}${RESTORE}`;
}

/** The whole screen back to scrolling, and the status row left empty. */
export function releaseSequence(rows: number): string {
  return `${SAVE}${FULL_REGION}${row(rows)}${PLAIN_CLEAR}${RESTORE}`;
}

/**
 * Puts the cursor at the start of an empty line when the program left one half written, and
 * keeps it where it is otherwise (zsh's PROMPT_SP): `cols` spaces from column 0 fill the row
 * and stop at its end, from any later column they wrap onto the next row; the carriage return
 * then goes to column 0 of whichever row that is. Whatever comes next is never glued to the
 * program's last line.
 */
export function freshLineSequence(cols: number): string {
  return `${' '.repeat(cols)}\r`;
}

/** Columns a code point takes on a terminal: 2 for East Asian wide and emoji, 0 for combining marks. */
function cellWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/**
 * `text` cut to `width` terminal columns, with `…` where it was cut: a status wider than the
 * row would wrap, and a wrap on the last row scrolls the whole screen.
 */
export function fitWidth(text: string, width: number): string {
  const cps = Array.from(text);
  const widths = cps.map((c) => cellWidth(c.codePointAt(0) as number));
  if (widths.reduce((a, b) => a + b, 0) <= width) return text;
  let used = 0;
  let i = 0;
  while (i < cps.length && used + widths[i] <= width - 1) used += widths[i++];
  return cps.slice(0, i).join('') + '…';
}

/**
 * The bottom row reserved for a status while the program runs. Every change of the screen is
 * one write (a terminal write is not interleaved with the program's), and `stop` always gives
 * the screen back: a scroll region left behind would break the user's shell.
 */
export class BottomLine {
  private size: TerminalSize | undefined;
  private text = '';

  constructor(private readonly write: (s: string) => void) {}

  /** Whether the bottom row is reserved now. */
  get active(): boolean {
    return this.size !== undefined;
  }

  /** Reserves the bottom row; false, with nothing written, on a terminal too small for it. */
  start(size: TerminalSize | undefined): boolean {
    if (this.size || !fits(size)) return !!this.size;
    this.size = { rows: size.rows, cols: size.cols };
    this.write(reserveSequence(size.rows) + (this.text ? drawSequence(size, this.text) : ''));
    return true;
  }

  /** Whether the bottom row is reserved for a terminal of this size. */
  isSize(size: TerminalSize): boolean {
    return !!this.size && this.size.rows === size.rows && this.size.cols === size.cols;
  }

  /** Shows `text` on the bottom row (kept for a redraw after a resize or a resume). */
  draw(text: string): void {
    this.text = text;
    if (this.size) this.write(drawSequence(this.size, text));
  }

  /**
   * The terminal changed size: the region is set anew for the new height and the status
   * redrawn; a terminal now too small gets its whole screen back.
   */
  resize(size: TerminalSize | undefined): void {
    if (!this.size) return;
    if (!fits(size)) {
      this.stop();
      return;
    }
    this.size = { rows: size.rows, cols: size.cols };
    this.write(resizeSequence(size.rows) + (this.text ? drawSequence(size, this.text) : ''));
  }

  /** Gives the whole screen back with the status row empty. Safe to call more than once. */
  stop(): void {
    if (!this.size) return;
    const rows = this.size.rows;
    this.size = undefined;
    this.write(releaseSequence(rows));
  }
}
