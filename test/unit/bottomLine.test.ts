import * as assert from 'node:assert/strict';
import { BottomLine, drawSequence, fitWidth, freshLineSequence, releaseSequence, reserveSequence, resizeSequence } from '../../src/cli/bottomLine';
import { liveStatus, statusText, type StatusStream } from '../../src/cli/liveStatus';
import type { MonitorTick } from '../../src/engine/monitor';
import type { MonitoringSession } from '../../src/engine/session/monitoringSession';
import { Screen } from './terminal/vt';

/** A 6x20 screen holding five full lines and a half-written sixth, the cursor after it. */
function busyScreen(): Screen {
  const s = new Screen(6, 20);
  s.feed('one\r\ntwo\r\nthree\r\nfour\r\nfive\r\nhalf');
  return s;
}

describe('bottom line escape sequences (replayed through an emulator)', () => {
  it('reserves the bottom row without moving the program off its half-written line', () => {
    const s = busyScreen();
    s.feed(reserveSequence(6));
    assert.deepEqual([s.top, s.bottom], [0, 4], 'rows 1-5 scroll, row 6 is the status row');
    assert.deepEqual(s.lines(), ['two', 'three', 'four', 'five', 'half', '']);
    assert.deepEqual([s.cursor.row, s.cursor.col], [4, 4], 'still after "half"');
    s.feed(drawSequence({ rows: 6, cols: 20 }, 'STATUS'));
    s.feed(' done\r\nnext\r\n');
    assert.deepEqual(s.lines(), ['four', 'five', 'half done', 'next', '', 'STATUS'], 'the program scrolls above the status, its line whole');
    assert.deepEqual(s.history, ['one', 'two', 'three']);
  });

  it('on a screen with room below, reserves without scrolling anything', () => {
    const s = new Screen(6, 20);
    s.feed('a\r\nb');
    s.feed(reserveSequence(6));
    assert.deepEqual(s.lines(), ['a', 'b', '', '', '', '']);
    assert.deepEqual([s.cursor.row, s.cursor.col], [1, 1]);
  });

  it('draws the status cut to the row, the cursor where the program left it', () => {
    const s = busyScreen();
    s.feed(reserveSequence(6));
    s.feed(drawSequence({ rows: 6, cols: 20 }, '[headroom] RSS 1.20 GB | peak 2.00 GB'));
    assert.equal(s.lines()[5], '[headroom] RSS 1.2…');
    assert.deepEqual([s.cursor.row, s.cursor.col], [4, 4]);
    s.feed(drawSequence({ rows: 6, cols: 20 }, 'short'));
    assert.equal(s.lines()[5], 'short', 'a shorter status leaves nothing of the longer one');
  });

  it('gives the whole screen back with the status row empty', () => {
    const s = busyScreen();
    s.feed(reserveSequence(6) + drawSequence({ rows: 6, cols: 20 }, 'STATUS') + releaseSequence(6));
    assert.ok(s.fullRegion);
    assert.equal(s.lines()[5], '');
    assert.deepEqual([s.cursor.row, s.cursor.col], [4, 4]);
  });

  it('after a resize, erases what is below the cursor (a status left behind) and reserves the new bottom row', () => {
    const s = new Screen(6, 20);
    s.feed('a\r\nb\r\n');
    s.feed(reserveSequence(6) + drawSequence({ rows: 6, cols: 20 }, 'STATUS'));
    s.resize(9, 20); // no scrollback to pull rows from: empty rows come below the old status row
    assert.equal(s.lines()[5], 'STATUS');
    s.feed(resizeSequence(9) + drawSequence({ rows: 9, cols: 20 }, 'STATUS'));
    assert.deepEqual(s.lines(), ['a', 'b', '', '', '', '', '', '', 'STATUS']);
    assert.deepEqual([s.top, s.bottom], [0, 7]);
    assert.deepEqual([s.cursor.row, s.cursor.col], [2, 0]);
  });

  it('after a resize, also erases an old status that came to lie on the cursor\'s own row; a half-written line stays whole', () => {
    // The program's newline landed on the old status row after the resize, before the redraw: the
    // status is now on the cursor's row, to the right of where the program's next text goes.
    const s = new Screen(8, 30);
    s.feed('a\r\nb\r\n[headroom] RSS 1 MB | old\r');
    assert.deepEqual([s.cursor.row, s.cursor.col], [2, 0]);
    s.feed(resizeSequence(8) + drawSequence({ rows: 8, cols: 30 }, 'STATUS'));
    assert.deepEqual(s.lines().slice(0, 3), ['a', 'b', ''], 'the old status under the cursor is gone');
    assert.ok(!s.lines().slice(0, 7).some((l) => l.includes('RSS')), s.lines().join('\n'));
    assert.equal(s.lines()[7], 'STATUS');
    const half = new Screen(8, 30);
    half.feed('a\r\nhalf-written');
    half.feed(resizeSequence(8) + drawSequence({ rows: 8, cols: 30 }, 'STATUS'));
    assert.deepEqual(half.lines().slice(0, 3), ['a', 'half-written', ''], 'a half-written line stays whole');
  });

  it('starts the next output on a line of its own only when the program left one half written', () => {
    const half = busyScreen();
    half.feed(freshLineSequence(20) + 'summary');
    assert.deepEqual(half.lines().slice(-2), ['half', 'summary']);
    const whole = new Screen(6, 20);
    whole.feed('done\r\n' + freshLineSequence(20) + 'summary');
    assert.deepEqual(whole.lines().slice(0, 3), ['done', 'summary', ''], 'no empty line added');
  });

  it('cuts text by terminal columns, wide characters counting two', () => {
    assert.equal(fitWidth('abc', 3), 'abc');
    assert.equal(fitWidth('abcd', 3), 'ab…');
    assert.equal(fitWidth('日本語テキスト', 7), '日本語…');
    assert.equal(fitWidth('e\u0301e\u0301', 2), 'e\u0301e\u0301', 'combining marks take no column');
  });
});

describe('BottomLine', () => {
  it('reserves nothing on a terminal too small or of unknown size', () => {
    const out: string[] = [];
    const line = new BottomLine((s) => out.push(s));
    assert.equal(line.start({ rows: 3, cols: 80 }), false);
    assert.equal(line.start({ rows: 24, cols: 10 }), false);
    assert.equal(line.start(undefined), false);
    line.draw('x');
    line.stop();
    assert.deepEqual(out, []);
  });

  it('gives the screen back once, and when the terminal shrinks below its use', () => {
    const out: string[] = [];
    const line = new BottomLine((s) => out.push(s));
    assert.equal(line.start({ rows: 24, cols: 80 }), true);
    line.draw('x');
    line.resize({ rows: 2, cols: 80 });
    assert.equal(line.active, false);
    assert.equal(out.at(-1), releaseSequence(24));
    line.stop();
    line.draw('y');
    assert.equal(out.length, 3, 'nothing after the release');
  });
});

/** A stand-in for process.stderr that records writes and listeners. */
class FakeStream implements StatusStream {
  readonly written: string[] = [];
  readonly listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  constructor(
    readonly isTTY: boolean,
    public rows = 24,
    public columns = 80,
  ) {}
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
  on(event: string, l: (...a: unknown[]) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  off(event: string, l: (...a: unknown[]) => void) {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((x) => x !== l));
    return this;
  }
  emit(event: string) {
    for (const l of this.listeners.get(event) ?? []) l();
  }
}

function fakeSession() {
  let tick: ((t: MonitorTick) => void) | undefined;
  const session = {
    monitor: { onTick: (l: (t: MonitorTick) => void) => ((tick = l), { dispose: () => (tick = undefined) }) },
    store: { get: () => undefined },
    ingest: { lastCheckpoint: { label: 'after forward', line: 12 } },
  } as unknown as MonitoringSession;
  return { session, tick: (t: Partial<MonitorTick>) => tick?.(t as MonitorTick), subscribed: () => tick !== undefined };
}

const PROCESS_EVENTS = ['exit', 'SIGTSTP', 'SIGCONT', 'SIGQUIT'] as const;
const counts = () => PROCESS_EVENTS.map((e) => process.listenerCount(e));

describe('liveStatus', () => {
  const tick = { tree: { rss: 1.2e9 }, system: { used: 80.5e8, total: 100e8 } } as unknown as MonitorTick;

  it('words the status with the shared formatter', () => {
    assert.equal(statusText(tick, 2e9, 'GB', { label: 'after forward', line: 3 }), '[headroom] RSS 1.20 GB | peak 2.00 GB | system 81% | last: after forward');
    assert.equal(statusText(tick, 2e9, 'GiB', { line: 3 }), '[headroom] RSS 1.12 GiB | peak 1.86 GiB | system 81% | last: line 3');
    assert.equal(statusText({ tree: { rss: 5e6 } } as unknown as MonitorTick, 5e6, 'GB', undefined), '[headroom] RSS 5.00 MB | peak 5.00 MB');
  });

  it('writes nothing at all when stderr is not a terminal', () => {
    const f = fakeSession();
    const stream = new FakeStream(false);
    const before = counts();
    const s = liveStatus(f.session, 'GB', false, stream, {});
    f.tick(tick);
    s.dispose();
    assert.deepEqual(stream.written, []);
    assert.equal(f.subscribed(), false);
    assert.deepEqual(counts(), before);
  });

  it('with --quiet on a terminal, draws nothing and only makes sure what follows starts a line', () => {
    const f = fakeSession();
    const stream = new FakeStream(true);
    const s = liveStatus(f.session, 'GB', true, stream, {});
    f.tick(tick);
    assert.deepEqual(stream.written, []);
    s.dispose();
    assert.deepEqual(stream.written, [freshLineSequence(80)]);
  });

  it('on a terminal: reserves, draws, follows resizes, and gives everything back on dispose', () => {
    const f = fakeSession();
    const stream = new FakeStream(true, 24, 80);
    const before = counts();
    const s = liveStatus(f.session, 'GB', false, stream, { TERM: 'xterm' });
    assert.deepEqual(stream.written, [reserveSequence(24)]);
    assert.deepEqual(counts(), before.map((n) => n + 1), 'exit, Ctrl-Z, fg and Ctrl-\\ each restore the screen');
    f.tick(tick);
    assert.equal(stream.written.at(-1), drawSequence({ rows: 24, cols: 80 }, '[headroom] RSS 1.20 GB | peak 1.20 GB | system 81% | last: after forward'));
    stream.rows = 30;
    stream.emit('resize');
    assert.ok(stream.written.at(-1)?.startsWith(resizeSequence(30)));
    stream.emit('error'); // the terminal went away: no more writes
    f.tick(tick);
    const n = stream.written.length;
    s.dispose();
    assert.equal(stream.written.length, n, 'nothing written to a broken terminal');
    assert.deepEqual(counts(), before);
    assert.equal(f.subscribed(), false);
    assert.deepEqual(stream.listeners.get('resize'), []);
  });

  it('gives the screen back when this process exits while it runs (a crash, process.exit)', () => {
    const f = fakeSession();
    const stream = new FakeStream(true, 24, 80);
    const before = process.listeners('exit');
    const s = liveStatus(f.session, 'GB', false, stream, {});
    const added = process.listeners('exit').filter((l) => !before.includes(l));
    assert.equal(added.length, 1);
    (added[0] as () => void)();
    assert.equal(stream.written.at(-1), releaseSequence(24));
    s.dispose();
    assert.equal(stream.written.filter((w) => w === releaseSequence(24)).length, 1, 'given back once');
  });

  it('on a dumb terminal, uses no escape sequence', () => {
    const f = fakeSession();
    const stream = new FakeStream(true);
    const s = liveStatus(f.session, 'GB', false, stream, { TERM: 'dumb' });
    f.tick(tick);
    s.dispose();
    assert.ok(!stream.written.join('').includes('\x1b'));
  });
});
