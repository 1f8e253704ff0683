import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseComputeAppsCsv, parseGpuCsv } from '../../../src/engine/gpu/nvidiaSmiParser';
import { attributeTreeGpu } from '../../../src/engine/gpu/treeGpu';
import type { ClientCuda, GpuSample } from '../../../src/engine/gpu/types';
import { Monitor } from '../../../src/engine/monitor';
import type { GpuRecord } from '../../../src/engine/recording/format';
import { loadIntoStore } from '../../../src/engine/recording/loadRecording';
import { readRecording } from '../../../src/engine/recording/recordingReader';
import { RecordIngest } from '../../../src/engine/session/recordIngest';
import { MemoryStore, SeriesName } from '../../../src/engine/store/memoryStore';
import type { ProtocolRecord } from '../../../src/shared/protocol';
import { Allocator, sleep } from './allocator';

const dir = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi');
const recorded = (name: string) => readFileSync(join(dir, name), 'utf8');
const MiB = 1 << 20;

/** One sample from captured nvidia-smi output: two A100s and the given compute-apps file. */
function sample(apps: string): GpuSample {
  return { t: 1, devices: parseGpuCsv(recorded('gpu-2xA100.csv')), processes: parseComputeAppsCsv(recorded(apps)) };
}

const cuda = (pid: number, index: number, reserved: number, allocated = reserved / 2): ClientCuda => ({ pid, index, t: 1, allocated, reserved });

describe('GPU memory of the tree (captured nvidia-smi output and client CUDA figures; no GPU here)', () => {
  it('takes nvidia-smi per-process rows that match the tree, and what lies outside the allocator', () => {
    const a = attributeTreeGpu(sample('apps.csv'), new Set([48211, 7]), [cuda(48211, 0, 9728 * MiB)]);
    assert.deepEqual(a.processes.map((p) => p.pid), [48211]);
    assert.equal(a.tree?.source, 'nvidia-smi');
    assert.equal(a.tree?.used, 10240 * MiB);
    assert.equal(a.tree?.outside, 512 * MiB, 'nvidia-smi used minus the reserved bytes the same process reported: the CUDA context and friends');
  });

  it('says nothing of outside-allocator memory for processes the client did not report', () => {
    const a = attributeTreeGpu(sample('apps.csv'), new Set([48211, 48230]), [cuda(999, 0, MiB)]);
    assert.equal(a.tree?.used, (10240 + 1536) * MiB);
    assert.equal(a.tree?.outside, undefined);
  });

  it('clamps a negative difference (reads at different moments) to zero per process', () => {
    const a = attributeTreeGpu(sample('apps.csv'), new Set([48211]), [cuda(48211, 0, 11_000 * MiB)]);
    assert.equal(a.tree?.outside, 0);
  });

  it("uses the program's CUDA figures when nvidia-smi lists only host pids (a container)", () => {
    // The container's tree is pids 37 and 41; nvidia-smi on the host lists 2814503 and 2814577.
    const a = attributeTreeGpu(sample('apps-container-host-pids.csv'), new Set([1, 37, 41]), [cuda(37, 0, 11_520 * MiB), cuda(41, 1, 5_600 * MiB)]);
    assert.deepEqual(a.processes, [], 'no nvidia-smi row is the tree');
    assert.equal(a.tree?.source, 'client');
    assert.equal(a.tree?.used, (11_520 + 5_600) * MiB, 'not 0: the reserved bytes the program reported, summed over its processes and devices');
    assert.match(a.tree?.why ?? '', /lists none of the program's processes.*without the CUDA context/);
    assert.equal(a.tree?.outside, undefined);
  });

  it("uses the program's figures when nvidia-smi has the tree's row but no memory figure (MIG)", () => {
    const a = attributeTreeGpu(sample('apps.csv'), new Set([50002]), [cuda(50002, 0, 2048 * MiB)]);
    assert.equal(a.processes.length, 1);
    assert.deepEqual([a.tree?.source, a.tree?.used], ['client', 2048 * MiB]);
    assert.match(a.tree?.why ?? '', /no memory figure/);
  });

  it('attributes nothing (draws no false 0) when neither nvidia-smi nor the program says', () => {
    assert.equal(attributeTreeGpu(sample('apps-container-host-pids.csv'), new Set([37]), []).tree, undefined);
    assert.equal(attributeTreeGpu({ t: 1, devices: [], processes: [] }, new Set([37]), []).tree, undefined);
  });

  it('ignores client figures that are not byte counts', () => {
    const bad = [{ ...cuda(37, 0, 0), reserved: Number.NaN }, { ...cuda(38, 0, 0), reserved: -5 }, { ...cuda(39, 0, 0), reserved: '12' as unknown as number }];
    assert.equal(attributeTreeGpu(sample('apps-container-host-pids.csv'), new Set([37]), bad).tree, undefined);
    const some = attributeTreeGpu(sample('apps-container-host-pids.csv'), new Set([37]), [...bad, cuda(40, 0, 3 * MiB)]);
    assert.equal(some.tree?.used, 3 * MiB);
  });
});

describe('the newest CUDA figures per process, from protocol records', () => {
  const base = { v: 1, seq: 0 } as const;
  const checkpoint = (pid: number, t: number, devices: unknown[]): ProtocolRecord =>
    ({ ...base, type: 'checkpoint', t, pid, mem: { rss: MiB, devices } }) as unknown as ProtocolRecord;
  const dev = (index: number, reserved: number) => ({ kind: 'cuda', index, allocated: reserved / 2, reserved, inactive_split: 0, device_used: reserved + 500 * MiB, device_total: 80 << 30 });

  it('keeps one entry per process and device, the newest, and forgets a process at its bye', () => {
    const ingest = new RecordIngest(new MemoryStore());
    ingest.add(checkpoint(37, 10, [dev(0, 100 * MiB)]));
    ingest.add(checkpoint(37, 11, [dev(0, 300 * MiB), dev(1, 50 * MiB)]));
    ingest.add(checkpoint(41, 11, [dev(0, 70 * MiB)]));
    ingest.add(checkpoint(37, 9, [dev(0, 999 * MiB)])); // late: an older reading never wins
    const byKey = (cs: readonly ClientCuda[]) => cs.map((c) => `${c.pid}:${c.index}=${c.reserved / MiB}`).sort();
    assert.deepEqual(byKey(ingest.clientCuda()), ['37:0=300', '37:1=50', '41:0=70']);
    ingest.add({ ...base, type: 'bye', t: 12, pid: 37, reason: 'exit' } as ProtocolRecord);
    assert.deepEqual(byKey(ingest.clientCuda()), ['41:0=70']);
  });

  it('skips device entries whose figures are not numbers without losing the record', () => {
    const ingest = new RecordIngest(new MemoryStore());
    ingest.add(checkpoint(37, 10, [{ kind: 'cuda', index: 0, allocated: 'x', reserved: null }]));
    assert.deepEqual(ingest.clientCuda(), []);
    assert.deepEqual([ingest.records, ingest.failed], [1, 0]);
    assert.equal(ingest.lastCheckpoint?.pid, 37, 'the checkpoint itself was taken');
  });
});

describe('Monitor: the tree GPU series from nvidia-smi or from the program (stand-in nvidia-smi)', function () {
  this.timeout(30_000);
  const standIn = join(dir, 'stand-in-nvidia-smi.sh');

  async function run(apps: string | ((pid: number) => string), client: (pid: number) => ClientCuda[]) {
    const tmp = mkdtempSync(join(tmpdir(), 'headroom-gputree-'));
    const a = new Allocator();
    await a.send('free');
    const appsFile = join(tmp, 'apps.csv');
    writeFileSync(appsFile, typeof apps === 'string' ? recorded(apps) : apps(a.pid));
    process.env.NVSMI_APPS = appsFile;
    const rec = join(tmp, 'rec.ndjson');
    const m = new Monitor(a.pid, { intervalMs: 50, recordingPath: rec, gpuCommand: standIn, pss: 'off', clientCuda: () => client(a.pid) });
    try {
      m.start();
      const until = Date.now() + 10_000;
      while (!(m.store.get(SeriesName.treeGpu)?.count ?? 0) && Date.now() < until) await sleep(50);
      await sleep(200);
      return { m, last: m.last?.gpu, records: () => readRecording(rec).records };
    } finally {
      m.stop();
      await a.close();
      delete process.env.NVSMI_APPS;
      setTimeout(() => rmSync(tmp, { recursive: true, force: true }), 1000).unref();
    }
  }

  it("draws the program's reserved bytes, marked client, when nvidia-smi lists only host pids", async () => {
    const { m, last, records } = await run('apps-container-host-pids.csv', (pid) => [cuda(pid, 0, 4096 * MiB)]);
    assert.equal(m.store.get(SeriesName.treeGpu)?.max, 4096 * MiB, 'not 0');
    assert.equal(last?.tree?.source, 'client', 'the tooltip data says where the figure came from');
    const gpu = records().filter((r) => r.type === 'gpu') as unknown as GpuRecord[];
    assert.ok(gpu.length > 0);
    assert.deepEqual(gpu[gpu.length - 1].tree, { used: 4096 * MiB, src: 'client' });
    assert.equal(loadIntoStore(records()).get(SeriesName.treeGpu)?.max, 4096 * MiB, 'a reopened recording draws it too');
  });

  it('takes nvidia-smi when it lists the tree, with what the process holds outside the allocator', async () => {
    const rows = (pid: number) => `${pid}, GPU-7c1f2a55-9a0e-3c1b-8f7e-0a3d9b2c4e11, 5120\n`;
    const { m, last, records } = await run(rows, (pid) => [cuda(pid, 0, 4608 * MiB)]);
    assert.equal(m.store.get(SeriesName.treeGpu)?.max, 5120 * MiB);
    assert.deepEqual([last?.tree?.source, last?.tree?.outside], ['nvidia-smi', 512 * MiB]);
    const gpu = records().filter((r) => r.type === 'gpu') as unknown as GpuRecord[];
    assert.deepEqual(gpu[gpu.length - 1].tree, { used: 5120 * MiB, src: 'nvidia-smi', outside: 512 * MiB });
  });
});
