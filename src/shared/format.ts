// Formatting shared by the extension, the webview and the CLI.

export type Units = 'GB' | 'GiB';

const STEPS: Record<Units, { base: number; names: readonly string[] }> = {
  GB: { base: 1000, names: ['B', 'kB', 'MB', 'GB', 'TB'] },
  GiB: { base: 1024, names: ['B', 'KiB', 'MiB', 'GiB', 'TiB'] },
};

/** `1.20 GB`, `800 MB`, `-35.2 MB`; with `signed`, a leading + for positive values. */
export function formatBytes(bytes: number, units: Units = 'GB', signed = false): string {
  if (!Number.isFinite(bytes)) return '?';
  const { base, names } = STEPS[units];
  const sign = bytes < 0 ? '-' : signed && bytes > 0 ? '+' : '';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= base && i < names.length - 1) {
    v /= base;
    i++;
  }
  const digits = i === 0 ? 0 : v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)} ${names[i]}`;
}

/** `11.8/80 GB`: both in the unit of the larger. */
export function formatPair(used: number, total: number, units: Units = 'GB'): string {
  const { base, names } = STEPS[units];
  let i = 0;
  let t = total;
  while (t >= base && i < names.length - 1) {
    t /= base;
    i++;
  }
  const u = used / base ** i;
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1).replace(/\.0$/, '') : x.toFixed(1));
  return `${fmt(u)}/${fmt(t)} ${names[i]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${(seconds - m * 60).toFixed(0)} s`;
}

/**
 * Untrusted text (labels, process names, paths) made safe for a one-line UI string:
 * control characters gone, codicon syntax `$(x)` defused, length capped.
 */
export function plainLabel(s: string | undefined, max = 60): string {
  if (!s) return '';
  // eslint-disable-next-line no-control-regex
  let out = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  out = out.replace(/\$\(/g, '$\u200b(');
  // Notifications and hovers turn [text](target) into links: break the pair apart.
  out = out.replace(/\]\(/g, ']\u200b(');
  if (out.length > max) out = out.slice(0, max - 1) + '…';
  return out;
}
