import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const python = join(root, '.venv', 'bin', 'python');
const script = join(root, 'test', 'fixtures', 'trainers', 'hf_tiny_bert.py');

/** Whether .venv has the Trainer's packages (scripts/ensure-venv.sh installs them; npm test runs it). */
function venvHasTransformers(): boolean {
  if (!existsSync(python)) return false;
  const probe = 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("transformers") and u.find_spec("accelerate") else 1)';
  return spawnSync(python, ['-c', probe]).status === 0;
}

describe('headroom run -- the real Hugging Face Trainer with HeadroomCallback', function () {
  this.timeout(180_000);
  let dir: string;
  before(function () {
    if (!venvHasTransformers()) {
      console.log(`    skipped: ${python} lacks transformers/accelerate (run scripts/ensure-venv.sh)`);
      this.skip();
    }
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'headroom-trainer-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("accepts every record and attaches the run's regions to the trainer.train() line", () => {
    const out = join(dir, 'report');
    const r = spawnSync(process.execPath, [cli, 'run', '--quiet', '--no-gpu', '--out', out, '--', python, script, join(dir, 'out')], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: join(root, 'src', 'python'), HF_HUB_OFFLINE: '1', OMP_NUM_THREADS: '1' },
      timeout: 170_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const trainLine = readFileSync(script, 'utf8').split('\n').findIndex((l) => l.includes('trainer.train()')) + 1;
    assert.ok(trainLine > 0);
    // The train(), evaluate and save regions are three hits of one location, the train() call:
    // where CodeLens puts them. The row speaks for the last to end, the whole run.
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const rows = s.checkpoints.filter((c: { file: string }) => c.file === script);
    assert.deepEqual(
      rows.map((c: { line: number; kind: string; label: string; hits: number }) => [c.line, c.kind, c.label, c.hits]),
      [[trainLine, 'region', 'train', 3]],
    );
    // The recording keeps only lines the decoder accepted: every step, with its global step, is there.
    const records = readFileSync(join(out, 'recording.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"batch_end"') || l.includes('"type": "batch_end"'))
      .map((l) => JSON.parse(l) as { step: number; loss: number; line: number });
    assert.deepEqual(records.map((b) => b.step), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.ok(records.every((b) => Number.isFinite(b.loss) && b.line === trainLine));
    assert.doesNotMatch(r.stderr, /bad-field|missing-field|unknown-type/);
  });
});
