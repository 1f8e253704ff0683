// A small terminal emulator for tests: enough of VT100/xterm to replay what `headroom run` and
// a line-printing program write (printing with autowrap, CR/LF/BS/TAB, IND/RI/NEL, DECSC/DECRC,
// CUP/CUU/CUD/CUF/CUB/CHA/VPA, EL, ED, DECSTBM; SGR and modes are read and ignored), with a
// scrollback and xterm's resize (rows come from the scrollback when it grows). A hook runs
// after every control function, so a test can check the screen between any two of them.

interface Cursor {
  row: number;
  col: number;
  wrap: boolean;
}

export class Screen {
  rows: number;
  cols: number;
  /** Lines scrolled off the top of the screen, oldest first. */
  readonly history: string[] = [];
  private grid: string[][];
  private cur: Cursor = { row: 0, col: 0, wrap: false };
  private saved: Cursor = { row: 0, col: 0, wrap: false };
  top = 0;
  bottom: number;
  private pending = '';

  constructor(
    rows: number,
    cols: number,
    private readonly afterControl: (s: Screen) => void = () => undefined,
  ) {
    this.rows = rows;
    this.cols = cols;
    this.bottom = rows - 1;
    this.grid = Array.from({ length: rows }, () => this.blank());
  }

  /** The screen's rows as text, trailing spaces trimmed. */
  lines(): string[] {
    return this.grid.map((r) => r.join('').trimEnd());
  }

  /** Everything the terminal shows or showed: scrollback, then the screen. */
  transcript(): string[] {
    return [...this.history, ...this.lines()];
  }

  get cursor(): Readonly<Cursor> {
    return this.cur;
  }

  /** Whether the whole screen scrolls (no margins set). */
  get fullRegion(): boolean {
    return this.top === 0 && this.bottom === this.rows - 1;
  }

  feed(text: string): void {
    const s = this.pending + text;
    this.pending = '';
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c === '\x1b') {
        const end = this.escape(s, i);
        if (end < 0) {
          this.pending = s.slice(i); // a sequence split across reads
          return;
        }
        i = end;
        this.afterControl(this);
        continue;
      }
      if (c < ' ' || c === '\x7f') {
        this.control(c);
        i++;
        this.afterControl(this);
        continue;
      }
      const cp = s.codePointAt(i) as number;
      this.print(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
    }
  }

  /** xterm's resize: rows lost from the bottom below the cursor first, then from the top into the scrollback; rows gained come from the scrollback, then empty at the bottom. */
  resize(rows: number, cols: number): void {
    for (const r of this.grid) {
      r.length = Math.min(r.length, cols);
      while (r.length < cols) r.push(' ');
    }
    this.cols = cols;
    while (this.grid.length > rows) {
      if (this.grid.length - 1 > this.cur.row) this.grid.pop();
      else {
        this.history.push((this.grid.shift() as string[]).join('').trimEnd());
        this.cur.row--;
      }
    }
    while (this.grid.length < rows) {
      const back = this.history.pop();
      if (back !== undefined) {
        this.grid.unshift(Array.from(back.padEnd(cols).slice(0, cols)));
        this.cur.row++;
      } else this.grid.push(this.blank());
    }
    this.rows = rows;
    this.top = 0;
    this.bottom = rows - 1;
    this.cur.col = Math.min(this.cur.col, cols - 1);
    this.cur.wrap = false;
  }

  private blank(): string[] {
    return Array<string>(this.cols).fill(' ');
  }

  private print(ch: string): void {
    if (this.cur.wrap) {
      this.cur.col = 0;
      this.index();
      this.cur.wrap = false;
    }
    this.grid[this.cur.row][this.cur.col] = ch;
    if (this.cur.col === this.cols - 1) this.cur.wrap = true;
    else this.cur.col++;
  }

  private control(c: string): void {
    this.cur.wrap = c === '\x07' ? this.cur.wrap : false;
    if (c === '\r') this.cur.col = 0;
    else if (c === '\n' || c === '\x0b' || c === '\x0c') this.index();
    else if (c === '\b') this.cur.col = Math.max(0, this.cur.col - 1);
    else if (c === '\t') this.cur.col = Math.min(this.cols - 1, (Math.floor(this.cur.col / 8) + 1) * 8);
  }

  /** Down one row; at the bottom margin the region scrolls up (into the scrollback when it starts at the top). */
  private index(): void {
    if (this.cur.row === this.bottom) {
      const gone = this.grid.splice(this.top, 1)[0];
      if (this.top === 0) this.history.push(gone.join('').trimEnd());
      this.grid.splice(this.bottom, 0, this.blank());
    } else if (this.cur.row < this.rows - 1) this.cur.row++;
  }

  private reverseIndex(): void {
    if (this.cur.row === this.top) {
      this.grid.splice(this.bottom, 1);
      this.grid.splice(this.top, 0, this.blank());
    } else if (this.cur.row > 0) this.cur.row--;
  }

  /** Handles the escape sequence at s[i]; returns the index after it, or -1 if it is not complete yet. */
  private escape(s: string, i: number): number {
    if (i + 1 >= s.length) return -1;
    const k = s[i + 1];
    if (k === '[') {
      let j = i + 2;
      while (j < s.length && !(s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e)) j++;
      if (j >= s.length) return -1;
      this.csi(s.slice(i + 2, j), s[j]);
      return j + 1;
    }
    if (k === ']') {
      const bel = s.indexOf('\x07', i);
      const st = s.indexOf('\x1b\\', i);
      const ends = [bel < 0 ? Infinity : bel + 1, st < 0 ? Infinity : st + 2];
      const end = Math.min(...ends);
      return end === Infinity ? -1 : end;
    }
    if (k === '(' || k === ')') return i + 2 < s.length ? i + 3 : -1;
    this.cur.wrap = k === '7' || k === '8' ? this.cur.wrap : false;
    if (k === '7') this.saved = { ...this.cur };
    else if (k === '8') this.cur = { ...this.saved };
    else if (k === 'D') this.index();
    else if (k === 'M') this.reverseIndex();
    else if (k === 'E') {
      this.cur.col = 0;
      this.index();
    }
    return i + 2;
  }

  private csi(params: string, final: string): void {
    const priv = /^[?>=]/.test(params);
    const n = params.replace(/^[?>=]/, '').split(';').map((p) => (p === '' ? undefined : Number(p)));
    const a = (idx: number, d: number) => n[idx] ?? d;
    if (priv || final === 'm' || final === 'h' || final === 'l') return;
    this.cur.wrap = false;
    const c = this.cur;
    const clampRow = (r: number) => Math.max(0, Math.min(this.rows - 1, r));
    const clampCol = (x: number) => Math.max(0, Math.min(this.cols - 1, x));
    switch (final) {
      case 'A':
        c.row = Math.max(c.row >= this.top ? this.top : 0, c.row - Math.max(1, a(0, 1)));
        break;
      case 'B':
        c.row = Math.min(c.row <= this.bottom ? this.bottom : this.rows - 1, c.row + Math.max(1, a(0, 1)));
        break;
      case 'C':
        c.col = clampCol(c.col + Math.max(1, a(0, 1)));
        break;
      case 'D':
        c.col = clampCol(c.col - Math.max(1, a(0, 1)));
        break;
      case 'G':
        c.col = clampCol(a(0, 1) - 1);
        break;
      case 'd':
        c.row = clampRow(a(0, 1) - 1);
        break;
      case 'H':
      case 'f':
        c.row = clampRow(a(0, 1) - 1);
        c.col = clampCol(a(1, 1) - 1);
        break;
      case 'K': {
        const row = this.grid[c.row];
        const mode = a(0, 0);
        for (let x = 0; x < this.cols; x++) if (mode === 2 || (mode === 0 && x >= c.col) || (mode === 1 && x <= c.col)) row[x] = ' ';
        break;
      }
      case 'J': {
        const mode = a(0, 0);
        for (let r = 0; r < this.rows; r++)
          for (let x = 0; x < this.cols; x++) {
            const after = r > c.row || (r === c.row && x >= c.col);
            if (mode === 2 || mode === 3 || (mode === 0 && after) || (mode === 1 && !after)) this.grid[r][x] = ' ';
          }
        break;
      }
      case 'r': {
        const top = a(0, 1) - 1;
        const bottom = a(1, this.rows) - 1;
        if (top < bottom && bottom < this.rows) {
          this.top = top;
          this.bottom = bottom;
          c.row = 0;
          c.col = 0;
        }
        break;
      }
    }
  }
}
