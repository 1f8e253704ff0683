import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocationsSummary } from '../../src/cli/allocationsReport';
import { renderHtmlReport } from '../../src/cli/htmlReport';
import { renderSummaryText, runSummary, type RunSummary } from '../../src/cli/summary';
import { BatchDecoder } from '../../src/engine/protocol/recordBatch';
import { loadRun } from '../../src/engine/recording/loadRecording';
import { siteText, tensorGroupText } from '../../src/engine/session/allocations';
import { RecordIngest } from '../../src/engine/session/recordIngest';
import { MemoryStore } from '../../src/engine/store/memoryStore';
import type { ProtocolRecord } from '../../src/shared/protocol';
import { runPython } from './engine/pythonRun';

const MB = 2 ** 20;
let seq = 0;
const alloc = (pid: number, t: number, extra: object) => ({ v: 1, type: 'allocations', t, pid, seq: seq++, source: 'tracemalloc', ...extra }) as unknown as ProtocolRecord;

// Line numbers are the program's own (the first line is 1): A, B and C below.
const KNOWN_SITES = `import headroom, numpy as np
headroom.trace_allocations()
a = bytearray(300 * 1024 * 1024)
b = [np.ones(512 * 1024) for _ in range(50)]
c = []
def grow(n):
    for _ in range(n):
        c.append(bytes(1000))
grow(20000)
headroom.checkpoint("epoch 1", allocations=True)
grow(20000)
headroom.checkpoint("epoch 2", allocations=True)
`;

const summaryOf = (ingest: RecordIngest): RunSummary => ({ ...runSummary(new MemoryStore(), ingest.all(), ingest.ranks(), ['python3', 'prog.py'], 1, ingest.allocations), exitCode: 0, signal: null });

describe('allocation sites: engine and CLI report', function () {
  this.timeout(120_000);

  it('keeps the newest snapshot per process and says what a line holds, in the shared formatter', () => {
    const ing = new RecordIngest(new MemoryStore());
    const d = new BatchDecoder();
    const recs = [
      alloc(7, 1, { label: 'epoch 1', sites: [{ file: '/w/t.py', line: 3, size: 400e6, count: 1 }] }),
      alloc(7, 2, { label: 'epoch 2', since: { t: 1, label: 'epoch 1' }, sites: [{ file: '/w/t.py', line: 3, size: 812e6, count: 3, grew: 400e6 }, { file: '/w/u.py', line: 9, size: 1e6, count: 2 }] }),
      alloc(8, 1.5, { sites: [{ file: '/w/t.py', line: 4, size: 2e6, count: 1 }] }),
    ];
    // Through the listener's batch decoder, as the extension and the CLI receive them.
    ing.addBatch(d.push(Buffer.from(recs.map((r) => JSON.stringify(r)).join('\n') + '\n')));
    assert.equal(ing.failed, 0);
    assert.equal(ing.allocations.latest()?.label, 'epoch 2');
    assert.equal(ing.allocations.latest('tracemalloc', 8)?.pid, 8);
    const t = ing.allocations.forFile('/w/t.py');
    assert.deepEqual(t.map((s) => [s.pid, s.line, s.size]), [[7, 3, 812e6], [8, 4, 2e6]]);
    assert.equal(siteText(t[0]), "holds 812 MB in 3 blocks · +400 MB since 'epoch 1'");
    assert.deepEqual(ing.allocations.forFile('/real/t.py', (p) => p.replace('/w/', '/real/')).map((s) => s.line), [3, 4]);
    assert.equal(siteText({ size: 1e6, count: 1 }), 'holds 1.00 MB in 1 block');
    assert.equal(siteText({ size: 4e6, count: 2, grew: 1e6, via: 'numpy' }), 'holds 4.00 MB in 2 blocks (numpy) · +1.00 MB since the last snapshot');
  });

  it('names the framework of an MLX group beside its device, and a torch group by its device alone', () => {
    const g = { role: 'parameter', device: 'cpu', dtype: 'float32', shape: [128, 64], count: 1, size: 32768 };
    assert.equal(tensorGroupText({ ...g, names: ['MLP.layers.0.weight'], framework: 'mlx' }), 'MLP.layers.0.weight parameter float32 [128, 64] mlx cpu ×1: 32.8 kB');
    assert.equal(tensorGroupText(g), 'parameter float32 [128, 64] cpu ×1: 32.8 kB');
  });

  it("lists a real program's sites A, B, C with sizes within 5% in the text and HTML reports", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hr-alloc-'));
    try {
      const log = join(dir, 'run.ndjson');
      const r = await runPython(KNOWN_SITES, { HEADROOM_LOG: log, HEADROOM_ADDR: '' }, 'alloc');
      assert.equal(r.code, 0, r.stderr);
      const summary = summaryOf(loadRun(log).ingest);
      const a = summary.allocations;
      assert.ok(a, 'no allocations in the summary');
      assert.equal(a.label, 'epoch 2');
      assert.equal(a.since, 'epoch 1');
      const at = (line: number) => a.sites.find((s) => s.file === r.file && s.line === line);
      const within = (v: number | undefined, want: number) => assert.ok(v !== undefined && Math.abs(v / want - 1) < 0.05, `${v} is not within 5% of ${want}`);
      within(at(3)?.size, 300 * MB);
      within(at(4)?.size, 50 * 4 * MB);
      assert.equal(at(4)?.via, 'numpy');
      within(at(8)?.size, 40000 * 1033);
      within(at(8)?.grew, 20000 * 1033);
      const text = renderSummaryText(summary, 'GB', false);
      assert.match(text, /allocation sites at 'epoch 2' \(process \d+\)/);
      assert.match(text, /alloc-\d+-\d+\.py:3 +holds 315 MB in [12] blocks?/);
      assert.match(text, /\.py:8 +holds 4[12]\.\d MB in \d+ blocks · \+2\d\.\d MB since 'epoch 1'/);
      const html = renderHtmlReport(summary, new MemoryStore(), 'GB', false);
      assert.match(html, /<h2>allocation sites at (&#39;|&#x27;|')epoch 2/);
      assert.ok(html.includes('>315 MB<'), 'the 300 MiB site in the HTML table');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders hostile file names, packages and labels as text', () => {
    const ing = new RecordIngest(new MemoryStore());
    const evil = '/tmp/<img src=x onerror=alert(1)>/a\u001b[31m.py';
    ing.add(alloc(9, 1, { label: '<script>alert(1)</script>[x](command:rm)\n', since: { t: 0, label: '</td><b>' }, sites: [{ file: evil, line: 2, size: 10, count: 1, grew: 5, package: '<i>pkg', via: '"><svg onload=x>' }] }));
    const summary = summaryOf(ing);
    const html = renderHtmlReport(summary, new MemoryStore(), 'GB', false);
    for (const bad of ['<img', '<script>alert', '<svg', '<i>pkg', '</td><b>']) assert.ok(!html.includes(bad), `${bad} reached the HTML`);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    const text = renderSummaryText(summary, 'GB', false);
    assert.ok(!text.includes('\u001b'), 'an escape sequence reached the terminal');
    assert.ok(!text.includes('](command:'), 'a markdown link survived');
    assert.deepEqual(allocationsSummary(undefined), undefined);
  });
});
