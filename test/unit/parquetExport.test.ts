import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDayLong } from '../../bench/dayLong';
import { exportRecordingParquet, parquetBaseOf, parquetStem } from '../../src/engine/recording/parquetExport';
import { TABLES } from '../../src/engine/recording/parquetRows';
import { readParquetExport, requireParquetReaders, type ExportAsRead } from './parquetHelpers';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const line = (r: unknown) => Buffer.from(JSON.stringify(r) + '\n');
const cuda = (index: number, allocated: number, reserved: number, max_allocated?: number) => ({ kind: 'cuda', index, allocated, reserved, max_allocated });
const HOSTILE = '<script>alert(1)</script> [x](command:evil) "quoted"\nnext line';

/** A recording with every kind of record, hostile labels, invalid UTF-8, a garbage line and a cut tail. */
function writeRecording(path: string, extraSamples: number): void {
  const parts: Buffer[] = [];
  parts.push(line({ type: 'recording', v: 1, created: T0, rootPid: 100, name: 'train.py', command: ['python', 'train.py'], host: 'node1', tool: 'test', part: 0 }));
  parts.push(line({ type: 'hello', v: 1, t: T0 / 1000, pid: 100, seq: 0, token: '', rank: 1 }));
  parts.push(line({ type: 'sample', t: T0, rss: 1000, vms: 5000, pss: 900, uss: 800, procs: [[100, 1, 600, 500, 'python'], [101, 100, 400, null, 'worker <b>']], sys: { used: 10, available: 20, total: 30 }, cg: { limit: 40, usage: 35 }, psi: [1.5, null], cgpsi: [0.25, 0] }));
  parts.push(line({ type: 'checkpoint', v: 1, t: (T0 + 50) / 1000, pid: 100, seq: 1, label: HOSTILE, file: '/p/a.py', line: 3, func: 'f', mem: { rss: 600, devices: [cuda(0, 10, 20, 30), cuda(1, 1, 2), { kind: 'mps', current: 99 }] } }));
  // Raw bytes that are not UTF-8 inside a label: the reader decodes them as U+FFFD.
  parts.push(Buffer.concat([Buffer.from(`{"type":"checkpoint","v":1,"t":${(T0 + 60) / 1000},"pid":100,"seq":2,"label":"bad `), Buffer.from([0xff, 0xfe]), Buffer.from(' utf8","mem":{"rss":650}}\n')]));
  // An escaped lone surrogate: valid JSON, not encodable as UTF-8 as it is.
  parts.push(Buffer.from(`{"type":"checkpoint","v":1,"t":${(T0 + 70) / 1000},"pid":100,"seq":3,"label":"\\ud800 lone","mem":{"rss":640}}\n`));
  parts.push(line({ type: 'region_start', v: 1, t: (T0 + 80) / 1000, pid: 100, seq: 4, id: 1, label: 'load', mem: { rss: 700 } }));
  parts.push(line({ type: 'region_end', v: 1, t: (T0 + 90) / 1000, pid: 100, seq: 5, id: 1, label: 'load', mem: { rss: 750 }, duration: 0.5, peak: { rss: 900 }, error: 'ValueError: x' }));
  parts.push(line({ type: 'call', v: 1, t: (T0 + 100) / 1000, t0: (T0 + 95) / 1000, pid: 100, seq: 6, label: 'fn', mem0: { rss: 700 }, mem: { rss: 720 } }));
  parts.push(line({ type: 'epoch_start', v: 1, t: (T0 + 110) / 1000, pid: 100, seq: 7, epoch: 0, step: 0, mem: { rss: 720 } }));
  parts.push(line({ type: 'batch_end', v: 1, t: (T0 + 120) / 1000, pid: 100, seq: 8, epoch: 0, batch: 3, step: 3, loss: 0.5, mem: { rss: 730 } }));
  parts.push(line({ type: 'oom', v: 1, t: (T0 + 130) / 1000, pid: 100, seq: 9, error: 'OutOfMemoryError: CUDA out of memory', region: 'load', mem: { rss: 740 } }));
  parts.push(line({ type: 'cleanup_result', v: 1, t: (T0 + 140) / 1000, pid: 101, seq: 0, id: null, reason: 'manual', duration: 0.1, actions: ['gc'], rss: { before: 1000, after: 400, freed: 600 } }));
  parts.push(line({ type: 'gpu', t: T0 + 150, devices: [[0, 100, 1000, 50, 'H100'], [1, null, 1000, null, 'H100']], tree: { used: 80, src: 'client' } }));
  parts.push(Buffer.from('not json at all\n'));
  parts.push(line({ type: 'sample', t: 'yesterday', rss: 1 }));
  parts.push(line({ type: 'sample', t: T0 + 200, rss: 1100, vms: 'big', procs: [] }));
  for (let i = 0; i < extraSamples; i++) parts.push(line({ type: 'sample', t: T0 + 300 + i * 100, rss: 2000 + i, vms: 6000, procs: [[100, 1, 2000 + i, null, 'python']] }));
  parts.push(line({ type: 'exit', t: T0 + 5000, pid: 100, code: null, signal: 'SIGKILL' }));
  parts.push(line({ type: 'guard', t: T0 + 4000, mode: 'interrupt', how: 'client', pids: [100], text: 'guard: <img src=x>' }));
  parts.push(line({ type: 'end', t: T0 + 5001, explanation: { kind: 'likely-oom', t: T0 + 5000, text: 'Likely killed for memory' } }));
  parts.push(Buffer.from('{"type":"sample","t":'));
  writeFileSync(path, Buffer.concat(parts));
}

describe('Parquet export (read back with real pyarrow, pandas and polars)', function () {
  this.timeout(120_000);
  let dir: string;
  let read: ExportAsRead;
  let result: Awaited<ReturnType<typeof exportRecordingParquet>>;
  const EXTRA = 20;

  before(async () => {
    requireParquetReaders();
    dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-'));
    writeRecording(join(dir, 'run.ndjson'), EXTRA);
    // Row groups of 8 rows: the file is written group by group, as a day-long one is.
    result = await exportRecordingParquet(join(dir, 'run.ndjson'), join(dir, 'run'), { rowGroupRows: 8, chunkBytes: 256 });
    read = readParquetExport(join(dir, 'run'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the four tables, counting what it skipped, and leaves no partial file', () => {
    assert.deepEqual(result.files.map((f) => [f.table, f.rows]), [['samples', 2 + EXTRA], ['processes', 2 + EXTRA], ['events', 13], ['gpu', 2]]);
    assert.equal(result.unreadableLines, 1);
    assert.equal(result.skippedRecords, 1);
    assert.equal(result.truncatedTail, true);
    assert.deepEqual(readdirSync(dir).sort(), ['run.events.parquet', 'run.gpu.parquet', 'run.ndjson', 'run.processes.parquet', 'run.samples.parquet']);
  });

  it('gives every library the same rows, columns and values, in row groups', () => {
    for (const [table, t] of Object.entries(read)) {
      const rows = result.files.find((f) => f.table === table)!.rows;
      assert.deepEqual([t.rows, t.pandasRows, t.polarsRows], [rows, rows, rows], table);
      assert.deepEqual(t.mismatches, [], table);
      assert.deepEqual(Object.keys(t.arrow), TABLES[table as keyof typeof TABLES].map((c) => c.name), table);
      assert.equal(t.rowGroups, Math.ceil(rows / 8), table);
      assert.equal(t.header?.command?.toString(), 'python,train.py', table);
    }
  });

  it('types time as UTC milliseconds and memory as 64-bit integers in each library', () => {
    const s = read.samples;
    assert.equal(s.arrow.t, 'timestamp[ms, tz=UTC]');
    assert.equal(s.pandas.t, 'datetime64[ms, UTC]');
    assert.equal(s.polars.t, "Datetime(time_unit='ms', time_zone='UTC')");
    assert.deepEqual([s.arrow.rss, s.pandas.rss, s.polars.rss], ['int64', 'int64', 'Int64']);
    assert.deepEqual([s.arrow.psi_some, s.arrow.processes], ['double', 'int32']);
    assert.equal(read.events.arrow.label, 'string');
    assert.equal(read.processes.polars.name, 'String');
  });

  it('keeps each sample: time, RSS and the rest, null where the recording had no figure', () => {
    const c = read.samples.columns;
    assert.deepEqual(c.t, [T0, T0 + 200, ...Array.from({ length: EXTRA }, (_, i) => T0 + 300 + i * 100)]);
    assert.deepEqual(c.rss, [1000, 1100, ...Array.from({ length: EXTRA }, (_, i) => 2000 + i)]);
    assert.deepEqual([c.pss[0], c.uss[0], c.vms[0], c.vms[1], c.processes[0], c.processes[1]], [900, 800, 5000, null, 2, 0]);
    assert.deepEqual([c.sys_used[0], c.sys_available[0], c.sys_total[0], c.cgroup_limit[0], c.cgroup_usage[0], c.sys_used[2]], [10, 20, 30, 40, 35, null]);
    assert.deepEqual([c.psi_some[0], c.psi_full[0], c.cgroup_psi_some[0], c.cgroup_psi_full[0]], [1.5, null, 0.25, 0]);
    const p = read.processes.columns;
    assert.deepEqual([p.pid.slice(0, 3), p.ppid.slice(0, 3), p.rss.slice(0, 3), p.pss.slice(0, 3), p.name.slice(0, 3)], [[100, 101, 100], [1, 100, 1], [600, 400, 2000], [500, null, null], ['python', 'worker <b>', 'python']]);
  });

  it('stores untrusted labels as plain text, invalid UTF-8 and lone surrogates as U+FFFD', () => {
    const e = read.events.columns;
    assert.deepEqual(e.label.slice(0, 3), [HOSTILE, 'bad \ufffd\ufffd utf8', '\ufffd lone']);
  });

  it('gives each event its time, place, RSS, delta and allocator figures', () => {
    const e = read.events.columns;
    assert.deepEqual(e.kind, ['checkpoint', 'checkpoint', 'checkpoint', 'region_start', 'region_end', 'call', 'epoch_start', 'batch_end', 'oom', 'cleanup_result', 'exit', 'guard', 'end']);
    assert.deepEqual(e.t.slice(0, 10), [50, 60, 70, 80, 90, 100, 110, 120, 130, 140].map((d) => T0 + d));
    assert.deepEqual([e.pid[0], e.rank[0], e.file[0], e.line[0], e.func[0], e.rank[9]], [100, 1, '/p/a.py', 3, 'f', null]);
    assert.deepEqual(e.rss.slice(0, 10), [600, 650, 640, 700, 750, 720, 720, 730, 740, 400]);
    // Since the process's previous checkpoint; kept by a block; kept by a call; freed by a cleanup.
    assert.deepEqual(e.delta.slice(0, 10), [null, 50, -10, null, 50, 20, null, null, null, -600]);
    assert.deepEqual([e.peak_rss[4], e.duration[4], e.detail[4]], [900, 0.5, 'ValueError: x']);
    assert.ok(Math.abs((e.duration[5] as number) - 0.005) < 1e-5);
    assert.deepEqual([e.cuda_allocated[0], e.cuda_reserved[0], e.cuda_max_allocated[0], e.cuda_allocated[1]], [11, 22, 30, null]);
    assert.deepEqual([e.epoch[7], e.batch[7], e.step[7], e.loss[7]], [0, 3, 3, 0.5]);
    assert.deepEqual([e.label[8], e.detail[8]], ['load', 'OutOfMemoryError: CUDA out of memory']);
    assert.deepEqual([e.label[10], e.pid[10], e.t[10]], ['SIGKILL', 100, T0 + 5000]);
    assert.deepEqual([e.label[11], e.detail[11], e.pid[11]], ['guard: <img src=x>', 'client', 100]);
    assert.deepEqual([e.label[12], e.detail[12], e.t[12]], ['Likely killed for memory', 'likely-oom', T0 + 5000]);
  });

  it('writes a row per GPU and time, with the tree figure on each', () => {
    const g = read.gpu.columns;
    assert.deepEqual([g.t, g.device, g.name, g.used, g.total, g.util, g.tree_used, g.tree_source], [[T0 + 150, T0 + 150], [0, 1], ['H100', 'H100'], [100, null], [1000, 1000], [50, null], [80, 80], ['client', 'client']]);
  });
});

describe('Parquet export of a rotated run (real writer, read back with pyarrow)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    requireParquetReaders();
    dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-rot-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exports every part whichever is named: the samples of the parts kept, the events of all, and says which samples rotation removed', async () => {
    const path = join(dir, 'rec.ndjson');
    const w = writeDayLong(path, { hours: 0.1, hz: 10, procs: 2, maxBytes: 120_000, maxFiles: 2 });
    const files = readdirSync(dir);
    const kept = files.filter((f) => /^rec\.ndjson(\.\d+)?$/.test(f));
    const samplesKept = kept.reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.startsWith('{"type":"sample"')).length, 0);
    const parts = files.filter((f) => f.endsWith('.idx')).length;
    assert.ok(parts > kept.length, `rotation removed parts: ${parts} parts, ${kept.length} files`);
    const r = await exportRecordingParquet(join(dir, 'rec.ndjson.1'), join(dir, 'out'));
    assert.equal(r.parts.length, parts, 'every part of the run');
    assert.match(r.notes.join(' '), /removed by rotation/);
    assert.ok(samplesKept < w.samples);
    const read = readParquetExport(join(dir, 'out'));
    assert.equal(read.samples.rows, samplesKept, 'the samples still on disk, none made up from the overview');
    const kinds = read.events.columns.kind as string[];
    assert.equal(kinds.filter((k) => k === 'checkpoint').length, w.checkpoints, 'every checkpoint of the run, those of removed parts from their index');
    assert.deepEqual([...new Set(kinds)].sort(), ['checkpoint', 'exit']);
    const t = read.samples.columns.t as number[];
    assert.ok(t.every((x, i) => i === 0 || x >= t[i - 1]), 'parts in the order of the run');
    assert.equal(t[0], Date.UTC(2026, 10, 30, 8, 0, 0), 'the run\'s first part (kept by rotation) comes first');
  });
});

describe('Parquet export: names and failures', () => {
  it('names the files after the recording or the chosen path', () => {
    assert.equal(parquetStem('/r/run.ndjson'), 'run');
    assert.equal(parquetStem('/r/run.ndjson.2'), 'run', 'a rotated part exports its whole run, under the run\'s name');
    assert.equal(parquetStem('/r/x.jsonl'), 'x');
    assert.equal(parquetBaseOf('/o/train-2026-12-02.parquet'), '/o/train-2026-12-02');
    assert.equal(parquetBaseOf('/o/train.samples.parquet'), '/o/train');
    assert.equal(parquetBaseOf('/o/train'), '/o/train');
  });

  it('fails clearly where it cannot write, leaving nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-parquet-'));
    try {
      writeRecording(join(dir, 'run.ndjson'), 1);
      await assert.rejects(exportRecordingParquet(join(dir, 'run.ndjson'), join(dir, 'missing', 'run')), /ENOENT.*missing/);
      await assert.rejects(exportRecordingParquet(join(dir, 'nope.ndjson'), join(dir, 'run')), /ENOENT.*nope\.ndjson/);
      assert.deepEqual(readdirSync(dir), ['run.ndjson']);
      assert.equal(existsSync(join(dir, 'missing')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
