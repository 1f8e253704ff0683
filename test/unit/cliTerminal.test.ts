import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Screen } from './terminal/vt';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const PYTHON = '/usr/bin/python3';
const STATUS = '[headroom] RSS ';

/**
 * Thirty numbered lines over about two and a half seconds, a third of them on stderr, each
 * after a 2 MiB allocation and a checkpoint; one line written in two halves 0.6 s apart (the
 * status is redrawn in between), and a last line with no newline.
 */
const PROGRAM = `import sys, time, headroom
keep = []
for i in range(1, 31):
    keep.append(bytearray(2 << 20))
    headroom.checkpoint("step %d" % i)
    out = sys.stderr if i % 3 == 0 else sys.stdout
    out.write("line %02d %s\\n" % (i, "=" * (i % 20 + 10)))
    out.flush()
    if i == 12:
        sys.stdout.write("partial-start"); sys.stdout.flush(); time.sleep(0.6)
        sys.stdout.write(" partial-end\\n"); sys.stdout.flush()
    time.sleep(0.06)
sys.stdout.write("no newline at exit"); sys.stdout.flush()
`;
const PROGRAM_LINES = [...Array.from({ length: 30 }, (_, k) => `line ${String(k + 1).padStart(2, '0')} ${'='.repeat(((k + 1) % 20) + 10)}`), 'partial-start partial-end', 'no newline at exit'];

interface PtyEvent {
  data?: string;
  resize?: [number, number];
  stopped?: boolean;
  continued?: boolean;
  signal?: string;
}

interface Replay {
  screen: Screen;
  raw: string;
  code: number | null;
  /** Times a screen was seen with the status on its bottom row. */
  statusSeen: number;
  /** The screen when the job was stopped (Ctrl-Z), and how often the status was seen after it resumed. */
  whenStopped?: { fullRegion: boolean; lines: string[] };
  statusSeenAfterResume: number;
}

/**
 * Runs `headroom run` on a real pseudo-terminal (test/unit/terminal/ptyRun.py) and replays what
 * it wrote through the emulator, checking after every control function that no row holds both
 * the status and anything else, and that the status is only ever on the bottom row.
 */
function runOnTerminal(dir: string, opts: { rows: number; cols: number; args?: string[]; resizes?: [number, number, number][]; quietResizes?: boolean; stopAt?: number; signals?: [number, string][] }): Replay {
  const script = join(dir, 'prints.py');
  writeFileSync(script, PROGRAM);
  const cfg = {
    argv: [process.execPath, cli, 'run', '--no-gpu', '--interval', '50', ...(opts.args ?? []), '--', PYTHON, script],
    rows: opts.rows,
    cols: opts.cols,
    env: { TERM: 'xterm-256color' },
    resizes: opts.resizes ?? [],
    quiet_resizes: opts.quietResizes ?? false,
    stop_at: opts.stopAt,
    signals: opts.signals ?? [],
  };
  const r = spawnSync(PYTHON, [join(__dirname, 'terminal', 'ptyRun.py'), JSON.stringify(cfg)], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, r.stderr);
  const { events, code } = JSON.parse(r.stdout) as { events: PtyEvent[]; code: number | null };
  const out: Replay = { screen: undefined as unknown as Screen, raw: '', code, statusSeen: 0, statusSeenAfterResume: 0 };
  let resumed = false;
  let resizedSinceDraw = false;
  const check = (s: Screen) => {
    const lines = s.lines();
    lines.forEach((l, row) => {
      if (!l.includes('[headroom]')) return;
      assert.ok(l.startsWith(STATUS), `row ${row} shares the status with other text: ${JSON.stringify(l)}\n${lines.join('\n')}`);
      assert.ok(!/line \d\d|partial|no newline/.test(l), `program text on the status row ${row}: ${JSON.stringify(l)}`);
      // Right after a resize the terminal may have moved the old status row until headroom redraws.
      if (!resizedSinceDraw) assert.equal(row, s.rows - 1, `the status is on row ${row}, not the bottom one\n${lines.join('\n')}`);
      if (row === s.rows - 1) {
        out.statusSeen++;
        if (resumed) out.statusSeenAfterResume++;
      }
    });
    // Redrawn for the new size: the region set to the rows above the bottom one, and the status on
    // it. A status that only happens to be there (the old one, moved by the resize) is no redraw.
    if (s.top === 0 && s.bottom === s.rows - 2 && lines[s.rows - 1].startsWith(STATUS)) resizedSinceDraw = false;
  };
  const decoder = new TextDecoder();
  out.screen = new Screen(opts.rows, opts.cols, check);
  for (const e of events) {
    if (e.data !== undefined) {
      const text = decoder.decode(Buffer.from(e.data, 'base64'), { stream: true });
      out.raw += text;
      out.screen.feed(text);
    } else if (e.resize) {
      out.screen.resize(e.resize[0], e.resize[1]);
      resizedSinceDraw = true;
    } else if (e.stopped) out.whenStopped = { fullRegion: out.screen.fullRegion, lines: out.screen.lines() };
    else if (e.continued) resumed = true;
  }
  return out;
}

/** Every program line on a row of its own, whole, exactly once; the summary on rows of its own after them. */
function assertProgramLinesIntact(r: Replay, expected = PROGRAM_LINES) {
  const rows = r.screen.transcript();
  for (const line of expected) {
    const at = rows.filter((x) => x === line);
    assert.equal(at.length, 1, `"${line}" should be one whole row; rows holding it: ${JSON.stringify(rows.filter((x) => x.includes(line.slice(0, 8))))}\n${rows.join('\n')}`);
  }
  // The summary's first row (it may wrap on a narrow terminal).
  const summary = rows.findIndex((x) => x.startsWith(`headroom: ${PYTHON} `));
  assert.ok(summary >= 0, `no summary row\n${rows.join('\n')}`);
  const lastProgram = Math.max(...expected.map((l) => rows.indexOf(l)));
  assert.ok(summary > lastProgram, 'the summary comes after the program output');
}

/** The terminal as the user's shell gets it back: the whole screen scrolls, no status left anywhere. */
function assertScreenGivenBack(r: Replay) {
  assert.ok(r.screen.fullRegion, `scroll region left at ${r.screen.top + 1};${r.screen.bottom + 1}`);
  const stale = r.screen.transcript().filter((x) => x.includes(STATUS));
  assert.deepEqual(stale, [], 'a status line was left on the screen or in the scrollback');
}

describe('headroom run on a terminal (real pseudo-terminal, replayed through an emulator)', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-tty-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the live status on the bottom row, never on a row of program output, and gives the screen back', () => {
    const r = runOnTerminal(dir, { rows: 12, cols: 80 });
    assert.equal(r.code, 0, r.screen.transcript().join('\n'));
    assert.ok(r.statusSeen >= 3, `the status was drawn ${r.statusSeen} times`);
    assert.match(r.raw, /\[headroom\] RSS [0-9.]+ [kMG]?B \| peak [0-9.]+ [kMG]?B \| system \d+% \| last: step \d+/);
    assertProgramLinesIntact(r);
    assertScreenGivenBack(r);
  });

  it('follows the terminal through resizes: smaller, larger with and without scrollback, narrower', () => {
    // The program is held from each resize to headroom's redraw (ptyRun's quiet_resizes): lines
    // written in between land wherever the terminal and the timing put them, tested apart.
    const r = runOnTerminal(dir, { rows: 10, cols: 80, resizes: [[0.3, 14, 80], [0.9, 8, 70], [1.6, 16, 60]], quietResizes: true });
    assert.equal(r.code, 0, r.screen.transcript().join('\n'));
    assert.ok(r.statusSeen >= 3);
    assert.equal(r.screen.rows, 16);
    assertProgramLinesIntact(r);
    assertScreenGivenBack(r);
  });

  it('gives the screen back at Ctrl-Z and takes the bottom row again at fg', () => {
    const r = runOnTerminal(dir, { rows: 12, cols: 80, stopAt: 0.8 });
    assert.equal(r.code, 0, r.screen.transcript().join('\n'));
    assert.ok(r.whenStopped, 'the job stopped');
    assert.ok(r.whenStopped.fullRegion, 'the shell gets the whole screen while the job is stopped');
    assert.ok(!r.whenStopped.lines.some((l) => l.includes(STATUS)), `no status on the stopped screen:\n${r.whenStopped.lines.join('\n')}`);
    assert.ok(r.statusSeenAfterResume >= 1, 'the status is back after fg');
    assertProgramLinesIntact(r);
    assertScreenGivenBack(r);
  });

  it('gives the screen back at Ctrl-C, the traceback intact', () => {
    const r = runOnTerminal(dir, { rows: 12, cols: 80, signals: [[0.8, 'SIGINT']] });
    assert.equal(r.code, 130, 'Python ends itself with SIGINT after a KeyboardInterrupt; 128 + 2 is passed through');
    const rows = r.screen.transcript();
    // Python's own last line; on a loaded machine a second interrupt can reach it while it prints
    // the traceback, and it then writes its fallback (`object type name: KeyboardInterrupt`).
    assert.ok(rows.includes('KeyboardInterrupt') || rows.includes('object type name: KeyboardInterrupt'), rows.join('\n'));
    assert.ok(rows.includes('line 01 ==========='), rows.join('\n'));
    assertScreenGivenBack(r);
  });

  it('gives the screen back at Ctrl-\\, though it ends at once with no summary', () => {
    const r = runOnTerminal(dir, { rows: 12, cols: 80, signals: [[0.8, 'SIGQUIT']] });
    assert.equal(r.code, -3, 'headroom ends of the SIGQUIT, as it would have with no handler');
    assert.ok(r.statusSeen >= 1, 'the status was up when Ctrl-\\ came');
    assert.ok(r.screen.transcript().includes('line 01 ==========='));
    assertScreenGivenBack(r);
  });

  it('draws no status with --quiet, and still never glues the summary to a half-written line', () => {
    const r = runOnTerminal(dir, { rows: 12, cols: 80, args: ['--quiet'] });
    assert.equal(r.code, 0);
    assert.ok(!r.raw.includes('\x1b'), 'no escape sequence at all');
    assert.equal(r.statusSeen, 0);
    assertProgramLinesIntact(r);
  });

  it('writes no escape code and no live line when stderr is not a terminal (CI logs)', () => {
    const script = join(dir, 'prints.py');
    writeFileSync(script, PROGRAM);
    const r = spawnSync(process.execPath, [cli, 'run', '--no-gpu', '--', PYTHON, script], { encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stderr.includes('\x1b') && !r.stdout.includes('\x1b'), 'no escape codes');
    assert.ok(!r.stderr.includes(STATUS), 'no live status line in a log');
    assert.match(r.stderr, /^headroom: .*prints\.py — exit code 0 after /m);
  });
});
