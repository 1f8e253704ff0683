// Prometheus labels of the ranks of one launch: each process's and each checkpoint's series carry
// the rank, local_rank and host its own hello reported, over the monitor's own identity.
import * as assert from 'node:assert/strict';
import { SessionMetrics } from '../../src/engine/metrics/sessionMetrics';
import type { MonitorTick } from '../../src/engine/monitor';
import { objectBatch } from '../../src/engine/protocol/recordBatch';
import { RecordIngest } from '../../src/engine/session/recordIngest';
import { MemoryStore } from '../../src/engine/store/memoryStore';
import type { ProtocolRecord } from '../../src/shared/protocol';

const MiB = 2 ** 20;

function launch(): RecordIngest {
  const ingest = new RecordIngest(new MemoryStore());
  const records: ProtocolRecord[] = [];
  for (const [pid, rank, host] of [
    [201, 0, 'node-1'],
    [202, 1, 'node-1'],
    [301, 2, 'node-2'],
  ] as const) {
    records.push({ v: 1, type: 'hello', t: 1, pid, seq: 0, token: '', host, rank, local_rank: rank % 2, world_size: 3, local_world_size: 2 });
    records.push({ v: 1, type: 'checkpoint', t: 2, pid, seq: 1, file: '/w/train.py', line: 9, label: 'after forward', mem: { rss: (100 + rank) * MiB } });
  }
  ingest.addBatch(objectBatch(records));
  return ingest;
}

const tick: MonitorTick = {
  tree: {
    t: 1_700_000_000_500,
    rootPid: 200,
    rootAlive: true,
    rss: 400 * MiB,
    vms: 900 * MiB,
    processes: [
      { pid: 200, ppid: 1, name: 'torchrun', rss: 50 * MiB, vms: 100 * MiB, shared: 0 },
      { pid: 201, ppid: 200, name: 'python', rss: 100 * MiB, vms: 300 * MiB, shared: 0 },
      { pid: 202, ppid: 200, name: 'python', rss: 101 * MiB, vms: 300 * MiB, shared: 0 },
    ],
  },
};

describe('Prometheus labels per rank (rank, local_rank, host)', () => {
  it("labels each rank's process and checkpoint series with its own rank, local_rank and host", () => {
    const ingest = launch();
    const text = new SessionMetrics({ job: 'train.py', host: 'node-1' }).render({ tick, locations: ingest.all(), ranks: ingest.ranks(), places: ingest.rankPlaces() });
    const has = (line: string) => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
    has(`headroom_process_rss_bytes{job="train.py",host="node-1",pid="200",name="torchrun"} ${50 * MiB}`);
    has(`headroom_process_rss_bytes{job="train.py",host="node-1",rank="0",local_rank="0",pid="201",name="python"} ${100 * MiB}`);
    has(`headroom_process_rss_bytes{job="train.py",host="node-1",rank="1",local_rank="1",pid="202",name="python"} ${101 * MiB}`);
    has(`headroom_checkpoint_rss_bytes{job="train.py",host="node-1",rank="1",local_rank="1",checkpoint="after forward",kind="checkpoint"} ${101 * MiB}`);
    // A rank of another node keeps its own host.
    has(`headroom_checkpoint_rss_bytes{job="train.py",host="node-2",rank="2",local_rank="0",checkpoint="after forward",kind="checkpoint"} ${102 * MiB}`);
  });

  it("replaces a monitor's own rank and local_rank by a process's, never repeating a label", () => {
    const ingest = launch();
    const text = new SessionMetrics({ job: 'j', host: 'node-1', rank: 7, localRank: 3 }).render({ tick, locations: ingest.all(), ranks: ingest.ranks(), places: ingest.rankPlaces() });
    assert.ok(text.includes('headroom_tree_rss_bytes{job="j",host="node-1",rank="7",local_rank="3"}'), text);
    assert.ok(text.includes('{job="j",host="node-1",rank="0",local_rank="0",pid="201",name="python"}'), text);
    for (const l of text.split('\n').filter((x) => x.includes('{'))) {
      const names = [...l.matchAll(/([a-z_]+)="/g)].map((m) => m[1]);
      assert.equal(new Set(names).size, names.length, `a label repeated: ${l}`);
    }
  });
});
