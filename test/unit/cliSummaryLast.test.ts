import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const FORKY = join(root, 'test', 'fixtures', 'procs', 'forky.py');

/** `headroom run` of a command, its stderr once it has ended. */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('headroom run: the summary is the last word', function () {
  this.timeout(120_000);
  before(function () {
    if (process.platform !== 'linux') this.skip();
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });

  it('prints nothing that reads like a failure after the summary of a fork-heavy program whose children exit with it', async () => {
    // Children exiting while the tree is read is the sampler's everyday race; a few runs, two at a time.
    const twoInTurn = async () => [await run(['--no-gpu', '--', '/usr/bin/python3', FORKY, '1.0']), await run(['--no-gpu', '--', '/usr/bin/python3', FORKY, '1.0'])];
    const runs = (await Promise.all([twoInTurn(), twoInTurn()])).flat();
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n');
      const summary = lines.findIndex((l) => /^headroom: \/usr\/bin\/python3 .*forky\.py 1\.0 — exit code 0 after /.test(l));
      assert.ok(summary >= 0, r.stderr);
      const after = lines.slice(summary + 1).filter((l) => /cannot|ENOENT|ESRCH|error|fail|problem/i.test(l));
      assert.deepEqual(after, [], `after the summary:\n${r.stderr}`);
      assert.ok(!/cannot open .*ENOENT/.test(r.stderr), `a vanished child reported as a problem:\n${r.stderr}`);
    }
  });

  it('says what went wrong on the way before the summary, not after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-last-'));
    try {
      // A label whose str() raises: the client counts the error instead of raising it, and says so in its bye.
      const p = join(dir, 'bad_label.py');
      writeFileSync(p, 'import headroom\nclass Bad:\n    def __str__(self):\n        raise RuntimeError("no label")\nheadroom.checkpoint(Bad())\nheadroom.checkpoint("fine")\n');
      const r = await run(['--no-gpu', '--quiet', '--', '/usr/bin/python3', p]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n');
      const problem = lines.findIndex((l) => /counted problems it kept out of the program \(checkpoint/.test(l));
      const summary = lines.findIndex((l) => /^headroom: \/usr\/bin\/python3 .*bad_label\.py — exit code 0/.test(l));
      assert.ok(problem >= 0 && summary >= 0, r.stderr);
      assert.ok(problem < summary, `the problem comes first:\n${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
