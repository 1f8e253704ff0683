import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextfileWriter } from '../../src/engine/metrics/textfileWriter';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

describe('--metrics-textfile', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-textfile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the .prom file whole and leaves no temporary file behind', () => {
    const w = new TextfileWriter(join(dir, 'tf'), 'headroom-my job/../x');
    assert.equal(w.path, join(dir, 'tf', 'headroom-my_job_.._x.prom'), 'the name cannot leave the directory');
    w.write('a 1\n');
    w.write('a 2\n');
    assert.deepEqual(readdirSync(join(dir, 'tf')), ['headroom-my_job_.._x.prom']);
    assert.equal(readFileSync(w.path, 'utf8'), 'a 2\n');
  });

  it("writes a real run's last figures, which promtool accepts, and refuses a directory it cannot write before the program starts", () => {
    const prog = join(dir, 'p.py');
    // Held long enough to be sampled on a loaded machine, and to the very end: os._exit skips the
    // interpreter's teardown, which frees the buffer while the process still lives (a loaded
    // machine can sample it then, and that reading is the last live one).
    writeFileSync(prog, 'import headroom, os, time\nx = b"a" * (64 << 20)\nheadroom.checkpoint("held")\ntime.sleep(1.5)\nheadroom.flush()\nos._exit(0)\n');
    const r = spawnSync(process.execPath, [cli, 'run', '--quiet', '--metrics-textfile', join(dir, 'tf'), '--', '/usr/bin/python3', prog], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(join(dir, 'tf', 'headroom-p.py.prom'), 'utf8');
    const rss = Number(/^headroom_tree_rss_bytes\{job="p\.py",host="[^"]+"\} (\d+)$/m.exec(text)?.[1]);
    assert.ok(rss > 64 * 2 ** 20, `the last live tree RSS, not the empty tick after the exit: ${rss}`);
    assert.match(text, /^headroom_checkpoint_rss_bytes\{job="p\.py",host="[^"]+",checkpoint="held",kind="checkpoint"\} \d+$/m);
    assert.ok(existsSync('/usr/bin/promtool'), "/usr/bin/promtool missing: install Debian's prometheus package (scripts/ensure-system-deps.sh does, as root)");
    const check = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const blocked = join(dir, 'file');
    writeFileSync(blocked, '');
    const bad = spawnSync(process.execPath, [cli, 'run', '--metrics-textfile', join(blocked, 'sub'), '--', 'touch', join(dir, 'ran')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--metrics-textfile .*: cannot write: /);
    assert.ok(!existsSync(join(dir, 'ran')), 'the program must not start');
  });
});
