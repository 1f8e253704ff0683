import * as assert from 'node:assert/strict';
import { ProtocolListener, type ProtocolConnection } from '../../src/engine/protocol/listener';
import { siteText } from '../../src/engine/session/allocations';
import { answersTo, requestAllocations } from '../../src/engine/session/allocationsRequest';
import { RecordIngest } from '../../src/engine/session/recordIngest';
import { MemoryStore } from '../../src/engine/store/memoryStore';
import { runPython } from './engine/pythonRun';

const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Line 4 holds 64 MiB in 129 blocks (each bytearray's object and buffer, and the list); the
// program runs Python for a few seconds, time enough to be asked, then ends.
const PROGRAM = `import time, headroom
headroom.trace_allocations(measure=False)
headroom.checkpoint("ready")
kept = [bytearray(1024 * 1024) for _ in range(64)]
deadline = time.monotonic() + 4
while time.monotonic() < deadline:
    time.sleep(0.01)
`;

describe('Show Allocation Sites: the control message and its answer (real listener, real Python client)', function () {
  this.timeout(60_000);

  it("asks a connected program for its sites and takes the answer into the session's AllocationSites", async () => {
    const ingest = new RecordIngest(new MemoryStore());
    const connections: ProtocolConnection[] = [];
    const l = new ProtocolListener({ onConnect: (c) => connections.push(c), onRecords: (_c, b) => ingest.addBatch(b) });
    await l.start();
    try {
      const run = runPython(PROGRAM, l.env(l.issueToken('s')), 'sites');
      const deadline = Date.now() + 20_000;
      while ((connections.length === 0 || ingest.lastCheckpoint?.label !== 'ready') && Date.now() < deadline) await sleep(20);
      await sleep(300); // the list on line 4 is made after the checkpoint
      const asked = requestAllocations(connections, 'req-1', { top: 5 });
      assert.equal(asked.length, 1);
      const [answer] = await answersTo(ingest.allocations, 'req-1', asked, 20_000);
      assert.ok(answer, 'no answer');
      assert.equal(answer.id, 'req-1');
      const line4 = ingest.allocations.sites().find((s) => s.line === 4 && s.file.includes('headroom-sites-'));
      assert.ok(line4, JSON.stringify(answer.sites));
      assert.ok(Math.abs(line4.size / (64 * MB) - 1) < 0.05, `line 4 holds ${line4.size}`);
      assert.equal(siteText(line4), `holds 67.1 MB in ${line4.count} blocks`);
      assert.ok(line4.count >= 64 && line4.count <= 130, String(line4.count));
      const r = await run;
      assert.equal(r.code, 0, r.stderr);
    } finally {
      l.dispose();
    }
  });

  it('asks nobody when no process is connected, and waits for no one', async () => {
    const ingest = new RecordIngest(new MemoryStore());
    assert.deepEqual(requestAllocations([], 'x'), []);
    assert.deepEqual(await answersTo(ingest.allocations, 'x', [], 10), []);
  });
});
