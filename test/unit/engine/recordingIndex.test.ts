import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDayLong } from '../../../bench/dayLong';
import { openRun, type OpenedRun } from '../../../src/engine/recording/openRun';
import { RecordingWriter } from '../../../src/engine/recording/recordingWriter';
import { SeriesName } from '../../../src/engine/store/memoryStore';

// The index beside a recording (recordingIndex.ts) is a cache: a run opened through it must
// show what the full read shows (every peak, first and last value, every checkpoint) and a
// damaged, stale or missing index must cost only speed.

const ALL_RAW = { fullDetailBytes: Number.POSITIVE_INFINITY };
const ALL_INDEX = { fullDetailBytes: 0 };

function facts(run: OpenedRun) {
  const series: Record<string, [number, number, number | undefined, number | undefined, number | undefined]> = {};
  for (const name of run.store.names().sort()) {
    const s = run.store.get(name)!;
    series[name] = [s.min, s.max, s.firstValue, s.lastValue, s.firstTime];
  }
  const rows = run.ingest.all().map((r) => JSON.stringify(r));
  return { series, rows, events: run.store.events.size };
}

describe('recording index: day-long runs open through block summaries', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hr-index-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a run opened through its index has the full read\u2019s peaks, firsts, lasts and checkpoints, reading no sample line', async () => {
    const path = join(dir, 'rec.ndjson');
    const w = writeDayLong(path, { hours: 0.2, hz: 10, procs: 4 });
    const full = await openRun(path, ALL_RAW);
    const fast = await openRun(path, ALL_INDEX);
    assert.equal(full.samplesRead, w.samples);
    assert.equal(fast.samplesRead, 0, 'no sample was read as a line');
    assert.deepEqual(fast.parts.map((p) => p.via), ['index']);
    assert.equal(fast.store.get(SeriesName.treeRss)!.max, w.peakRss);
    assert.equal(fast.store.get(SeriesName.treeRss)!.firstValue, w.firstRss);
    assert.equal(fast.store.get(SeriesName.treeRss)!.lastValue, w.lastRss);
    assert.deepEqual(facts(fast), facts(full));
    assert.ok(fast.store.get(SeriesName.treeRss)!.count < w.samples / 10, 'the summaries hold far fewer points than samples');
  });

  it('every block-wide window has the same highest and lowest value as the samples (M4 keeps the chart)', async () => {
    const path = join(dir, 'rec.ndjson');
    writeDayLong(path, { hours: 0.1, hz: 10, procs: 2 });
    const full = (await openRun(path, ALL_RAW)).store.get(SeriesName.treeRss)!;
    const fast = (await openRun(path, ALL_INDEX)).store.get(SeriesName.treeRss)!;
    const blocks = readFileSync(`${path}.p0.idx`, 'utf8').split('\n').filter((l) => l.startsWith('{"type":"block"')).map((l) => JSON.parse(l) as { t0: number; t1: number; n: number });
    assert.ok(blocks.length > 50);
    for (const b of blocks.filter((x) => x.n > 0)) {
      const a = full.query(b.t0, b.t1, 1000);
      const f = fast.query(b.t0, b.t1, 1000);
      assert.equal(Math.max(...f.max), Math.max(...a.max), `max in [${b.t0}, ${b.t1}]`);
      assert.equal(Math.min(...f.min), Math.min(...a.min), `min in [${b.t0}, ${b.t1}]`);
    }
  });

  it('a writer killed before its index caught up: the part\u2019s tail is read from the part, nothing is lost or counted twice', async () => {
    const path = join(dir, 'rec.ndjson');
    writeDayLong(path, { hours: 0.1, hz: 10, procs: 3 });
    const full = facts(await openRun(path, ALL_RAW));
    const idx = `${path}.p0.idx`;
    const lines = readFileSync(idx, 'utf8').split('\n');
    // Cut the index inside a line two thirds of the way through (a kill mid-write).
    const keep = lines.slice(0, Math.floor(lines.length * 0.66)).join('\n') + '\n' + lines[Math.floor(lines.length * 0.66)].slice(0, 17);
    writeFileSync(idx, keep);
    const fast = await openRun(path, ALL_INDEX);
    assert.deepEqual(fast.parts.map((p) => p.via), ['index']);
    assert.ok(fast.parts[0].bytesRead > 0, 'the tail came from the part');
    assert.deepEqual(facts(fast), full);
  });

  it('an index that does not fit its part (past its end, another run, garbage) is ignored and the part read in full', async () => {
    const path = join(dir, 'rec.ndjson');
    writeDayLong(path, { hours: 0.05, hz: 10, procs: 2 });
    const full = facts(await openRun(path, ALL_RAW));
    const idx = `${path}.p0.idx`;
    const good = readFileSync(idx, 'utf8');
    // The part cut short (a copy truncated): the index's blocks lie past its end.
    const size = readFileSync(path).length;
    writeFileSync(`${path}.copy`, readFileSync(path));
    truncateSync(path, Math.floor(size / 2));
    const cut = await openRun(path, ALL_INDEX);
    assert.deepEqual(cut.parts.map((p) => p.via), ['full']);
    writeFileSync(path, readFileSync(`${path}.copy`));
    rmSync(`${path}.copy`);
    // Another run's index under this name.
    writeFileSync(idx, good.replace(/"created":\d+/, '"created":1'));
    const other = await openRun(path, ALL_INDEX);
    assert.deepEqual(other.parts.map((p) => p.via), ['full']);
    assert.deepEqual(facts(other), full);
    // Garbage lines inside a good index are skipped; the run is whole.
    const ls = good.split('\n');
    ls.splice(5, 0, 'not json', '{"type":"block","part":0}', '\u0000\u0001');
    writeFileSync(idx, ls.join('\n'));
    assert.deepEqual(facts(await openRun(path, ALL_INDEX)), full);
    // No index at all.
    rmSync(idx);
    assert.deepEqual(facts(await openRun(path, ALL_INDEX)), full);
  });

  it('rotation keeps the first part; a removed part\u2019s overview and checkpoints come from its index, and the user is told', async () => {
    const path = join(dir, 'rec.ndjson');
    const w = writeDayLong(path, { hours: 0.3, hz: 10, procs: 3, maxBytes: 400_000, maxFiles: 3 });
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('rec.ndjson.3'), files.join(' '));
    assert.ok(!files.includes('rec.ndjson.4'));
    const first = JSON.parse(readFileSync(join(dir, 'rec.ndjson.3'), 'utf8').split('\n')[0]) as { part: number };
    assert.equal(first.part, 0, 'the oldest slot holds the run\u2019s beginning');
    const parts = files.filter((f) => f.endsWith('.idx')).length;
    assert.ok(parts > 5, `${parts} parts`);
    for (const named of [path, join(dir, 'rec.ndjson.2')]) {
      const run = await openRun(named, ALL_INDEX);
      assert.equal(run.parts.length, parts, 'every part of the run, whichever file was named');
      assert.ok(run.parts.some((p) => p.via === 'index-only'));
      assert.match(run.notes.join(' '), /were removed by rotation/);
      assert.equal(run.store.get(SeriesName.treeRss)!.max, w.peakRss);
      assert.equal(run.store.get(SeriesName.treeRss)!.firstValue, w.firstRss);
      assert.equal(run.ingest.all().reduce((n, r) => n + r.hits, 0), w.checkpoints, 'every checkpoint of the run');
    }
  });

  it('a part appended to by a later writer (a resumed session) opens whole, and runs sharing the name are kept apart', async () => {
    const path = join(dir, 'rec.ndjson');
    const header = { created: 1000, rootPid: 7, name: 'x', tool: 'test' };
    const sample = (t: number, rss: number) => ({ type: 'sample', t, rss, vms: rss, procs: [[7, 1, rss, null, 'python']] });
    const a = new RecordingWriter(path, header);
    for (let i = 0; i < 300; i++) a.write(sample(1000 + i * 100, 1e6 + i));
    a.writeRaw(Buffer.from(JSON.stringify({ type: 'checkpoint', v: 1, t: 1.5, pid: 7, seq: 0, label: 'before', file: '/a.py', line: 1, mem: { rss: 5 } }) + '\n'));
    a.close();
    const b = new RecordingWriter(path, header);
    for (let i = 0; i < 300; i++) b.write(sample(100_000 + i * 100, 9e6 + i));
    b.writeRaw(Buffer.from(JSON.stringify({ type: 'checkpoint', v: 1, t: 101, pid: 7, seq: 1, label: 'after', file: '/a.py', line: 2, mem: { rss: 6 } }) + '\n'));
    b.close();
    // Not this run: a stray earlier file of the same name.
    writeFileSync(join(dir, 'rec.ndjson.5'), JSON.stringify({ type: 'recording', v: 1, created: 1, rootPid: 1, tool: 't', part: 5 }) + '\n' + JSON.stringify(sample(1, 5e12)) + '\n');
    const run = await openRun(path, ALL_INDEX);
    assert.equal(run.parts.length, 1);
    assert.deepEqual(run.ingest.all().map((r) => r.label).sort(), ['after', 'before']);
    assert.equal(run.store.get(SeriesName.treeRss)!.max, 9e6 + 299);
    assert.equal(run.store.get(SeriesName.treeRss)!.firstValue, 1e6);
    assert.deepEqual(facts(run), facts(await openRun(path, ALL_RAW)));
  });

  it('a writer resuming a rotated run continues its part numbers and its run: every part and checkpoint opens as one run', async () => {
    const path = join(dir, 'rec.ndjson');
    const opts = { maxBytes: 20_000, maxFiles: 50, flushBytes: 2_000 };
    let seq = 0;
    const feed = (w: RecordingWriter, t0: number, n: number) => {
      for (let i = 0; i < n; i++) {
        w.write({ type: 'sample', t: t0 + i * 100, rss: 1e6 + i, vms: 1, procs: [[7, 1, 1e6 + i, null, 'python']] });
        if (i % 10 === 0) w.writeRaw(Buffer.from(JSON.stringify({ type: 'checkpoint', v: 1, t: (t0 + i * 100) / 1000, pid: 7, seq: seq++, label: 'step', file: '/a.py', line: 3, mem: { rss: 1 } }) + '\n'));
      }
    };
    const a = new RecordingWriter(path, { created: 1000, rootPid: 7, tool: 'test' }, opts);
    feed(a, 1000, 600);
    a.close();
    const partsBefore = readdirSync(dir).filter((f) => f.endsWith('.idx')).length;
    assert.ok(partsBefore >= 3, `${partsBefore} parts`);
    // The window reloads: a new writer (a new `created` of its own) appends to the newest part.
    const b = new RecordingWriter(path, { created: 999_999, rootPid: 7, tool: 'test' }, opts);
    feed(b, 200_000, 600);
    b.close();
    const run = await openRun(path, ALL_INDEX);
    assert.ok(run.parts.length > partsBefore, 'the resumed writer rotated on into new parts of the same run');
    assert.deepEqual(run.parts.map((p) => p.part), run.parts.map((_, i) => i), 'parts numbered on without a gap');
    assert.equal(run.ingest.all()[0].hits, seq, 'every checkpoint of both writers');
    assert.deepEqual(facts(run), facts(await openRun(path, ALL_RAW)));
  });

  it('a writer that cannot write its index says so once and records on', async () => {
    const path = join(dir, 'rec.ndjson');
    // A folder where the index would go: opening it for writing fails.
    const blocker = `${path}.p0.idx`;
    mkdirSync(blocker);
    const errors: string[] = [];
    const w = new RecordingWriter(path, { created: 1, rootPid: 1, tool: 't' }, { onIndexError: (e) => errors.push(e.message) });
    for (let i = 0; i < 200; i++) w.write({ type: 'sample', t: i, rss: i, vms: i });
    w.close();
    assert.equal(errors.length, 1);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 201);
    assert.ok(existsSync(blocker));
    const run = await openRun(path, ALL_INDEX);
    assert.deepEqual(run.parts.map((p) => p.via), ['full']);
    assert.equal(run.samplesRead, 200);
  });
});
