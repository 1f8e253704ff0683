import * as assert from 'node:assert/strict';
import type { NotebookCell, ProtocolRecord, RegionEndRecord, RegionStartRecord } from '../../src/shared/protocol';
import { decodeLine } from '../../src/shared/protocolDecode';
import { BatchDecoder } from '../../src/engine/protocol/recordBatch';
import { cellSourceHash, CellRuns, matchCell, type EditorCell } from '../../src/engine/session/cellRuns';
import { RecordIngest } from '../../src/engine/session/recordIngest';
import { MemoryStore } from '../../src/engine/store/memoryStore';

const MB = 1e6;
let seq = 0;
const base = (type: string, t: number, pid = 40) => ({ v: 1, type, t, pid, seq: seq++ });
const FILE_A = '/tmp/ipykernel_40/2797839524.py';
const cellA: NotebookCell = { id: 'vscode-notebook-cell:/w/nb.ipynb#W0sZmlsZQ%3D%3D', hash: cellSourceHash('x = 1\n'), count: 7, preview: 'x = 1' };

function start(id: number, t: number, rss: number, cell: NotebookCell, pid = 40, reserved?: number): RegionStartRecord {
  const devices = reserved === undefined ? undefined : [{ kind: 'cuda' as const, index: 0, allocated: 0, reserved }];
  return { ...base('region_start', t, pid), id, label: cell.count === undefined ? 'cell' : `cell [${cell.count}]`, mem: { rss, devices }, cell } as RegionStartRecord;
}

function end(id: number, t: number, rss: number, cell: NotebookCell, extra: Record<string, unknown> = {}, pid = 40): RegionEndRecord {
  return { ...base('region_end', t, pid), id, label: cell.count === undefined ? 'cell' : `cell [${cell.count}]`, mem: { rss }, duration: 0.5, peak: { rss: rss + 100 * MB }, cell, ...extra } as RegionEndRecord;
}

describe('notebook cell runs', () => {
  it('hashes a cell text as the kernel does (the Python tests assert the same literals), CRLF as LF', () => {
    assert.equal(cellSourceHash('x = 1\n'), '9e26bf369911c45c');
    assert.equal(cellSourceHash(''), 'e3b0c44298fc1c14');
    assert.equal(cellSourceHash("print('h\u00e9')\n"), '4d09bce49abdb543');
    assert.equal(cellSourceHash('x = 1\r\n'), '9e26bf369911c45c', 'VS Code sends a cell with its CRLFs made LF');
  });

  it('ingests a cell run as a region span labelled by its cell, with the cell on the event and no source line', () => {
    const store = new MemoryStore();
    const ing = new RecordIngest(store);
    ing.add(start(1, 10, 1000 * MB, cellA, 40, 0));
    ing.add({ ...end(1, 12, 1500 * MB, cellA, { file: FILE_A, error: 'ValueError: bad' }), mem: { rss: 1500 * MB, devices: [{ kind: 'cuda', index: 0, allocated: 0, reserved: 800 * MB }] } } as ProtocolRecord);
    const [span] = store.events.all().filter((e) => e.kind === 'region');
    assert.deepEqual([span.t, span.tEnd, span.label, span.file, span.line, span.delta, span.peak], [10_000, 12_000, 'cell [7]', FILE_A, undefined, 500 * MB, 1600 * MB]);
    assert.deepEqual(span.data, { error: 'ValueError: bad', cell: cellA });
    assert.deepEqual(ing.forFile(FILE_A), [], 'a cell run is no source line: checkpoints on its first line keep their own figures');
    const [run] = ing.cells.all();
    assert.deepEqual(
      [run.pid, run.region, run.label, run.file, run.delta, run.peak, run.cudaDelta, run.duration, run.error, run.t, run.tEnd],
      [40, 1, 'cell [7]', FILE_A, 500 * MB, 1600 * MB, 800 * MB, 0.5, 'ValueError: bad', 10_000, 12_000],
    );
  });

  it('labels a run without a label by its cell, and keeps a run whose start never came', () => {
    const store = new MemoryStore();
    const ing = new RecordIngest(store);
    const noCount: NotebookCell = { hash: cellSourceHash('y = 2') };
    ing.add({ ...end(9, 20, 10 * MB, noCount), label: undefined } as ProtocolRecord);
    const [run] = ing.cells.all();
    assert.deepEqual([run.label, run.t, run.tEnd, run.delta, run.cudaDelta], ['cell', 19_500, 20_000, undefined, undefined]);
    assert.equal(store.events.all().find((e) => e.kind === 'region')?.label, 'cell');
  });

  it('ingests the same runs from the listener path (decoded batches) as record by record', () => {
    const records = [start(1, 1, 10 * MB, cellA), end(1, 2, 20 * MB, cellA, { file: FILE_A }), start(2, 3, 20 * MB, { ...cellA, count: 8 }), end(2, 4, 20 * MB, { ...cellA, count: 8 }, { file: FILE_A })];
    const one = new RecordIngest(new MemoryStore());
    for (const r of records) one.add(r);
    const batched = new RecordIngest(new MemoryStore());
    batched.addBatch(new BatchDecoder().push(Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n')));
    assert.deepEqual(batched.cells.all(), one.cells.all());
    assert.equal(one.cells.all().length, 2);
    for (const r of records) assert.ok(decodeLine(JSON.stringify(r)).ok);
  });

  describe('matching a run to a cell of the open notebook', () => {
    const text = ['import torch\n', 'x = torch.zeros(10)\n', 'x = torch.zeros(10)\n', 'del x\n'];
    const cells: EditorCell[] = text.map((t, i) => ({ id: `vscode-notebook-cell:/w/nb.ipynb#c${i}`, hash: cellSourceHash(t), executionOrder: i + 1 }));
    const run = (cell: NotebookCell) => ({ cell });

    it('by the front end id first, also after the cell was edited', () => {
      assert.equal(matchCell(run({ id: cells[3].id, hash: cellSourceHash('del x\nprint(1)\n'), count: 4 }), cells), 3);
      assert.equal(matchCell(run({ id: cells[1].id, hash: cells[1].hash }), cells), 1, 'two cells with the same text: the id decides');
    });

    it('then by the hash of the text, when the id is unknown (the notebook was reopened) or absent', () => {
      assert.equal(matchCell(run({ id: 'vscode-notebook-cell:/w/nb.ipynb#old', hash: cells[0].hash, count: 1 }), cells), 0);
      assert.equal(matchCell(run({ hash: cells[3].hash }), cells), 3);
    });

    it('between cells of the same text, by the execution order; otherwise none', () => {
      assert.equal(matchCell(run({ hash: cells[1].hash, count: 3 }), cells), 2);
      assert.equal(matchCell(run({ hash: cells[1].hash, count: 9 }), cells), undefined);
      assert.equal(matchCell(run({ hash: cells[1].hash }), cells), undefined);
    });

    it('by the execution order alone only for runs of the kernel the notebook uses now', () => {
      const edited = run({ hash: cellSourceHash('import numpy\n'), count: 1 });
      assert.equal(matchCell(edited, cells), undefined);
      assert.equal(matchCell(edited, cells, true), 0);
      assert.equal(matchCell(run({ hash: 'ffffffffffffffff' }), cells, true), undefined);
    });
  });

  describe('which run a checkpoint belongs to', () => {
    const B = '/tmp/ipykernel_40/1111.py';
    const cellB: NotebookCell = { id: 'b', hash: 'bbbb', count: 8 };
    const runs = new CellRuns();
    before(() => {
      runs.start(start(1, 10, MB, cellA), cellA);
      runs.end(end(1, 11, MB, cellA, { file: FILE_A }), cellA);
      runs.start(start(2, 20, MB, cellB), cellB);
    });

    it('a checkpoint in a cell running for the first time: that run, whose file is not known yet', () => {
      assert.equal(runs.forCheckpoint(40, B, 20_500)?.cell.id, 'b');
    });

    it('a checkpoint in a function another cell defined: the run compiled as its file', () => {
      assert.equal(runs.forCheckpoint(40, FILE_A, 20_600)?.cell.id, cellA.id);
    });

    it('after the run ends, by its file; another process or a moment outside every run: none', () => {
      runs.end(end(2, 21, MB, cellB, { file: B }), cellB);
      assert.equal(runs.forCheckpoint(40, B, 30_000)?.cell.id, 'b');
      assert.equal(runs.forCheckpoint(41, B, 20_500), undefined);
      assert.equal(runs.forCheckpoint(40, '/tmp/ipykernel_40/9.py', 30_000), undefined);
    });
  });
});
