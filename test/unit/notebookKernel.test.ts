import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ProtocolListener } from '../../src/engine/protocol/listener';
import { cellSourceHash, matchCell, type CellRun, type EditorCell } from '../../src/engine/session/cellRuns';
import { RecordIngest } from '../../src/engine/session/recordIngest';
import { MemoryStore } from '../../src/engine/store/memoryStore';

const PY = '/usr/bin/python3';
const DRIVER = join(__dirname, '..', 'fixtures', 'notebook', 'drive_kernel.py');
const MB = 1e6;
const uri = (n: number, generation = 0) => `vscode-notebook-cell:/w/analysis.ipynb#W${n}g${generation}`;

interface Driven {
  pid: number;
  replies: { status: string; count: number; stdout: string }[];
}

/** Runs `cells` in a real ipykernel (test/fixtures/notebook/drive_kernel.py) reporting to `env`'s listener. */
function drive(cells: { id?: string; code: string }[], env: Record<string, string>): Promise<Driven> {
  return new Promise((resolve, reject) =>
    execFile(PY, [DRIVER, JSON.stringify(cells)], { env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Driven),
    ),
  );
}

describe('notebook cells from a real kernel, through the real listener, onto the open notebook', function () {
  this.timeout(120_000);
  const why = spawnSync(PY, ['-c', 'import ipykernel, jupyter_client'], { encoding: 'utf8' }).stderr.trim();
  const text = {
    imports: 'import headroom\n',
    make: "big = b'\\x01' * 200_000_000\nheadroom.checkpoint('made')\n",
    edited: "big = b'\\x01' * 100_000_000\nheadroom.checkpoint('made')\n",
    fail: '1/0\n',
  };
  let runs: CellRun[] = [];
  let driven: Driven;
  let ingest: RecordIngest;

  before(async function () {
    if (why) this.skip(); // ipykernel/jupyter_client missing: scripts/ensure-system-deps.sh installs them
    ingest = new RecordIngest(new MemoryStore());
    const listener = new ProtocolListener({ onRecords: (_c, b) => ingest.addBatch(b) });
    await listener.start();
    try {
      driven = await drive(
        [
          { code: '%load_ext headroom' },
          { id: uri(0), code: text.imports },
          { id: uri(1), code: text.make },
          { id: uri(2), code: text.fail },
          { id: uri(1), code: text.edited },
        ],
        listener.env(listener.issueToken('notebook')),
      );
      for (let i = 0; i < 200 && ingest.cells.all().filter((r) => r.tEnd !== undefined).length < 4; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      listener.dispose();
    }
    runs = [...ingest.cells.all()];
  });

  it('gets one ended run per cell executed after loading, with its figures and error', () => {
    assert.deepEqual(
      runs.map((r) => [r.pid, r.cell.count, r.label, r.cell.preview, r.error?.split(':')[0]]),
      [
        [driven.pid, 2, 'cell [2]', 'import headroom', undefined],
        [driven.pid, 3, 'cell [3]', "big = b'\\x01' * 200_000_000", undefined],
        [driven.pid, 4, 'cell [4]', '1/0', 'ZeroDivisionError'],
        [driven.pid, 5, 'cell [5]', "big = b'\\x01' * 100_000_000", undefined],
      ],
    );
    const made = runs[1];
    assert.ok(Math.abs((made.delta ?? 0) - 200 * MB) < 20 * MB, `+200 MB within 10%: ${made.delta}`);
    assert.ok((made.peak ?? 0) - made.rssStart >= 180 * MB);
    assert.deepEqual(driven.replies.map((r) => r.status), ['ok', 'ok', 'ok', 'error', 'ok']);
  });

  it('maps every run onto the notebook as it is now (cell 1 edited): by id, the edited cell keeps both runs', () => {
    const cells: EditorCell[] = [text.imports, text.edited, text.fail].map((t, i) => ({ id: uri(i), hash: cellSourceHash(t) }));
    assert.deepEqual(runs.map((r) => matchCell(r, cells)), [0, 1, 2, 1]);
    // the run before the edit is of cell 1's old text; the latest one is of its text now
    assert.deepEqual([runs[1].cell.hash === cells[1].hash, runs[3].cell.hash === cells[1].hash], [false, true]);
  });

  it('after the notebook is reopened (new cell URIs), by the hash of the text: the stale run matches nothing', () => {
    const cells: EditorCell[] = [text.imports, text.edited, text.fail].map((t, i) => ({ id: uri(i, 1), hash: cellSourceHash(t) }));
    assert.deepEqual(runs.map((r) => matchCell(r, cells)), [0, undefined, 2, 1]);
  });

  it('puts the checkpoint inside a cell on that cell, at its line in the cell', () => {
    const cps = ingest.all().filter((s) => s.kind === 'checkpoint');
    assert.equal(cps.length, 2, 'one per compiled text of cell 1');
    for (const cp of cps) {
      const run = ingest.cells.forCheckpoint(driven.pid, cp.file, cp.lastT);
      assert.equal(run?.cell.id, uri(1));
      assert.equal(cp.line, 2);
      assert.equal(cp.file, run?.file);
    }
  });
});
