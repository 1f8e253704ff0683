import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ParquetExportResult } from '../../../src/engine/recording/parquetExport';
import { headroom, waitFor } from './util';

const repo = join(__dirname, '..', '..', '..', '..');
const python = join(repo, '.venv', 'bin', 'python');

/** The export as pyarrow, pandas and polars read it (test/unit/parquetRead.py). */
function readBack(base: string): Record<string, { rows: number; mismatches: string[]; columns: Record<string, unknown[]> }> {
  const r = spawnSync(python, [join(repo, 'test', 'unit', 'parquetRead.py'), base], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `reading ${base}.*.parquet with ${python} (scripts/ensure-venv.sh installs pyarrow, pandas, polars): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('Export Recording as Parquet (real editor)', function () {
  this.timeout(120_000);
  let dir: string;
  let recording: string;
  const LABEL = '<img src=x onerror=alert(1)> after load';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-editor-'));
    const prog = join(dir, 'train.py');
    writeFileSync(prog, `import headroom, time\nheadroom.checkpoint("start")\nx = b"a" * (30 << 20)\nheadroom.checkpoint(${JSON.stringify(LABEL)})\ntime.sleep(0.4)\n`);
    const env = { ...process.env, HEADROOM_ADDR: '', HEADROOM_TOKEN: '' };
    const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'run', '--out', join(dir, 'run'), '--quiet', '--no-gpu', '--', '/usr/bin/python3', prog], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    recording = join(dir, 'run', 'recording.ndjson');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const samplesIn = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"sample"')).length;

  it('writes the four tables of a given recording under the chosen name, readable by pandas and polars', async () => {
    const target = vscode.Uri.file(join(dir, 'given.parquet'));
    const result = (await vscode.commands.executeCommand('headroom.exportParquet', vscode.Uri.file(recording), target)) as ParquetExportResult | undefined;
    assert.ok(result, 'the export ran');
    for (const t of ['samples', 'processes', 'events', 'gpu']) assert.ok(existsSync(join(dir, `given.${t}.parquet`)), t);
    const read = readBack(join(dir, 'given'));
    assert.equal(read.samples.rows, samplesIn(recording));
    assert.ok(read.events.columns.label.includes(LABEL), String(read.events.columns.label));
    for (const t of Object.keys(read)) assert.deepEqual(read[t].mismatches, [], t);
  });

  it('exports the recording of the timeline in front when given none', async () => {
    await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(recording));
    const api = await headroom();
    await waitFor(() => api.panels.active?.boundSession?.name === recording || undefined, 'the recording in front');
    const result = (await vscode.commands.executeCommand('headroom.exportParquet', undefined, vscode.Uri.file(join(dir, 'front.samples.parquet')))) as ParquetExportResult | undefined;
    assert.deepEqual(result?.files.map((f) => f.path), ['samples', 'processes', 'events', 'gpu'].map((t) => join(dir, `front.${t}.parquet`)));
    assert.equal(readBack(join(dir, 'front')).samples.rows, samplesIn(recording));
  });
});
