import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../../../src/engine/recording/loadRecording';
import { openRun } from '../../../src/engine/recording/openRun';
import { readRecording, readRecordingAsync } from '../../../src/engine/recording/recordingReader';
import { RecordingWriter } from '../../../src/engine/recording/recordingWriter';
import { sleep } from './allocator';

describe('recordings (real files)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-rec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const header = { created: 1, rootPid: 42, tool: 'test' };

  it('reaches the disk within the flush interval, without close', async () => {
    const path = join(dir, 'r.ndjson');
    const w = new RecordingWriter(path, header, { flushMs: 200 });
    w.write({ type: 'sample', t: 1, rss: 100, vms: 200 });
    await sleep(450);
    const r = readRecording(path);
    assert.equal(r.header?.rootPid, 42);
    assert.equal(r.records.length, 1);
    w.close();
  });

  it('writes protocol lines as received, between encoded records, in order', () => {
    const path = join(dir, 'r.ndjson');
    const w = new RecordingWriter(path, header);
    w.write({ type: 'sample', t: 1, rss: 100, vms: 200 });
    w.writeRaw(Buffer.from('{"v":1,"type":"checkpoint","t":2,"pid":5,"seq":0,"label":"é","mem":{"rss":7}}\n{"v":1,"type":"bye","t":3,"pid":5,"seq":1}\n'));
    w.writeRaw(new Uint8Array(0));
    w.write({ type: 'sample', t: 4, rss: 300, vms: 400 });
    w.close();
    const r = readRecording(path);
    assert.deepEqual(r.records.map((x) => x.type), ['sample', 'checkpoint', 'bye', 'sample']);
    assert.equal(r.records[1].label, 'é');
    assert.equal(r.errorCount, 0);
  });

  it('a file cut at any byte loads every complete line before the cut', () => {
    const path = join(dir, 'r.ndjson');
    const w = new RecordingWriter(path, header);
    // Multi-byte labels, so cuts also land inside characters.
    for (let i = 0; i < 500; i++) w.write({ type: 'checkpoint', t: i, label: `étape ${i} — 検査`, rss: i * 1000 });
    w.close();
    const full = readFileSync(path);
    const lineEnds: number[] = [];
    for (let i = 0; i < full.length; i++) if (full[i] === 0x0a) lineEnds.push(i);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 40; k++) {
      const cut = 1 + Math.floor(rand() * (full.length - 1));
      const p = join(dir, `cut-${k}.ndjson`);
      writeFileSync(p, full.subarray(0, cut));
      const r = readRecording(p);
      const complete = lineEnds.filter((e) => e < cut).length - 1; // minus the header
      assert.equal(r.records.length, Math.max(0, complete), `cut at ${cut}`);
      assert.equal(r.errorCount, 0, 'a cut line is a truncated tail, not an error');
      assert.equal(r.truncatedTail, !lineEnds.includes(cut - 1));
      r.records.forEach((rec, i) => assert.equal(rec.t, i));
    }
  });

  it('counts garbage lines and keeps the valid ones around them', () => {
    const path = join(dir, 'g.ndjson');
    writeFileSync(path, '{"type":"sample","t":1}\nnot json\n{"no":"type"}\n\n{"type":"sample","t":2}\n');
    const r = readRecording(path);
    assert.deepEqual(r.records.map((x) => x.t), [1, 2]);
    assert.equal(r.errorCount, 2);
    assert.deepEqual(r.errors.map((e) => e.line), [2, 3]);
  });

  it('rotates past the size cap, each part starting with the header', () => {
    const path = join(dir, 'rot.ndjson');
    const w = new RecordingWriter(path, header, { maxBytes: 10_000, maxFiles: 2, flushBytes: 1 });
    for (let i = 0; i < 1000; i++) w.write({ type: 'sample', t: i, rss: i });
    w.close();
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`) && !existsSync(`${path}.3`));
    for (const p of [path, `${path}.1`, `${path}.2`]) {
      const r = readRecording(p);
      assert.equal(r.header?.type, 'recording');
      assert.ok(readFileSync(p).length < 11_000);
    }
    const newest = readRecording(path);
    assert.equal(newest.records[newest.records.length - 1].t, 999);
    assert.ok(newest.header && newest.header.part > 2);
  });

  it('reads a recording larger than its read chunk', () => {
    const path = join(dir, 'big.ndjson');
    const w = new RecordingWriter(path, header);
    const pad = 'x'.repeat(200);
    for (let i = 0; i < 30_000; i++) w.write({ type: 'sample', t: i, pad });
    w.close();
    truncateSync(path, readFileSync(path).length - 7);
    const r = readRecording(path);
    assert.equal(r.records.length, 29_999);
    assert.equal(r.truncatedTail, true);
  });

  it('reads the same records asynchronously, across chunk boundaries and multi-byte labels, without holding the thread', async () => {
    const path = join(dir, 'big.ndjson');
    const w = new RecordingWriter(path, header);
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      w.write({ type: 'sample', t: i, rss: 1000 + i, vms: 2000 + i });
      if (i % 3 === 0) lines.push(JSON.stringify({ v: 1, type: 'checkpoint', t: i / 1000, pid: 5, seq: i, file: '/w/t.py', line: 1 + (i % 7), label: `é→${i}`, mem: { rss: 1e6 + i } }));
      if (lines.length === 100) w.writeRaw(Buffer.from(lines.splice(0).join('\n') + '\n'));
    }
    w.close();
    writeFileSync(path, readFileSync(path, 'utf8') + 'not json\n{"type":"sample","t":1', { flag: 'w' });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const [a, b] = [readRecording(path), await readRecordingAsync(path)];
    clearInterval(ticker);
    assert.deepEqual(b, a);
    assert.equal(b.errorCount, 1);
    assert.ok(b.truncatedTail);
    assert.ok(turns > 1, `other work ran while the file was read (${turns} turns)`);
    const [ra, rb] = [loadRun(path), await openRun(path)];
    assert.deepEqual(rb.store.names().sort(), ra.store.names().sort());
    assert.equal(rb.store.get('tree.rss')?.count, 30_000);
    assert.deepEqual(
      rb.ingest.all().map((l) => [l.line, l.hits, l.peak]),
      ra.ingest.all().map((l) => [l.line, l.hits, l.peak]),
    );
  });
});
