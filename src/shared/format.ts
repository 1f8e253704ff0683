// Formatting shared by the extension, the webview and the CLI. The Python client mirrors the
// number formatters in src/python/headroom/_format.py; test/fixtures/format/vectors.json holds
// the strings both must print, and docs/formatting.md states the rules.

export type Units = 'GB' | 'GiB';

const STEPS: Record<Units, { base: number; names: readonly string[] }> = {
  GB: { base: 1000, names: ['B', 'kB', 'MB', 'GB', 'TB'] },
  GiB: { base: 1024, names: ['B', 'KiB', 'MiB', 'GiB', 'TiB'] },
};

function stepsOf(units: Units): { base: number; names: readonly string[] } {
  const s = Object.prototype.hasOwnProperty.call(STEPS, units) ? STEPS[units] : undefined;
  if (!s) throw new Error(`units must be "GB" or "GiB", not ${JSON.stringify(units)}`);
  return s;
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The digits of the integer nearest to x·10^digits (x >= 0, finite), ties away from zero,
 * taken on x's shortest decimal form (what String(x), JSON and Python's repr print). Rounding
 * the decimal, not the binary double, is what makes 1.005 round up here and in Python alike;
 * toFixed and Python's % format round the double and disagree with each other on ties.
 */
export function roundDecimal(x: number, digits: number): string {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new Error(`roundDecimal needs a finite number >= 0, not ${String(x)}`);
  const all = m[1] + (m[2] ?? '');
  const point = m[1].length + Number(m[3] ?? 0) + digits;
  let whole = point <= 0 ? '' : point >= all.length ? all + '0'.repeat(point - all.length) : all.slice(0, point);
  const next = point < 0 || point >= all.length ? 0 : all.charCodeAt(point) - 48;
  if (next >= 5) whole = increment(whole);
  whole = whole.replace(/^0+/, '');
  return whole === '' ? '0' : whole;
}

/** A decimal digit string plus one. */
function increment(digits: string): string {
  const d = digits.split('');
  for (let i = d.length - 1; i >= 0; i--) {
    if (d[i] !== '9') {
      d[i] = String.fromCharCode(d[i].charCodeAt(0) + 1);
      return d.join('');
    }
    d[i] = '0';
  }
  return '1' + d.join('');
}

/** The integer digit string `n` read as n·10^-digits: `fixed('1205', 2)` is `12.05`. */
function fixed(n: string, digits: number): string {
  if (digits === 0) return n;
  const padded = n.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * `1.20 GB`, `800 MB`, `-35.2 MB`; with `signed`, a leading + for positive values; `?` when
 * not a finite number. Three significant digits (two decimals below 10, one below 100, none
 * from 100), rounded as `roundDecimal` does; a value that rounds up to the next step is
 * written in that step (999.6 MB is `1.00 GB`, 99.96 MB is `100 MB`). Zero has no sign.
 */
export function formatBytes(bytes: number, units: Units = 'GB', signed = false): string {
  const { base, names } = stepsOf(units);
  if (!isNumber(bytes)) return '?';
  const a = Math.abs(bytes);
  let i = 0;
  while (i < names.length - 1 && a >= base ** (i + 1)) i++;
  for (;;) {
    const v = a / base ** i;
    let d = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
    let n = roundDecimal(v, d);
    // 9.996 rounds to 10.00 and 99.96 to 100.0: one digit fewer keeps three significant ones.
    while (d > 0 && Number(n) >= 1000) n = roundDecimal(v, --d);
    if (d === 0 && Number(n) >= base && i < names.length - 1) {
      i++;
      continue;
    }
    const sign = n === '0' ? '' : bytes < 0 ? '-' : signed ? '+' : '';
    return `${sign}${fixed(n, d)} ${names[i]}`;
  }
}

/**
 * `11.8/80 GB`: both in the unit of the larger (total). One decimal, dropped from a whole
 * number of 10 or more (`80`, `3.0`); none from 100. `?` without a total to choose the unit
 * by, `?/80 GB` without a used figure.
 */
export function formatPair(used: number, total: number, units: Units = 'GB'): string {
  const { base, names } = stepsOf(units);
  if (!isNumber(total)) return '?';
  const t = Math.abs(total);
  let i = 0;
  while (i < names.length - 1 && t >= base ** (i + 1)) i++;
  if (i < names.length - 1 && Number(roundDecimal(t / base ** i, 0)) >= base) i++;
  const part = (x: number): string => {
    if (!isNumber(x)) return '?';
    const v = Math.abs(x) / base ** i;
    let d = i === 0 || v >= 100 ? 0 : 1;
    let n = roundDecimal(v, d);
    if (d === 1 && Number(n) >= 1000) n = roundDecimal(v, (d = 0));
    const s = d === 1 && Number(n) >= 100 && n.endsWith('0') ? n.slice(0, -1) : fixed(n, d);
    return (x < 0 && n !== '0' ? '-' : '') + s;
  };
  return `${part(used)}/${part(total)} ${names[i]}`;
}

/**
 * `250 ms` below a second, `12.34 s` below a minute, then `2 min 5 s`; rounded as
 * `roundDecimal` does, and written in the next unit when rounding reaches it (0.9996 s is
 * `1.00 s`, 59.996 s is `1 min 0 s`). `?` when not a finite number.
 */
export function formatDuration(seconds: number): string {
  if (!isNumber(seconds)) return '?';
  const a = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  const ms = roundDecimal(a, 3);
  if (Number(ms) < 1000) return ms === '0' ? '0 ms' : `${sign}${ms} ms`;
  const cs = roundDecimal(a, 2);
  if (Number(cs) < 6000) return `${sign}${fixed(cs, 2)} s`;
  const whole = Number(roundDecimal(a, 0));
  const m = Math.floor(whole / 60);
  return `${sign}${m} min ${whole - m * 60} s`;
}

/** `80%` for 80.4 (a percentage, not a fraction): whole percent, rounded as `roundDecimal` does. */
export function formatPercent(percent: number): string {
  if (!isNumber(percent)) return '?';
  const n = roundDecimal(Math.abs(percent), 0);
  return `${percent < 0 && n !== '0' ? '-' : ''}${n}%`;
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
