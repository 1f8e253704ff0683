import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeDayLong } from '../../../bench/dayLong';
import type { MonitoringSession } from '../../../src/engine/session/monitoringSession';
import { SeriesName } from '../../../src/engine/store/seriesName';
import { headroom, waitFor } from './util';

describe('Long runs: a rotated recording opens as one run from its newest part (real editor)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-long-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the newest part opens the whole run: its beginning, every checkpoint and the peak; parts whose samples rotation removed still show', async () => {
    const api = await headroom();
    const path = join(dir, 'train.ndjson');
    // Two hours at 10 Hz written by the real writer in 1 MB parts, two rotated parts kept:
    // the middle parts lose their samples, the first part stays.
    const w = writeDayLong(path, { hours: 2, hz: 10, procs: 3, maxBytes: 1_000_000, maxFiles: 2 });
    const files = readdirSync(dir);
    assert.ok(files.includes('train.ndjson.2') && !files.includes('train.ndjson.3'), files.join(' '));
    const s = (await vscode.commands.executeCommand('headroom.openRecording', vscode.Uri.file(path))) as MonitoringSession;
    assert.equal(s.source, 'recording');
    const rss = s.store.get(SeriesName.treeRss)!;
    assert.equal(rss.firstValue, w.firstRss, 'the run starts at its beginning, not at the newest part');
    assert.equal(rss.max, w.peakRss);
    assert.equal(rss.lastValue, w.lastRss);
    assert.equal(
      s.ingest.all().reduce((n, l) => n + l.hits, 0),
      w.checkpoints,
      'every checkpoint, those of removed parts included',
    );
    // The timeline opened on it and drew it.
    const panel = await waitFor(() => api.panels.all().find((p) => p.boundSession === s), 'a timeline for the opened run', 20_000);
    // Named as the run was (its header's name), not by its file.
    assert.equal(panel.panel.title, 'Headroom: train.py (recording)');
  });
});
