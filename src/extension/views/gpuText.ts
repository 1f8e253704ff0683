// What the status bar says about GPU memory: pure, so it is unit-tested.
import type { GpuSample } from '../../engine/gpu/types';
import { formatBytes, formatPair, plainLabel, type Units } from '../../shared/format';

/**
 * `GPU 11.8/80 GB`: the run's share as the engine attributed it (nvidia-smi's rows, else the
 * program's own CUDA figures in a container) over the devices' total; the whole devices' use
 * only when nothing says. Undefined without a device total.
 */
export function gpuStatus(gpu: GpuSample | undefined, units: Units): string | undefined {
  if (!gpu?.devices.length) return undefined;
  const total = gpu.devices.reduce((a, d) => a + (d.memTotal ?? 0), 0);
  if (!(total > 0)) return undefined;
  const used = gpu.tree?.used ?? gpu.devices.reduce((a, d) => a + (d.memUsed ?? 0), 0);
  return `GPU ${formatPair(used, total, units)}`;
}

/** The tooltip's line on the run's GPU memory: how much, what sits outside PyTorch's allocator, and from where. */
export function gpuTreeLine(gpu: GpuSample | undefined, units: Units): string | undefined {
  const tree = gpu?.tree;
  if (!tree) return undefined;
  const outside = tree.outside !== undefined && tree.outside > 0 ? `, ${formatBytes(tree.outside, units)} outside PyTorch's allocator` : '';
  const source = tree.source === 'client' ? `from the program's CUDA figures${tree.why ? `: ${plainLabel(tree.why, 120)}` : ''}` : 'from nvidia-smi';
  return `GPU memory of this run: ${formatBytes(tree.used, units)}${outside} (${source})`;
}
