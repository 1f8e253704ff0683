import * as assert from 'node:assert/strict';
import type { GpuSample } from '../../engine/gpu/types';
import { gpuStatus, gpuTreeLine } from './gpuText';

const GiB = 2 ** 30;
const sample = (tree?: GpuSample['tree']): GpuSample => ({
  t: 0,
  devices: [
    { index: 0, name: 'H200', memUsed: 60 * GiB, memTotal: 80e9 } as GpuSample['devices'][number],
    { index: 1, name: 'H200', memUsed: 10 * GiB, memTotal: 80e9 } as GpuSample['devices'][number],
  ],
  processes: [],
  tree,
});

describe('GPU memory in the status bar', () => {
  it("shows the run's share, not the whole devices' use, when the engine attributed it", () => {
    assert.equal(gpuStatus(sample({ used: 12e9, source: 'nvidia-smi' }), 'GB'), 'GPU 12/160 GB');
    assert.equal(gpuStatus(sample(), 'GB'), 'GPU 75.2/160 GB', 'nothing attributed: the devices as a whole');
    assert.equal(gpuStatus({ t: 0, devices: [], processes: [] }, 'GB'), undefined);
  });

  it('says where the figure came from and what sits outside the allocator', () => {
    assert.equal(gpuTreeLine(sample({ used: 12e9, source: 'nvidia-smi', outside: 512e6 }), 'GB'), "GPU memory of this run: 12.0 GB, 512 MB outside PyTorch's allocator (from nvidia-smi)");
    assert.equal(
      gpuTreeLine(sample({ used: 11e9, source: 'client', why: 'nvidia-smi lists none of this run\'s processes (a container?)' }), 'GB'),
      "GPU memory of this run: 11.0 GB (from the program's CUDA figures: nvidia-smi lists none of this run's processes (a container?))",
    );
    assert.equal(gpuTreeLine(sample(), 'GB'), undefined);
  });
});
