import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportBase, parseExportArgs } from '../../src/cli/exportCommand';
import { readRecording } from '../../src/engine/recording/recordingReader';
import { readParquetExport, requireParquetReaders, wellFormed } from './parquetHelpers';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function headroom(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('headroom export --parquet (a real run, read back with pyarrow, pandas and polars)', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    requireParquetReaders();
    if (!existsSync(cli)) spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exports every sample and checkpoint of a run, hostile labels as they were sent', () => {
    const program = join(dir, 'alloc.py');
    writeFileSync(
      program,
      [
        'import headroom, time',
        'headroom.checkpoint("start")',
        'x = b"a" * (40 << 20)',
        `headroom.checkpoint("<script>alert('x')</script> [link](command:workbench.action.terminal.new)")`,
        'headroom.checkpoint("rtl \\u202e override, emoji \\U0001F525, nul \\x00 end")',
        'with headroom.track("block <b>"):',
        '    y = b"b" * (10 << 20)',
        'time.sleep(0.5)',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const run = headroom(['run', '--out', out, '--quiet', '--no-gpu', '--', '/usr/bin/python3', program]);
    assert.equal(run.code, 0, run.stderr);
    const recording = join(out, 'recording.ndjson');
    const exp = headroom(['export', recording, '--parquet', '--out', join(dir, 'tables') + '/']);
    assert.equal(exp.code, 0, exp.stderr);
    const base = join(dir, 'tables', 'recording');
    assert.match(exp.stdout, /samples\s+\d+\s+\S+recording\.samples\.parquet/);
    assert.ok(exp.stdout.includes(`pd.read_parquet(${JSON.stringify(`${base}.samples.parquet`)})`), exp.stdout);

    const rec = readRecording(recording).records;
    const read = readParquetExport(base);
    const samples = rec.filter((r) => r.type === 'sample') as unknown as { t: number; rss: number; procs: unknown[] }[];
    assert.ok(samples.length >= 3, `${samples.length} samples`);
    assert.deepEqual(read.samples.columns.t, samples.map((s) => s.t));
    assert.deepEqual(read.samples.columns.rss, samples.map((s) => s.rss));
    assert.equal(read.processes.rows, samples.reduce((n, s) => n + s.procs.length, 0));
    assert.ok(Math.max(...(read.samples.columns.rss as number[])) > 40 * 2 ** 20);

    const labels = rec.filter((r) => r.type === 'checkpoint').map((r) => wellFormed(r.label as string));
    const exported = read.events.columns.label.filter((_, i) => read.events.columns.kind[i] === 'checkpoint');
    assert.deepEqual(exported, labels);
    assert.ok(exported.includes("<script>alert('x')</script> [link](command:workbench.action.terminal.new)"), String(exported));
    assert.ok(exported.includes("rtl \u202e override, emoji \u{1F525}, nul \u0000 end"), String(exported));
    assert.ok(read.events.columns.label.includes("block <b>"), String(read.events.columns.label));
    for (const t of ['samples', 'processes', 'events', 'gpu'] as const) assert.deepEqual(read[t].mismatches, [], t);
    assert.equal(read.samples.pandas.t, 'datetime64[ms, UTC]');
  });

  it('says what is wrong with a bad command line or a missing recording', () => {
    const usage = headroom(['export']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /headroom export REC\.ndjson --parquet \[--out PATH\]/);
    assert.match(headroom(['export', 'x.ndjson']).stderr, /say the format/);
    assert.match(headroom(['export', 'x.ndjson', '--csv']).stderr, /unknown option --csv/);
    const missing = headroom(['export', join(dir, 'none.ndjson'), '--parquet']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot export .*none\.ndjson: no such file/);
    assert.match(headroom(['--help']).stdout, /headroom export REC\.ndjson --parquet/);
  });
});

describe('headroom export: where the files go', () => {
  it('parses the options in any order', () => {
    assert.deepEqual(parseExportArgs(['--parquet', 'r.ndjson', '--out', 'o']), { recording: 'r.ndjson', format: 'parquet', out: 'o' });
    assert.throws(() => parseExportArgs(['a.ndjson', 'b.ndjson', '--parquet']), /one recording at a time/);
    assert.throws(() => parseExportArgs(['a.ndjson', '--parquet', '--out']), /--out needs a value/);
  });

  it('puts them beside the recording, in a folder, or under a chosen name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-out-'));
    try {
      mkdirSync(join(dir, 'existing'));
      assert.equal(exportBase(join(dir, 'run.ndjson'), undefined), join(dir, 'run'));
      assert.equal(exportBase(join(dir, 'run.ndjson'), join(dir, 'existing')), join(dir, 'existing', 'run'));
      assert.equal(exportBase(join(dir, 'run.ndjson'), join(dir, 'new') + '/'), join(dir, 'new', 'run'));
      assert.equal(exportBase(join(dir, 'run.ndjson'), join(dir, 'mine.parquet')), join(dir, 'mine'));
      assert.equal(exportBase(join(dir, 'run.ndjson'), join(dir, 'mine')), join(dir, 'mine'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
