import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { storeToCsv } from '../../../src/engine/recording/csv';
import { readRecording, readRecordingAsync } from '../../../src/engine/recording/recordingReader';
import { MemoryStore, SeriesName } from '../../../src/engine/store/memoryStore';
import { hostileText, params } from './arbitraries';

/** A recording's line (without its newline): a record, the header, or garbage. */
const recordLine = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constantFrom('sample', 'checkpoint', 'gpu', 'exit', 'x-future'), t: fc.double({ noNaN: true, noDefaultInfinity: true }), label: hostileText }).map((r) => Buffer.from(JSON.stringify(r))) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('{"type":"recording","version":1,"started":1}')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a))) },
  { weight: 1, arbitrary: fc.constantFrom('null', '[]', '{"t":1}', '{"type":7}', '{"type":"sample","t":NaN}', '{"type":"sample"', '[[[[[[[[[[]]]]]]]]]]').map((s) => Buffer.from(s)) },
  // A string with raw bytes, often invalid UTF-8: read as U+FFFD, the record kept.
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.concat([Buffer.from('{"type":"sample","label":"'), Buffer.from(a.filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c)), Buffer.from('"}')])) },
);

/** What reading the complete lines of `lines` must give: JSON.parse of each line's UTF-8 text. */
function expected(lines: readonly Buffer[]) {
  const records: unknown[] = [];
  let header: unknown;
  let errorCount = 0;
  for (const l of lines) {
    const text = l.toString('utf8');
    if (text.trim() === '') continue;
    let r: { type?: unknown } | null;
    try {
      r = JSON.parse(text) as { type?: unknown } | null;
    } catch {
      errorCount++;
      continue;
    }
    if (!r || typeof r !== 'object' || typeof r.type !== 'string') errorCount++;
    else if (r.type === 'recording') header ??= r;
    else records.push(r);
  }
  return { header, records, errorCount };
}

describe('property: the recording reader', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'hr-prop-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a file cut at any byte keeps every complete valid line before the cut and counts the bad ones', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.array(recordLine, { maxLength: 40 }), fc.nat(), (lines, cutAt) => {
        const whole = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        const end = whole.length === 0 ? 0 : cutAt % (whole.length + 1);
        const file = join(dir, `cut-${n++}.ndjson`);
        writeFileSync(file, whole.subarray(0, end));
        const got = readRecording(file);
        // The complete lines are those whose newline lies before the cut.
        const complete: Buffer[] = [];
        let at = 0;
        for (const l of lines) {
          if (at + l.length + 1 > end) break;
          complete.push(l);
          at += l.length + 1;
        }
        const want = expected(complete);
        assert.deepEqual(got.records, want.records);
        assert.deepEqual(got.header, want.header);
        assert.equal(got.errorCount, want.errorCount);
        assert.equal(got.truncatedTail, end > at);
      }),
      params(400),
    );
  });

  it('reading in chunks gives the same as reading the whole, wherever a chunk boundary falls (mid-line, mid-character)', async () => {
    let n = 0;
    // The asynchronous reader reads 512 KiB at a time: a padding line of chosen length puts the boundary anywhere in the lines after it.
    const CHUNK = 512 * 1024;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: CHUNK - 400, max: CHUNK - 20 }), fc.array(recordLine, { minLength: 1, maxLength: 20 }), async (padTo, lines) => {
        const pad = Buffer.from(`{"type":"sample","pad":"${'p'.repeat(padTo - 26)}"}`);
        const all = [pad, ...lines];
        const file = join(dir, `chunk-${n++}.ndjson`);
        writeFileSync(file, Buffer.concat(all.flatMap((l) => [l, Buffer.from('\n')])));
        const got = await readRecordingAsync(file);
        const want = expected(all);
        assert.deepEqual(got.records, want.records);
        assert.equal(got.errorCount, want.errorCount);
        assert.equal(got.truncatedTail, false);
        rmSync(file);
      }),
      params(60),
    );
  });
});

describe('property: CSV export', function () {
  it('one row per finite sample of the base series, every value read back exactly, missing cells empty', () => {
    const value = fc.oneof(fc.double(), fc.integer({ min: 0, max: 2 ** 53 }), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1e13 }), { maxLength: 50 }), fc.array(fc.tuple(value, fc.option(value)), { maxLength: 50 }), (times, values) => {
        const ts = [...times].sort((a, b) => a - b);
        const store = new MemoryStore();
        const want: [number, number, number | undefined][] = [];
        ts.forEach((t, i) => {
          const [rss, vms] = values[i] ?? [1, null];
          store.append(SeriesName.treeRss, t, rss);
          if (vms !== null) store.append(SeriesName.treeVms, t, vms);
          // CSV has no -0: it reads back as 0, which is the same amount of memory.
          if (Number.isFinite(rss)) want.push([t, rss + 0, vms !== null && Number.isFinite(vms) ? vms + 0 : undefined]);
        });
        const csv = storeToCsv(store, [SeriesName.treeRss, SeriesName.treeVms]);
        assert.ok(csv.endsWith('\n'));
        const rows = csv.slice(0, -1).split('\n').map((r) => r.split(','));
        assert.deepEqual(rows[0], ['t_ms', SeriesName.treeRss, SeriesName.treeVms]);
        assert.deepEqual(
          rows.slice(1).map(([t, a, b]) => [Number(t), Number(a), b === '' ? undefined : Number(b)]),
          want,
        );
      }),
      params(500),
    );
  });
});
