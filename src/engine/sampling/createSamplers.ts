import { LinuxSystemSampler } from './linuxSystemSampler';
import { ProcfsTreeSampler, type ProcfsTreeSamplerOptions } from './procfsTreeSampler';
import { SiSystemSampler, SiTreeSampler } from './siSampler';
import type { SystemSampler, TreeSampler } from './types';

/** The platform's samplers, chosen once: /proc on Linux, systeminformation elsewhere. */
export function createTreeSampler(rootPid: number, options: ProcfsTreeSamplerOptions = {}, platform = process.platform): TreeSampler {
  return platform === 'linux' ? new ProcfsTreeSampler(rootPid, options) : new SiTreeSampler(rootPid);
}

export function createSystemSampler(pid: number, platform = process.platform): SystemSampler {
  return platform === 'linux' ? new LinuxSystemSampler({ pid }) : new SiSystemSampler();
}
