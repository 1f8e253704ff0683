import * as assert from 'node:assert/strict';
import type { CellRun } from '../../engine/session/cellRuns';
import { cellHistory, cellItemText } from './cellText';

const MB = 1e6;
const run = (over: Partial<CellRun>): CellRun => ({ pid: 7, region: 1, cell: { hash: 'abc', count: 7 }, label: 'cell [7]', t: 0, rssStart: 1000 * MB, cudaStart: undefined, ...over });

describe('notebook cell figures', () => {
  it("a finished run: its delta, its climb inside, CUDA, its time", () => {
    const r = run({ tEnd: 2100, rss: 2200 * MB, delta: 1200 * MB, peak: 4400 * MB, cudaDelta: 800 * MB, duration: 2.1 });
    assert.equal(cellItemText(r, 'GB', false), '+1.20 GB · peak +3.40 GB · CUDA +800 MB · 2.10 s');
  });

  it('a run that freed what it made shows its peak; one that raised is marked; an edited cell says so', () => {
    assert.equal(cellItemText(run({ tEnd: 1, rss: 1000 * MB, delta: 0, peak: 1500 * MB, duration: 0.4 }), 'GB', true), '0 B · peak +500 MB · 400 ms (before edit)');
    assert.equal(cellItemText(run({ tEnd: 1, rss: 1000 * MB, delta: 1 * MB, peak: 1001 * MB, duration: 0.01, error: 'ZeroDivisionError: division by zero' }), 'GB', false), '$(warning) +1.00 MB · 10 ms');
    assert.equal(cellItemText(run({}), 'GB', false), '$(loading~spin) running…');
  });

  it('the history lists runs newest first, bounded, with errors as plain text', () => {
    const runs = Array.from({ length: 12 }, (_, i) => run({ cell: { hash: 'h', count: i + 1 }, tEnd: i, delta: i * MB, peak: 1000 * MB, duration: 0.1, error: i === 11 ? 'Boom: `x` [a](command:y)' : undefined }));
    const lines = cellHistory(runs, 'GB').split('\n');
    assert.match(lines[0], /run +RSS Δ +peak RSS +time/);
    assert.match(lines[1], /^ +\[12\] +\+11.0 MB +1.00 GB +100 ms {2}Boom: ˋxˋ \[a\]\u200b\(command:y\)$/);
    assert.equal(lines.length, 1 + 10 + 1);
    assert.equal(lines[11], '… and 2 earlier runs');
  });
});
