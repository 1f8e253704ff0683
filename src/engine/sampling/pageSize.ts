import { readFileSync } from 'node:fs';
import { parseStatm, parseStatusField } from './procfsParsers';

let cached: number | undefined;

/**
 * The kernel page size, without spawning `getconf`: our own statm resident pages against
 * VmRSS in /proc/self/status, both read back to back, rounded to a power of two.
 */
export function pageSize(): number {
  if (cached !== undefined) return cached;
  cached = 4096;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const statm = parseStatm(readFileSync('/proc/self/statm', 'latin1'));
      const rss = parseStatusField(readFileSync('/proc/self/status', 'latin1'), 'VmRSS');
      if (!statm || !rss || statm.residentPages === 0) continue;
      const ratio = rss / statm.residentPages;
      const pow = 2 ** Math.round(Math.log2(ratio));
      if (pow >= 4096 && pow <= 65536 && Math.abs(ratio - pow) / pow < 0.05) {
        cached = pow;
        break;
      }
    }
  } catch {
    /* not Linux: the default stands, and the Linux sampler is not used */
  }
  return cached;
}
