import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NvidiaSmiMonitor } from '../../../src/engine/gpu/nvidiaSmiMonitor';
import { parseComputeAppsCsv, parseGpuCsv, parseRocmSmiJson, smiNumber } from '../../../src/engine/gpu/nvidiaSmiParser';
import type { GpuAvailability, GpuSample } from '../../../src/engine/gpu/types';
import { sleep } from './allocator';

const dir = join(__dirname, '..', '..', 'fixtures', 'nvidia-smi');
const recorded = (name: string) => readFileSync(join(dir, name), 'utf8');
const MiB = 1 << 20;

describe('nvidia-smi parsers (recorded nvidia-smi output; no GPU here)', () => {
  it('reads two GPUs with memory in bytes', () => {
    const g = parseGpuCsv(recorded('gpu-2xA100.csv'));
    assert.equal(g.length, 2);
    assert.deepEqual(
      g.map((d) => [d.index, d.name, d.memUsed, d.memTotal, d.utilGpu]),
      [
        [0, 'NVIDIA A100-SXM4-80GB', 11805 * MiB, 81920 * MiB, 35],
        [1, 'NVIDIA A100-SXM4-80GB', 4 * MiB, 81920 * MiB, 0],
      ],
    );
    assert.equal(g[0].powerW, 85.32);
  });

  it('turns [N/A] and [Not Supported] into missing values, keeping the rest', () => {
    const [d] = parseGpuCsv(recorded('gpu-geforce-na.csv'));
    assert.equal(d.name, 'NVIDIA GeForce RTX 4070 Laptop GPU');
    assert.equal(d.memUsed, 1024 * MiB);
    assert.equal(d.utilMem, undefined);
    assert.equal(d.powerW, undefined);
    assert.equal(d.utilGpu, 7);
  });

  it('reads a MIG-mode GPU (utilisation N/A) and MIG apps without memory', () => {
    const [d] = parseGpuCsv(recorded('gpu-mig.csv'));
    assert.equal(d.utilGpu, undefined);
    assert.equal(d.memTotal, 40960 * MiB);
    const apps = parseComputeAppsCsv(recorded('apps.csv'));
    assert.deepEqual(apps[2], { pid: 50002, gpuUuid: 'GPU-5a9c3e1d-8b2f-4d6a-9e0c-7f1b2a3c4d55', usedMemory: undefined });
    assert.equal(apps[0].usedMemory, 10240 * MiB);
  });

  it('skips driver errors and truncated lines, keeping the valid one', () => {
    const g = parseGpuCsv(recorded('gpu-garbage.csv'));
    assert.deepEqual(g.map((d) => d.index), [1]);
    assert.deepEqual(parseComputeAppsCsv('No running processes found\n'), []);
    assert.equal(smiNumber('[Unknown Error]'), undefined);
  });

  it('reads rocm-smi JSON (AMD)', () => {
    const g = parseRocmSmiJson(recorded('rocm-smi.json'));
    assert.deepEqual(g.map((d) => [d.index, d.vendor, d.memTotal, d.utilGpu]), [
      [0, 'amd', 68702699520, 17],
      [1, 'amd', 68702699520, 0],
    ]);
    assert.deepEqual(parseRocmSmiJson('not json'), []);
  });
});

describe('NvidiaSmiMonitor (stand-in nvidia-smi replaying recorded output)', function () {
  this.timeout(20_000);
  const standIn = join(dir, 'stand-in-nvidia-smi.sh');

  it('streams device samples from one long-lived child and attaches per-process memory', async () => {
    const samples: GpuSample[] = [];
    const m = new NvidiaSmiMonitor({ command: standIn, intervalMs: 100, appsIntervalMs: 200, onSample: (s) => samples.push(s) });
    m.start();
    try {
      while (samples.length < 5 || samples[samples.length - 1].processes.length === 0) await sleep(50);
      assert.ok(samples.every((s) => s.devices.length === 2), 'each sample holds both GPUs');
      assert.equal(m.availability.state, 'ok');
      assert.equal(m.restarts, 0, 'the child was not respawned per sample');
      assert.equal(samples[samples.length - 1].processes[0].pid, 48211);
    } finally {
      m.dispose();
    }
  });

  it('restarts the child when it dies', async () => {
    process.env.NVSMI_DIE_AFTER = '2';
    const samples: GpuSample[] = [];
    const m = new NvidiaSmiMonitor({ command: standIn, intervalMs: 50, maxBackoffMs: 100, onSample: (s) => samples.push(s) });
    try {
      m.start();
      while (m.restarts < 2) await sleep(50);
      const before = samples.length;
      while (samples.length === before) await sleep(50);
      assert.ok(samples.length > before, 'samples resume after a restart');
    } finally {
      m.dispose();
      delete process.env.NVSMI_DIE_AFTER;
    }
  });

  it('reports a machine without nvidia-smi as absent, once, and backs off', async () => {
    const seen: GpuAvailability[] = [];
    const m = new NvidiaSmiMonitor({ command: '/nonexistent/nvidia-smi', onSample: () => assert.fail('no samples'), onAvailability: (a) => seen.push(a) });
    m.start();
    try {
      await sleep(1500);
      assert.deepEqual(seen.map((a) => a.state), ['absent']);
      assert.ok(m.restarts <= 2, `retried ${m.restarts} times in 1.5 s`);
    } finally {
      m.dispose();
    }
  });
});
