// One nvidia-smi loop for a window's sessions: two monitors of two real processes share it
// (the stand-in nvidia-smi replaying recorded output, as no GPU is here; it logs each start).
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuFeed } from '../../../src/engine/gpu/gpuFeed';
import type { GpuSample } from '../../../src/engine/gpu/types';
import { Monitor } from '../../../src/engine/monitor';
import { SeriesName } from '../../../src/engine/store/memoryStore';
import { Allocator, sleep } from './allocator';

const standIn = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi', 'stand-in-nvidia-smi.sh');

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('GpuFeed: one nvidia-smi loop shared by monitors (stand-in nvidia-smi)', function () {
  this.timeout(30_000);
  let dir: string;
  let tool: string;
  let starts: string;
  const loops = () => (existsSync(starts) ? readFileSync(starts, 'utf8').trim().split('\n').filter(Boolean).length : 0);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-gpufeed-'));
    starts = join(dir, 'starts');
    tool = join(dir, 'nvidia-smi');
    // Counts the device loops started (not the per-process queries), then is the stand-in.
    writeFileSync(tool, `#!/bin/sh\ncase "$1" in --query-gpu=*) echo $$ >> '${starts}';; esac\nexec '${standIn}' "$@"\n`);
    chmodSync(tool, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two monitors of two processes get GPU series from one loop, which stops after the last leaves', async () => {
    const feed = new GpuFeed({ command: tool, intervalMs: 100 });
    const a = new Allocator();
    const b = new Allocator();
    const ma = new Monitor(a.pid, { intervalMs: 50, gpuSource: feed, pss: 'off' });
    const mb = new Monitor(b.pid, { intervalMs: 50, gpuSource: feed, pss: 'off' });
    try {
      ma.start();
      mb.start();
      await until(() => !!ma.store.get(SeriesName.gpuUsed(0)) && !!mb.store.get(SeriesName.gpuUsed(1)), 'GPU series in both stores');
      assert.equal(loops(), 1, 'one nvidia-smi loop for both');
      assert.equal(feed.running, true);
      ma.stop();
      assert.equal(feed.running, true, 'still running for the other monitor');
      mb.stop();
      assert.equal(feed.running, false, 'stopped with the last subscriber (no linger asked)');
    } finally {
      ma.stop();
      mb.stop();
      feed.dispose();
      await a.close();
      await b.close();
    }
  });

  it('lingers after the last subscriber: the next starts without a spawn and gets the newest sample at once', async () => {
    const feed = new GpuFeed({ command: tool, intervalMs: 100, lingerMs: 5000 });
    try {
      const first: GpuSample[] = [];
      const s1 = feed.subscribe((s) => first.push(s));
      await until(() => first.length > 0, 'a first sample');
      s1.dispose();
      assert.equal(feed.running, true, 'kept for the linger');
      const second: GpuSample[] = [];
      feed.subscribe((s) => second.push(s)).dispose();
      assert.equal(second.length, 1, 'the newest sample handed over at once');
      assert.equal(second[0].devices.length, 2);
      assert.equal(loops(), 1, 'no second spawn');
      feed.dispose();
      assert.equal(feed.running, false);
      assert.equal(feed.subscribe(() => assert.fail('disposed')).dispose(), undefined);
      assert.equal(feed.running, false, 'a disposed feed starts nothing');
    } finally {
      feed.dispose();
    }
  });
});
